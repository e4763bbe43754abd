package io.ora.load.scenario;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.ora.load.measure.LatencyHistogram;
import io.ora.load.measure.OpenLoopPacer;
import io.ora.load.measure.Payload;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One open-loop run over a connected {@link Fleet}: messages are released on an {@link OpenLoopPacer} schedule,
 * round-robin over the apps, each app round-robin over its bound hubs; every arrival is checked off against its
 * sequence number. The run ends by itself: after the schedule (or when the generator falls hopelessly behind it),
 * then after the drain period at the latest.
 */
final class RelayRun {

    /** The MQTT 5 user property the Ora relay adds on delivery; counted, never required. */
    static final String ORA_SENDER = "ora-sender";
    /** Lead time so the first messages are not already late when the loop starts. */
    private static final Duration START_LEAD = Duration.ofMillis(50);
    private static final long DRAIN_POLL_MILLIS = 10;

    private RelayRun() {
    }

    /** Runs {@code load} over {@code fleet} as run number {@code run}. */
    static RelayResult execute(Fleet fleet, int run, RelayBenchmark.Load load, MqttQos qos,
                               RelayBenchmark.Limits limits) throws InterruptedException {
        long started = System.nanoTime();
        OpenLoopPacer pacer = OpenLoopPacer.of(started + START_LEAD.toNanos(), load.rate(),
                load.warmup().plus(load.duration()));
        long warmupCount = Math.min(pacer.count(), Math.round(load.rate() * load.warmup().toNanos() / 1e9));
        Recorder recorder = new Recorder(run, pacer.count(), warmupCount);
        fleet.deliverTo(recorder);

        Failures errors = new Failures();
        AtomicLong pending = new AtomicLong();
        LatencyHistogram sendLag = new LatencyHistogram();
        long[] lastRelease = {pacer.startNanos()};
        List<Fleet.App> apps = fleet.apps();
        int appCount = apps.size();
        long sent = pacer.drive(OpenLoopPacer.Clock.system(), limits.maxLag().toNanos(), (index, due, released) -> {
            Fleet.App app = apps.get((int) (index % appCount));
            List<MqttTopic> inboxes = app.hubInboxes();
            MqttTopic topic = inboxes.get((int) ((index / appCount) % inboxes.size()));
            if (index >= warmupCount) {
                // Compared with the latency of the same messages, so both leave the warm-up out.
                sendLag.record(released - due);
            }
            lastRelease[0] = released;
            pending.incrementAndGet();
            app.client().publishWith().topic(topic).qos(qos)
                    .payload(Payload.encode(load.payloadBytes(), due, run, index))
                    .send()
                    .whenComplete((result, error) -> {
                        countOutcome(errors, result, error);
                        pending.decrementAndGet();
                    });
        });

        // Wait for everything sent to arrive (and, at QoS 1, to be acknowledged), but no longer than the drain.
        long drainDeadline = System.nanoTime() + limits.drain().toNanos();
        while (System.nanoTime() < drainDeadline
                && (recorder.unique.sum() < sent - errors.total() || pending.get() > 0)) {
            Thread.sleep(DRAIN_POLL_MILLIS);
        }

        long measureStart = warmupCount < pacer.count() ? pacer.scheduledAt(warmupCount) : pacer.endNanos();
        long measuredSent = Math.max(0, sent - warmupCount);
        double sendRate = rate(measuredSent, lastRelease[0] - measureStart);
        double receiveRate = rate(recorder.measured.sum(), recorder.lastArrival.get() - measureStart);
        return new RelayResult(run, load.rate(), fleet.hubCount(), appCount, qos.getCode(), load.payloadBytes(),
                pacer.count(), sent, pacer.count() - sent, recorder.unique.sum(), recorder.duplicates.sum(),
                recorder.stale.sum(), recorder.malformed.sum(), recorder.misrouted.sum(), recorder.oraSender.sum(),
                errors.snapshot(), sendRate, receiveRate, recorder.latency.summary(), sendLag.summary(),
                Duration.ofNanos(System.nanoTime() - started));
    }

    private static void countOutcome(Failures errors, Mqtt5PublishResult result, Throwable error) {
        if (error != null) {
            errors.add(error);
        } else if (result.getError().isPresent()) {
            errors.add(result.getError().get());
        } else if (result instanceof Mqtt5PublishResult.Mqtt5Qos1Result acknowledged
                && acknowledged.getPubAck().getReasonCode() != Mqtt5PubAckReasonCode.SUCCESS) {
            // NO_MATCHING_SUBSCRIBERS is a success code to MQTT, but here it means a hub missed the message.
            errors.add("PUBACK " + acknowledged.getPubAck().getReasonCode());
        }
    }

    private static double rate(long count, long nanos) {
        return nanos > 0 ? count / (nanos / 1e9) : 0;
    }

    /** Checks arrivals off against the schedule; called concurrently from the client's event loops. */
    private static final class Recorder implements Fleet.Delivery {

        private final int run;
        private final long planned;
        private final long warmupCount;
        /** One bit per planned message: set once it has arrived. */
        private final AtomicLongArray arrived;
        private final LatencyHistogram latency = new LatencyHistogram();
        private final LongAdder unique = new LongAdder();
        private final LongAdder measured = new LongAdder();
        private final LongAdder duplicates = new LongAdder();
        private final LongAdder stale = new LongAdder();
        private final LongAdder malformed = new LongAdder();
        private final LongAdder misrouted = new LongAdder();
        private final LongAdder oraSender = new LongAdder();
        private final AtomicLong lastArrival = new AtomicLong();

        Recorder(int run, long planned, long warmupCount) {
            this.run = run;
            this.planned = planned;
            this.warmupCount = warmupCount;
            this.arrived = new AtomicLongArray((int) ((planned + Long.SIZE - 1) / Long.SIZE));
        }

        @Override
        public void deliver(String inbox, Mqtt5Publish publish, long receivedNanos) {
            for (Mqtt5UserProperty property : publish.getUserProperties().asList()) {
                if (ORA_SENDER.equals(property.getName().toString())) {
                    oraSender.increment();
                    break;
                }
            }
            if (!publish.getTopic().toString().startsWith(inbox)) {
                misrouted.increment();
            }
            Optional<ByteBuffer> body = publish.getPayload();
            Optional<Payload.Header> decoded = body.flatMap(Payload::decode);
            if (decoded.isEmpty()) {
                malformed.increment();
                return;
            }
            Payload.Header header = decoded.get();
            if (header.run() != run) {
                stale.increment();
                return;
            }
            if (header.index() >= planned) {
                malformed.increment();
                return;
            }
            long bit = 1L << (header.index() & (Long.SIZE - 1));
            long before = arrived.getAndAccumulate((int) (header.index() / Long.SIZE), bit, (a, b) -> a | b);
            if ((before & bit) != 0) {
                duplicates.increment();
                return;
            }
            unique.increment();
            lastArrival.accumulateAndGet(receivedNanos, Math::max);
            if (header.index() >= warmupCount) {
                measured.increment();
                latency.record(receivedNanos - header.dueNanos());
            }
        }
    }
}
