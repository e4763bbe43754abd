package io.ora.backup.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name a backup is stored under: SHA-256 of its locator (docs/backup.md, "The store"). The locator itself is
 * never stored, so a copy of the store does not give the names requests use; and both are derived from the Recovery
 * Key, so nothing stored links a backup to a hub, a home or a certificate.
 *
 * <p>{@link #toString()} never shows the value: an id is as linking as the locator it comes from.
 */
public final class BackupId {

    /** A locator on the wire: 32 bytes as unpadded base64url. */
    private static final Pattern LOCATOR = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final byte[] hash;

    private BackupId(byte[] hash) {
        this.hash = hash;
    }

    /**
     * The id of the backup a locator names, or empty when {@code locator} is not one (43 base64url characters that
     * decode to 32 bytes, with no padding and no stray bits).
     */
    public static Optional<BackupId> ofLocator(String locator) {
        byte[] raw = Secrets.decode32(locator, LOCATOR);
        if (raw == null) {
            return Optional.empty();
        }
        return Optional.of(new BackupId(Secrets.sha256(raw)));
    }

    /** An id as a store reads it back (32 bytes). */
    public static BackupId ofHash(byte[] hash) {
        if (hash.length != 32) {
            throw new IllegalArgumentException("a backup id is 32 bytes");
        }
        return new BackupId(hash.clone());
    }

    /** The 32 bytes stored. */
    public byte[] bytes() {
        return hash.clone();
    }

    /** The id as 64 lower-case hex digits (an object key's name). */
    public String hex() {
        return HexFormat.of().formatHex(hash);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BackupId id && Arrays.equals(hash, id.hash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "BackupId[…]";
    }

    /** The two 32-byte values of the protocol, read and hashed in one place. */
    static final class Secrets {

        private Secrets() {
        }

        static byte[] decode32(String text, Pattern shape) {
            if (text == null || !shape.matcher(text).matches()) {
                return null;
            }
            byte[] raw;
            try {
                raw = Base64.getUrlDecoder().decode(text.getBytes(StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException notBase64) {
                return null;
            }
            // 43 characters carry 258 bits; the last two must be zero, so that one value has exactly one spelling.
            if (raw.length != 32 || !Base64.getUrlEncoder().withoutPadding().encodeToString(raw).equals(text)) {
                return null;
            }
            return raw;
        }

        static byte[] sha256(byte[] raw) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(raw);
            } catch (NoSuchAlgorithmException impossible) {
                throw new IllegalStateException("every Java platform has SHA-256", impossible);
            }
        }
    }
}
