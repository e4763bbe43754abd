package io.ora.portal.refusal;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * Why the portal's domain declines an operation, in the domain's words: what does not exist, which rule a change
 * breaks, how long a locked-out account waits. Domain code throws one as {@link Refused}; the edge alone decides
 * what a refusal looks like on the wire ({@code io.ora.portal.http.Refusals}), so no status code, header or problem
 * type is chosen inside a transaction. Every text here is written for the caller and never quotes request content.
 */
public sealed interface Refusal {

    /** A refusal as the unchecked exception domain code throws. */
    default Refused refused() {
        return new Refused(this);
    }

    /**
     * Nothing of that kind exists for this caller, whether it is absent or hidden from them (OWASP API1).
     *
     * @param what what was looked for, e.g. {@code "project"} or {@code "hub in this project"}
     */
    record NotFound(String what) implements Refusal {
    }

    /** The resource exists but its state does not allow the change, for {@code reason}. */
    /**
     * Well-formed input the domain will not accept, of a named kind the caller can act on (a signature that does
     * not verify, an artifact that is not what was signed).
     *
     * @param kind   the problem's name, e.g. {@code signature-invalid} (lower-case words and hyphens)
     * @param reason what is wrong, for the caller
     */
    record Unacceptable(String kind, String reason) implements Refusal {
        public Unacceptable {
            if (!kind.matches("[a-z]+(-[a-z]+)*")) {
                throw new IllegalArgumentException("a kind is lower-case words joined by hyphens");
            }
        }
    }

    record Conflict(String reason) implements Refusal {
    }

    /** The caller may never do this as they stand now (no organisation, no valid licence). */
    record Forbidden(String reason) implements Refusal {
    }

    /** An input the domain checks itself (a CSR, an install id) is not acceptable, for {@code reason}. */
    record Invalid(String reason) implements Refusal {
    }

    /** What was asked for existed but its time is over (an AccessKey past its expiry), for {@code reason}. */
    record Expired(String reason) implements Refusal {
    }

    /** The caller is locked out of this operation for {@code retryAfter}, for {@code reason}. */
    record LockedOut(String reason, Duration retryAfter) implements Refusal {
        public LockedOut {
            if (retryAfter.isNegative()) {
                throw new IllegalArgumentException("a lock-out cannot end in the past");
            }
        }
    }

    /**
     * The caller changed a version they had not read: optimistic concurrency refuses rather than overwrite.
     *
     * @param current the version that stands now (0: it does not exist yet)
     */
    record Stale(int current) implements Refusal {
        public Stale {
            if (current < 0) {
                throw new IllegalArgumentException("versions start at 0");
            }
        }

        /** Refuses unless {@code current} is what the caller expected (empty: they expect whatever stands). */
        public static void check(OptionalInt expected, int current) {
            if (expected.isPresent() && expected.getAsInt() != current) {
                throw new Stale(current).refused();
            }
        }
    }
}
