package io.ora.relay.access;

import io.ora.core.topic.Topics;
import java.util.Optional;

/**
 * How far an app and a hub may reach each other over the relay. A scope is symmetric: it governs the app publishing
 * into the hub's inbox and the hub publishing into the app's inbox alike.
 *
 * <ul>
 *   <li>{@link #NONE}: nothing.</li>
 *   <li>{@link #HANDOVER}: only the handover flow, that is {@code ora/v1/hub/<hub>/in/handover} and the levels below
 *       it (app to hub) and {@code ora/v1/app/<app>/in/handover} and the levels below it (hub to app). An installer's
 *       apps have this while their project is pending handover.</li>
 *   <li>{@link #FULL}: the whole inbox in both directions.</li>
 * </ul>
 *
 * Declared from narrowest to widest; when several sources answer, the widest wins ({@link #widest}).
 */
public enum Scope {
    NONE,
    HANDOVER,
    FULL;

    /** The inbox level the handover flow uses, in the hub's inbox and in the app's. */
    public static final String HANDOVER_LEVEL = "handover";

    /** The scope named {@code name} exactly, or empty for null or anything else. */
    public static Optional<Scope> parse(String name) {
        for (Scope scope : values()) {
            if (scope.name().equals(name)) {
                return Optional.of(scope);
            }
        }
        return Optional.empty();
    }

    /** The wider of this scope and {@code other}. */
    public Scope widest(Scope other) {
        return other.ordinal() > ordinal() ? other : this;
    }

    /** Whether this scope lets a bound peer publish into {@code inbox} (the receiver's inbox, at any level). */
    public boolean permits(Topics.Destination.Inbox inbox) {
        return switch (this) {
            case FULL -> true;
            case HANDOVER -> isHandoverFlow(inbox);
            case NONE -> false;
        };
    }

    /** Whether {@code inbox} is the receiver's {@code in/handover} level or below it. */
    static boolean isHandoverFlow(Topics.Destination.Inbox inbox) {
        String handover = Topics.inbox(inbox.peer()) + "/" + HANDOVER_LEVEL;
        return inbox.topic().equals(handover) || inbox.topic().startsWith(handover + "/");
    }
}
