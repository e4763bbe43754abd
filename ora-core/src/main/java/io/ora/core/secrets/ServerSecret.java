package io.ora.core.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A server-side secret (a pepper or an HMAC key that every node shares). Production passes it in configuration
 * (from a secret store, through an {@code ORA_*} variable); a development node makes one on first start and keeps it
 * owner-only in a file under {@code $ORA_HOME/secrets}, so no secret is ever in the repository and what was keyed
 * with it stays valid across restarts.
 */
public final class ServerSecret {

    /** The shortest secret accepted, in bytes: 256 bits for HMAC-SHA-256 keys. */
    public static final int MIN_BYTES = 32;

    private ServerSecret() {
    }

    /**
     * The configured secret, or (when {@code configured} is empty) the one in {@code file}, created there first if
     * there is none.
     *
     * @param name the configuration key, for the error message (the value itself is never put in a message)
     * @throws IllegalArgumentException when the secret is shorter than {@link #MIN_BYTES}
     */
    public static byte[] configuredOrFile(String configured, Path file, String name) {
        byte[] secret = configured.isEmpty() ? fromFile(file, name) : configured.getBytes(StandardCharsets.UTF_8);
        if (secret.length < MIN_BYTES) {
            throw new IllegalArgumentException(name + " must be " + MIN_BYTES + "+ characters");
        }
        return secret;
    }

    private static byte[] fromFile(Path file, String name) {
        try {
            if (!Files.exists(file)) {
                Path parent = file.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                byte[] fresh = new byte[MIN_BYTES];
                new SecureRandom().nextBytes(fresh);
                String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(fresh);
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(file, encoded, StandardCharsets.US_ASCII);
                } catch (FileAlreadyExistsException raced) {
                    // Another node on this home made it first; use theirs.
                } catch (UnsupportedOperationException noPosix) {
                    Files.writeString(file, encoded, StandardCharsets.US_ASCII);
                }
            }
            return Files.readString(file, StandardCharsets.US_ASCII).trim().getBytes(StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secret for " + name + " at " + file, e);
        }
    }
}
