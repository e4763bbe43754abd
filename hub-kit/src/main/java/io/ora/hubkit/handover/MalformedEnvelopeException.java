package io.ora.hubkit.handover;

/**
 * A Project Key envelope that does not follow the format (docs/handover.md, "The Project Key envelope"): not JSON,
 * a missing, unknown or duplicated field, a wrong algorithm name or version, a binary field of the wrong size, or
 * Argon2 parameters outside the bounds. Raised before any key derivation runs, so a hostile envelope costs the
 * client a parse, never the memory or time of its Argon2 parameters. The message names the offending field but
 * never echoes its value.
 */
public final class MalformedEnvelopeException extends IllegalArgumentException {

    public MalformedEnvelopeException(String message) {
        super(message);
    }
}
