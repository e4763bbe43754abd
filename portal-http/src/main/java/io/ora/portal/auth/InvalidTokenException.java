package io.ora.portal.auth;

/**
 * Why a bearer token was not accepted. The message is the reason's code and nothing else: it never contains the
 * token or any claim value, so it may be logged and answered as it is. {@link Kind} tells the HTTP edge whether the
 * caller is at fault (401) or the issuer could not be consulted (503).
 */
public final class InvalidTokenException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Whose problem it is. */
    public enum Kind {
        /** The token is not acceptable: answer 401. */
        TOKEN_INVALID,
        /** The token could not be checked because the issuer is unreachable or unusable: answer 503. */
        ISSUER_UNAVAILABLE
    }

    /** A short, stable, machine-readable reason. */
    public enum Reason {
        MALFORMED("malformed", Kind.TOKEN_INVALID),
        BAD_SIGNATURE("bad_signature", Kind.TOKEN_INVALID),
        EXPIRED("expired", Kind.TOKEN_INVALID),
        NOT_YET_VALID("not_yet_valid", Kind.TOKEN_INVALID),
        WRONG_ISSUER("wrong_issuer", Kind.TOKEN_INVALID),
        WRONG_AUDIENCE("wrong_audience", Kind.TOKEN_INVALID),
        UNKNOWN_KEY("unknown_key", Kind.TOKEN_INVALID),
        ALGORITHM_NOT_ALLOWED("algorithm_not_allowed", Kind.TOKEN_INVALID),
        ISSUER_UNREACHABLE("issuer_unreachable", Kind.ISSUER_UNAVAILABLE),
        /** The discovery document names another issuer than the one configured (mix-up defence). */
        ISSUER_MISMATCH("issuer_mismatch", Kind.ISSUER_UNAVAILABLE);

        private final String code;
        private final Kind kind;

        Reason(String code, Kind kind) {
            this.code = code;
            this.kind = kind;
        }

        /** The reason as it appears in logs and answers, e.g. {@code expired}. */
        public String code() {
            return code;
        }

        /** Whose problem it is. */
        public Kind kind() {
            return kind;
        }
    }

    private final Reason reason;

    InvalidTokenException(Reason reason) {
        this(reason, null);
    }

    /** {@code cause} only ever describes the issuer (a URL, an I/O error), never the token. */
    InvalidTokenException(Reason reason, Throwable cause) {
        // Refusing a bad token is routine, and cheap to provoke: no stack trace unless the issuer is in trouble.
        super("token refused: " + reason.code(), cause, true, reason.kind() == Kind.ISSUER_UNAVAILABLE);
        this.reason = reason;
    }

    /** Why the token was refused. */
    public Reason reason() {
        return reason;
    }

    /** Whose problem it is. */
    public Kind kind() {
        return reason.kind();
    }
}
