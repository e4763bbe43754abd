package io.ora.portal.refusal;

/**
 * A {@link Refusal} thrown out of domain code (a record cannot be a {@link Throwable}). It is a decision, not a
 * fault: no stack trace is filled in, and its message is the refusal's own text, which never carries request
 * content.
 */
public final class Refused extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Refusal refusal;

    public Refused(Refusal refusal) {
        super(refusal.toString(), null, false, false);
        this.refusal = refusal;
    }

    /** {@link Refusal.NotFound}: the refusal domain code throws most. */
    public static Refused notFound(String what) {
        return new Refused(new Refusal.NotFound(what));
    }

    /** {@link Refusal.Conflict}. */
    public static Refused conflict(String reason) {
        return new Refused(new Refusal.Conflict(reason));
    }

    /** {@link Refusal.Forbidden}. */
    public static Refused forbidden(String reason) {
        return new Refused(new Refusal.Forbidden(reason));
    }

    /** {@link Refusal.Invalid}. */
    public static Refused invalid(String reason) {
        return new Refused(new Refusal.Invalid(reason));
    }

    public Refusal refusal() {
        return refusal;
    }
}
