package io.ora.ingest.http;

import io.ora.core.telemetry.TelemetryIntake;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link TelemetryIntake} for tests: it keeps every submission and answers each hub as told ({@code STORED} unless
 * {@link #answer} said otherwise), so tests with their own hubs never see each other's answers.
 */
final class RecordingIntake implements TelemetryIntake {

    /** One payload as the listener handed it over. */
    record Submission(UUID hub, byte[] payload) {
    }

    private final List<Submission> submissions = new CopyOnWriteArrayList<>();
    private final Map<UUID, Receipt> answers = new ConcurrentHashMap<>();

    /** From now on, {@code hub}'s payloads get {@code receipt}. */
    void answer(UUID hub, Receipt receipt) {
        answers.put(hub, receipt);
    }

    /** What {@code hub} submitted, in order. */
    List<Submission> from(UUID hub) {
        return submissions.stream().filter(submission -> submission.hub().equals(hub)).toList();
    }

    @Override
    public CompletionStage<Receipt> submit(UUID hub, byte[] payload) {
        submissions.add(new Submission(hub, payload.clone()));
        return CompletableFuture.completedFuture(answers.getOrDefault(hub, Receipt.STORED));
    }
}
