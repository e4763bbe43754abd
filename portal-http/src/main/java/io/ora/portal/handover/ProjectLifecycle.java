package io.ora.portal.handover;

import io.ora.portal.projects.Projects.Status;
import io.ora.portal.refusal.Refusal;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The handover state machine (docs/handover.md, "The state machine") as a table and nothing else: which status a
 * project may move to, who may ask, and what the move asks of the transaction that makes it. No I/O: the SQL in
 * {@link Transitions} asks this table and does what it says, so the rules live here once and are tested on their
 * own (ProjectLifecycleTest).
 *
 * <pre>
 *   from               to                who          then
 *   DRAFT              COMMISSIONING     installer    end any current key
 *   COMMISSIONING      PENDING_HANDOVER  installer    check it is ready (an active key, its envelope, a hub)
 *   PENDING_HANDOVER   COMMISSIONING     installer    end the key and its claim (a cancel)
 *   PENDING_HANDOVER   HANDED_OVER       homeowner    complete: use the key up, de-identify
 *   DRAFT, COMMISSIONING, HANDED_OVER -> ARCHIVED  installer   end any current key
 *   PENDING_HANDOVER   COMMISSIONING     the key expiring (not asked for: {@link #afterExpiry})
 * </pre>
 */
public final class ProjectLifecycle {

    private ProjectLifecycle() {
    }

    /**
     * Who asks for a move, as the rules see them.
     *
     * @param installer an electrician in an organisation
     * @param homeowner a caller with the homeowner role
     */
    public record Asker(boolean installer, boolean homeowner) {
    }

    /** Who a move is for. */
    enum Party { INSTALLER, HOMEOWNER }

    /** What a move asks of its transaction besides the new status and its audit row. */
    public enum Effect {
        /** End the project's current AccessKey, if any, and with it any claim. */
        END_KEY,
        /** Refuse unless the project is ready to be handed over: an active key, its envelope, at least one hub. */
        CHECK_READY,
        /** Use the claimed and released key up, make its claimant the homeowner, delete the personal data. */
        COMPLETE
    }

    /** The answer of the table. */
    public sealed interface Decision {
        /** The move may be made; {@code effect} is what the transaction must do with it. */
        record Allowed(Status to, Effect effect) implements Decision {
        }

        /** The move is refused, for the reason given. */
        record Denied(Refusal refusal) implements Decision {
        }
    }

    private record Rule(Party party, Effect effect) {
    }

    private static final Map<Status, Map<Status, Rule>> TABLE = new EnumMap<>(Status.class);

    static {
        allow(Status.DRAFT, Status.COMMISSIONING, Party.INSTALLER, Effect.END_KEY);
        allow(Status.COMMISSIONING, Status.PENDING_HANDOVER, Party.INSTALLER, Effect.CHECK_READY);
        allow(Status.PENDING_HANDOVER, Status.COMMISSIONING, Party.INSTALLER, Effect.END_KEY);
        allow(Status.PENDING_HANDOVER, Status.HANDED_OVER, Party.HOMEOWNER, Effect.COMPLETE);
        allow(Status.DRAFT, Status.ARCHIVED, Party.INSTALLER, Effect.END_KEY);
        allow(Status.COMMISSIONING, Status.ARCHIVED, Party.INSTALLER, Effect.END_KEY);
        allow(Status.HANDED_OVER, Status.ARCHIVED, Party.INSTALLER, Effect.END_KEY);
    }

    private static void allow(Status from, Status to, Party party, Effect effect) {
        TABLE.computeIfAbsent(from, any -> new EnumMap<>(Status.class)).put(to, new Rule(party, effect));
    }

    /** Whether {@code asker} may move a project that is {@code from} to {@code to}, and what the move entails. */
    public static Decision decide(Status from, Status to, Asker asker) {
        Rule rule = TABLE.getOrDefault(from, Map.of()).get(to);
        boolean entitled = rule != null && (rule.party() == Party.INSTALLER ? asker.installer() : asker.homeowner());
        if (entitled) {
            return new Decision.Allowed(to, rule.effect());
        }
        return new Decision.Denied(new Refusal.Conflict("a project that is " + from + " cannot become " + to
                + (asker.homeowner() ? "" : " by its installer")));
    }

    /** Where a project stands once its current AccessKey expires: a pending handover goes back to commissioning. */
    public static Optional<Status> afterExpiry(Status from) {
        return from == Status.PENDING_HANDOVER ? Optional.of(Status.COMMISSIONING) : Optional.empty();
    }

    /** Whether AccessKeys are issued for a project that is {@code status}. */
    public static boolean issuesKeys(Status status) {
        return status == Status.COMMISSIONING || status == Status.PENDING_HANDOVER;
    }

    /**
     * Whether a homeowner may claim, and so be released the Project Key of, a project that is {@code status}: only
     * while its handover is pending.
     */
    public static boolean claimable(Status status) {
        return status == Status.PENDING_HANDOVER;
    }

    /** Whether a project that is {@code status} has its hubs locked (OTA paused). */
    public static boolean locksHubs(Status status) {
        return status == Status.PENDING_HANDOVER;
    }

    /** Whether no move at all leads out of {@code status}. */
    public static boolean terminal(Status status) {
        return TABLE.getOrDefault(status, Map.of()).isEmpty() && afterExpiry(status).isEmpty();
    }
}
