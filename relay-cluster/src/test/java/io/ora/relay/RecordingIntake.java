package io.ora.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.core.telemetry.TelemetryIntake;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link TelemetryIntake} for tests: it records every submission, per hub, and leaves each pending until the test
 * completes it, so a test decides when and how the ingest answers. Several tests may share one: each reads only the
 * submissions of its own fresh hub.
 */
public final class RecordingIntake implements TelemetryIntake {

    private static final long WAIT_SECONDS = 10;

    private final ConcurrentMap<UUID, BlockingQueue<Submission>> unread = new ConcurrentHashMap<>();
    private final ConcurrentMap<UUID, AtomicInteger> counts = new ConcurrentHashMap<>();

    /** One payload as the relay handed it over, and the receipt the test completes. */
    public record Submission(UUID hub, byte[] payload, CompletableFuture<Receipt> receipt) {

        /** Answers the relay with {@code outcome}. */
        public void complete(Receipt outcome) {
            receipt.complete(outcome);
        }
    }

    @Override
    public CompletionStage<Receipt> submit(UUID hub, byte[] payload) {
        Submission submission = new Submission(hub, payload, new CompletableFuture<>());
        counts.computeIfAbsent(hub, any -> new AtomicInteger()).incrementAndGet();
        queue(hub).add(submission);
        return submission.receipt();
    }

    /** The next submission from {@code hub} not yet read; fails if none arrives within ten seconds. */
    public Submission next(UUID hub) throws InterruptedException {
        Submission submission = queue(hub).poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(submission).as("a telemetry submission from hub %s", hub).isNotNull();
        return submission;
    }

    /** How many payloads {@code hub} has submitted so far, read or not. */
    public int submitted(UUID hub) {
        AtomicInteger count = counts.get(hub);
        return count == null ? 0 : count.get();
    }

    private BlockingQueue<Submission> queue(UUID hub) {
        return unread.computeIfAbsent(hub, any -> new LinkedBlockingQueue<>());
    }
}
