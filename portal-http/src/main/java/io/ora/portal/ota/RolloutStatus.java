package io.ora.portal.ota;

import java.util.Locale;
import java.util.Optional;

/**
 * A rollout's state and every move between states, in one table (docs/ota.md, "Pause, resume, abort"): what an
 * operator, a failure threshold or the soak timer may do from each state. {@code aborted} is final.
 */
public enum RolloutStatus {
    ACTIVE, PAUSED, ABORTED;

    /** What can happen to a rollout. */
    public enum Move {
        /** An operator pauses it. */
        PAUSE,
        /** Failures crossed the threshold. */
        AUTO_PAUSE,
        /** An operator resumes it. */
        RESUME,
        /** An operator aborts it. */
        ABORT,
        /** The current stage has soaked: the next begins. */
        ADVANCE
    }

    /** The state {@code move} leads to from this one, or empty when it does not apply here. */
    public Optional<RolloutStatus> after(Move move) {
        switch (this) {
            case ACTIVE:
                switch (move) {
                    case PAUSE:
                    case AUTO_PAUSE:
                        return Optional.of(PAUSED);
                    case ABORT:
                        return Optional.of(ABORTED);
                    case ADVANCE:
                        return Optional.of(ACTIVE);
                    default:
                        return Optional.empty();
                }
            case PAUSED:
                switch (move) {
                    case RESUME:
                        return Optional.of(ACTIVE);
                    case ABORT:
                        return Optional.of(ABORTED);
                    default:
                        return Optional.empty();
                }
            default:
                return Optional.empty();
        }
    }

    /** Whether it may still make offers (when active) or be resumed (when paused). */
    public boolean open() {
        return this != ABORTED;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RolloutStatus fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
