package io.ora.backup.store;

import java.security.MessageDigest;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A write credential as a request presents it (header {@code Ora-Backup-Credential}, docs/backup.md). It is held only
 * while the request is served: the store keeps its {@link Verifier}, never the credential.
 *
 * <p>{@link #toString()} never shows the value.
 */
public final class Credential {

    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final byte[] raw;

    private Credential(byte[] raw) {
        this.raw = raw;
    }

    /** The credential {@code text} spells (43 base64url characters, 32 bytes), or empty when it is not one. */
    public static Optional<Credential> parse(String text) {
        byte[] raw = BackupId.Secrets.decode32(text, SHAPE);
        return raw == null ? Optional.empty() : Optional.of(new Credential(raw));
    }

    /** The verifier a store keeps for this credential: its SHA-256. */
    public Verifier verifier() {
        return Verifier.ofHash(BackupId.Secrets.sha256(raw));
    }

    /** Whether this credential is the one {@code verifier} was made from, in time independent of the bytes. */
    public boolean matches(Verifier verifier) {
        return MessageDigest.isEqual(BackupId.Secrets.sha256(raw), verifier.bytes());
    }

    @Override
    public String toString() {
        return "Credential[…]";
    }
}
