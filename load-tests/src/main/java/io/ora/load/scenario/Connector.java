package io.ora.load.scenario;

import io.ora.load.client.MqttClient;
import io.ora.load.measure.Latency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects many MQTT 5 clients (clean start) as fast as allowed with at most a given number of CONNECTs in flight,
 * timing each from the start of the TCP connect to the CONNACK. Used by the connection storm, where this is the
 * measurement, and by the relay scenario, where it is the set-up.
 */
final class Connector {

    private static final Logger LOG = LoggerFactory.getLogger(Connector.class);
    /** Time beyond the client's own connect timeout for a last outcome to arrive. */
    private static final Duration SETTLE_SLACK = Duration.ofSeconds(5);
    private static final int PROGRESS_EVERY = 1000;

    private Connector() {
    }

    /**
     * What a connect phase achieved.
     *
     * @param attempted   connects started (fewer than asked when the time limit cut the phase short)
     * @param connected   the clients that got a successful CONNACK
     * @param failures    failed connects by cause
     * @param unsettled   connects with no outcome when the phase gave up waiting
     * @param latency     time from starting each connect to its outcome
     * @param elapsed     from the first connect started to the last outcome
     * @param cutShort    whether the time limit stopped new connects
     */
    record Outcome<C>(int attempted, List<C> connected, Failures failures, long unsettled,
                   Latency latency, Duration elapsed, boolean cutShort) {
    }

    /** Connects {@code clients} in order, at most {@code concurrency} at a time, for at most {@code timeLimit}. */
    static Outcome<MqttClient> connectAll(List<MqttClient> clients, int concurrency, Duration timeLimit,
                                          Duration connectTimeout) throws InterruptedException {
        return connectAll(clients, MqttClient::connect, concurrency, timeLimit, connectTimeout);
    }

    /**
     * Connects {@code clients} in order with {@code connect}, which completes when a client is connected, at most
     * {@code concurrency} at a time, for at most {@code timeLimit}.
     */
    static <C> Outcome<C> connectAll(List<C> clients, Function<C, CompletableFuture<?>> connect, int concurrency,
                                     Duration timeLimit, Duration connectTimeout) throws InterruptedException {
        Semaphore permits = new Semaphore(concurrency);
        Queue<C> connected = new ConcurrentLinkedQueue<>();
        Failures failures = new Failures();
        Latency latency = Latency.threadSafe();
        long started = System.nanoTime();
        long deadline = started + timeLimit.toNanos();
        AtomicLong lastOutcome = new AtomicLong(started);
        int attempted = 0;
        boolean cutShort = false;
        for (C client : clients) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || !permits.tryAcquire(remaining, TimeUnit.NANOSECONDS)) {
                cutShort = true;
                break;
            }
            attempted++;
            long began = System.nanoTime();
            connect.apply(client).whenComplete((ack, error) -> {
                long done = System.nanoTime();
                latency.record(done - began);
                lastOutcome.accumulateAndGet(done, Math::max);
                if (error == null) {
                    connected.add(client);
                } else {
                    failures.add(error);
                }
                permits.release();
            });
            if (attempted % PROGRESS_EVERY == 0) {
                LOG.info("{} of {} connects started, {} connected", attempted, clients.size(), connected.size());
            }
        }
        // Every started connect ends by itself within the client's connect timeouts; wait for that, no longer.
        long settleNanos = 3 * connectTimeout.toNanos() + SETTLE_SLACK.toNanos();
        boolean settled = permits.tryAcquire(concurrency, settleNanos, TimeUnit.NANOSECONDS);
        if (settled) {
            permits.release(concurrency);
        }
        long unsettled = attempted - connected.size() - failures.total();
        return new Outcome<>(attempted, new ArrayList<>(connected), failures, Math.max(0, unsettled), latency,
                Duration.ofNanos(lastOutcome.get() - started), cutShort);
    }

    /** Disconnects the clients cleanly (DISCONNECT, then close); returns how many did not manage to within limit. */
    static long disconnectAll(List<MqttClient> clients, Duration limit) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(clients.size());
        Failures failures = new Failures();
        for (MqttClient client : clients) {
            client.disconnect().whenComplete((ignored, error) -> {
                if (error != null) {
                    failures.add(error);
                }
                done.countDown();
            });
        }
        boolean finished = done.await(limit.toNanos(), TimeUnit.NANOSECONDS);
        if (failures.total() > 0) {
            LOG.warn("disconnect failures: {}", failures.snapshot());
        }
        return failures.total() + (finished ? 0 : done.getCount());
    }
}
