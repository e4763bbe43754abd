package io.ora.portal.ota;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Releases and rollouts as the operators' API shows them (the OpenAPI document's Release and Rollout). */
public final class OtaViews {

    private OtaViews() {
    }

    /** A release as the API shows it. */
    public record ReleaseView(UUID id, String model, String version, String minVersion, long size, String sha256,
                              String notes, Instant expires, String state, Instant createdAt) {
        static ReleaseView of(Releases.Release r) {
            return new ReleaseView(r.id(), r.model(), r.version().toString(), r.minVersion().toString(), r.size(),
                    r.sha256(), r.notes(), r.expires(), r.state().name().toLowerCase(Locale.ROOT),
                    r.createdAt());
        }
    }

    /**
     * A rollout stage as the API shows it; the counts (offers, newest reports by status, failure reasons) only where
     * progress was asked for (one rollout's GET), null in lists and in the answers to moves.
     */
    public record StageView(int stage, double percent, long soakMinutes, Long offers, Map<String, Long> reports,
                            Map<String, Long> failureReasons) {
    }

    /** A rollout as the API shows it, with its progress when asked for one. */
    public record RolloutView(UUID id, UUID releaseId, String model, String status, String pauseReason, int stage,
                              Instant stageStartedAt, int maxOffersPerMinute, Instant createdAt, Instant endedAt,
                              List<StageView> stages) {
        static RolloutView of(Rollouts.Rollout r, Optional<List<Rollouts.StageProgress>> progress) {
            List<RolloutPlan.Stage> plan = r.plan().stages();
            List<StageView> stages = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) {
                int index = i;
                Rollouts.StageProgress p = progress.map(list -> list.get(index)).orElse(null);
                stages.add(new StageView(i, plan.get(i).percent(), plan.get(i).soak().toMinutes(),
                        p == null ? null : p.offers(), p == null ? null : p.reports(),
                        p == null ? null : p.failureReasons()));
            }
            return new RolloutView(r.id(), r.releaseId(), r.plan().model(), r.status().wireName(),
                    r.pauseReason().orElse(null), r.stage(), r.stageStartedAt(), r.plan().maxOffersPerMinute(),
                    r.createdAt(), r.endedAt().orElse(null), stages);
        }
    }
}
