package io.ora.portal.ota;

import io.ora.core.firmware.FirmwareVersion;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * What a rollout promises, as pure rules (docs/ota.md, "Rollouts"): who it targets, its stages, who is in each stage,
 * and when failures pause it. Nothing here is stored per hub: a hub's place is computed from a keyed hash each time.
 *
 * @param rolloutId         the rollout (part of every hub's bucket, so two rollouts pick different first hubs)
 * @param model             the release's model
 * @param version           the release's version
 * @param minVersion        the release's minimum installed version
 * @param fromMin           the lowest installed version targeted (inclusive), if any
 * @param fromBelow         the installed version at which targeting stops (exclusive), if any
 * @param stages            the stages, percentages strictly increasing
 * @param maxOffersPerMinute offers allowed per minute of the clock, across the cluster
 * @param pauseFailures     pause once the failed hubs of a stage are more than this, if set
 * @param pauseFailurePercent pause once they are more than this percentage of the stage's reporting hubs, if set
 */
public record RolloutPlan(UUID rolloutId, String model, FirmwareVersion version, FirmwareVersion minVersion,
                          Optional<FirmwareVersion> fromMin, Optional<FirmwareVersion> fromBelow, List<Stage> stages,
                          int maxOffersPerMinute, OptionalInt pauseFailures, OptionalDouble pauseFailurePercent) {

    /** Buckets a hub can fall in: a stage of p % holds the buckets below {@code p × 100}. */
    public static final int BUCKETS = 10_000;
    /** The most stages a rollout has. */
    public static final int MAX_STAGES = 20;

    /** One stage: the share of targeted hubs it includes, and how long it is held before the next begins. */
    public record Stage(double percent, Duration soak) {
        public Stage {
            if (!(percent > 0 && percent <= 100)) {
                throw new IllegalArgumentException("a stage's percent is above 0 and at most 100");
            }
            if (soak.isNegative()) {
                throw new IllegalArgumentException("a stage's soak is not negative");
            }
        }

        /** The buckets below this are in the stage. */
        int bucketLimit() {
            return (int) Math.round(percent * (BUCKETS / 100.0));
        }
    }

    public RolloutPlan {
        stages = List.copyOf(stages);
        if (stages.isEmpty() || stages.size() > MAX_STAGES) {
            throw new IllegalArgumentException("a rollout has 1 to " + MAX_STAGES + " stages");
        }
        for (int i = 1; i < stages.size(); i++) {
            if (stages.get(i).percent() <= stages.get(i - 1).percent()) {
                throw new IllegalArgumentException("stage percentages increase strictly");
            }
        }
        if (maxOffersPerMinute < 1) {
            throw new IllegalArgumentException("maxOffersPerMinute is at least 1");
        }
    }

    /**
     * The stages of an exponential ramp: {@code initialPercent}, then each {@code factor} times the last, the last
     * one 100 %, each held for {@code step}. Refused when it would need more than {@link #MAX_STAGES} stages.
     */
    public static List<Stage> ramp(double initialPercent, double factor, Duration step) {
        if (!(initialPercent > 0 && initialPercent <= 100) || !(factor > 1 && factor <= 100)) {
            throw new IllegalArgumentException("a ramp starts above 0 and at most 100 % and grows by a factor"
                    + " above 1");
        }
        List<Stage> stages = new ArrayList<>();
        for (double percent = initialPercent; ; percent *= factor) {
            if (percent >= 100) {
                stages.add(new Stage(100, step));
                break;
            }
            stages.add(new Stage(percent, step));
            if (stages.size() >= MAX_STAGES) {
                throw new IllegalArgumentException("this ramp takes more than " + MAX_STAGES
                        + " stages to reach 100 %");
            }
        }
        return stages;
    }

    /**
     * A hub's bucket in this rollout: the first 8 bytes (unsigned, big-endian) of SHA-256(rollout id ‖ the hub's
     * keyed pseudonym), modulo {@link #BUCKETS}. Keyed through the pseudonym, so nobody without the server's secret
     * can tell which hubs a stage holds.
     */
    public int bucket(byte[] pseudonym) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
        sha.update(ByteBuffer.allocate(16).putLong(rolloutId.getMostSignificantBits())
                .putLong(rolloutId.getLeastSignificantBits()).array());
        sha.update(pseudonym);
        long head = ByteBuffer.wrap(sha.digest()).getLong();
        return (int) Long.remainderUnsigned(head, BUCKETS);
    }

    /** The first stage whose share includes {@code bucket}, or empty when even the last does not. */
    public OptionalInt stageOf(int bucket) {
        for (int i = 0; i < stages.size(); i++) {
            if (bucket < stages.get(i).bucketLimit()) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /** Whether a hub of {@code hubModel} running {@code installed} is targeted at all. */
    public boolean targets(String hubModel, FirmwareVersion installed) {
        return model.equals(hubModel)
                && installed.isBelow(version)
                && !installed.isBelow(minVersion)
                && fromMin.map(min -> !installed.isBelow(min)).orElse(true)
                && fromBelow.map(installed::isBelow).orElse(true);
    }

    /**
     * Whether a stage whose hubs have sent {@code reported} reports, {@code failed} of them failures, has crossed
     * this rollout's failure threshold.
     */
    public boolean failuresExceeded(long failed, long reported) {
        if (pauseFailures.isPresent() && failed > pauseFailures.getAsInt()) {
            return true;
        }
        return pauseFailurePercent.isPresent() && reported > 0
                && failed * 100.0 / reported > pauseFailurePercent.getAsDouble();
    }
}
