package io.ora.core.firmware;

import java.util.Locale;

/**
 * Why firmware is not to be trusted or installed (docs/ota.md, "How a hub decides to trust a release"). The wire
 * name is what a hub reports and what the portal's problems name; each refusal has its own.
 */
public enum FirmwareRefusal {
    /** A root metadata in the chain does not verify, skips a version, or the newest has expired. */
    ROOT_INVALID,
    /** The release is not signed by a release key of the trusted root, or was changed after signing. */
    SIGNATURE_INVALID,
    /** The release metadata has expired. */
    METADATA_EXPIRED,
    /** The release is for another model. */
    WRONG_MODEL,
    /** The release's version is not above the installed one. */
    ROLLBACK_REFUSED,
    /** The installed version is below the release's minimum. */
    MIN_VERSION,
    /** The downloaded bytes are not the signed size and SHA-256. */
    HASH_MISMATCH;

    /** The name on the wire: {@code signature_invalid}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
