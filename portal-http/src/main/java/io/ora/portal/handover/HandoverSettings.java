package io.ora.portal.handover;

import com.typesafe.config.Config;
import io.ora.core.secrets.ServerSecret;
import java.nio.file.Path;
import java.time.Duration;
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
        byte[] secret = ServerSecret.configuredOrFile(section.getString("access-key-secret"),
                Path.of(section.getString("secret-file")), "ora.portal.handover.access-key-secret");
        String acr = section.getString("step-up.acr");
        return new HandoverSettings(limits, secret, section.getDuration("step-up.max-age"),
                acr.isBlank() ? Optional.empty() : Optional.of(acr), section.getDuration("sweep-interval"),
                section.getDuration("lock-timeout"));
    }

    @Override
    public String toString() {
        return "HandoverSettings[" + limits + ", stepUpMaxAge=" + stepUpMaxAge + "]";
    }
}
