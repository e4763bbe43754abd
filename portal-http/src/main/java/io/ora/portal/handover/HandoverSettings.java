package io.ora.portal.handover;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * The {@code ora.portal.handover} section. The AccessKey secret comes from configuration in production; a
 * development node makes one on first start and keeps it owner-only under {@code secret-file}, so codes it issued
 * stay claimable across restarts and no secret is ever in the repository.
 */
public record HandoverSettings(Handover.Settings limits, byte[] accessKeySecret, Duration stepUpMaxAge,
                               Optional<String> stepUpAcr, Duration sweepInterval, Duration lockTimeout) {

    public static HandoverSettings from(Config section) {
        Handover.Settings limits = new Handover.Settings(section.getDuration("access-key-ttl"),
                section.getInt("attempts-per-key"), section.getInt("account-lockout.failures"),
                section.getDuration("account-lockout.window"));
        String configured = section.getString("access-key-secret");
        byte[] secret = configured.isEmpty() ? fromFile(Path.of(section.getString("secret-file")))
                : configured.getBytes(StandardCharsets.UTF_8);
        if (secret.length < 32) {
            throw new IllegalArgumentException("ora.portal.handover.access-key-secret must be 32+ characters");
        }
        String acr = section.getString("step-up.acr");
        return new HandoverSettings(limits, secret, section.getDuration("step-up.max-age"),
                acr.isBlank() ? Optional.empty() : Optional.of(acr), section.getDuration("sweep-interval"),
                section.getDuration("lock-timeout"));
    }

    private static byte[] fromFile(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                byte[] fresh = new byte[32];
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
            throw new UncheckedIOException("cannot read or create the AccessKey secret " + file, e);
        }
    }

    @Override
    public String toString() {
        return "HandoverSettings[" + limits + ", stepUpMaxAge=" + stepUpMaxAge + "]";
    }
}
