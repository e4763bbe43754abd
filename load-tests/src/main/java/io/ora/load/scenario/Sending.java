package io.ora.load.scenario;

import io.ora.load.client.MqttClient;
import io.ora.load.measure.Latency;
import io.ora.load.measure.OpenLoopPacer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The sending side of one open-loop run, shared by the pacers of all loops: message {@code k} goes out from client
 * {@code k mod n} of the senders, each batch is flushed once per connection it wrote to, and the run learns how late
 * the measured messages left, when the last one did, and how many QoS 1 messages still wait for an outcome
 * ({@link #pending}, which the listener decrements on each PUBACK or abandoned message).
 */
final class Sending {

    private final long warmupCount;
    private final Latency sendLag = Latency.threadSafe();
    private final AtomicLong lastRelease = new AtomicLong();
    private final LongAdder pending = new LongAdder();

    /** For a run whose first {@code warmupCount} messages are not measured and that starts at {@code startNanos}. */
    Sending(long warmupCount, long startNanos) {
        this.warmupCount = warmupCount;
        lastRelease.set(startNanos);
    }

    /** A sender for one loop's pacer; only that loop's clients ever get its messages. */
    OpenLoopPacer.Sender sender(List<MqttClient> senders, int qos) {
        MqttClient[] written = new MqttClient[senders.size()];
        return new OpenLoopPacer.Sender() {
            private int touched;

            @Override
            public void send(long index, long dueNanos, long releasedNanos) {
                if (index >= warmupCount) {
                    // Compared with the latency of the same messages, so both leave the warm-up out.
                    sendLag.record(releasedNanos - dueNanos);
                }
                lastRelease.accumulateAndGet(releasedNanos, Math::max);
                if (qos > 0) {
                    pending.increment();
                }
                MqttClient client = senders.get((int) (index % senders.size()));
                if (client.publish(index, dueNanos, qos)) {
                    written[touched++] = client;
                }
            }

            @Override
            public void endOfBatch() {
                for (int i = 0; i < touched; i++) {
                    written[i].flush();
                    written[i] = null;
                }
                touched = 0;
            }
        };
    }

    /** A QoS 1 message was sent that the pacers did not release (a hub's echo in a round trip). */
    void sent() {
        pending.increment();
    }

    /** An outcome arrived for a QoS 1 message: a PUBACK, or the message was abandoned. */
    void settled() {
        pending.decrement();
    }

    /** QoS 1 messages sent (or waiting to be) and not yet acknowledged or abandoned. */
    long pending() {
        return pending.sum();
    }

    /** When the last message was released. */
    long lastRelease() {
        return lastRelease.get();
    }

    /** How late the measured messages were released against their schedule. */
    Latency.Summary sendLag() {
        return sendLag.summary();
    }
}
