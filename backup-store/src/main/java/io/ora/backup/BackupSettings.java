package io.ora.backup;

import com.typesafe.config.Config;
import io.ora.device.https.HubRateLimit;
import java.time.Duration;

/**
 * The backup role's configuration ({@code ora.backup}, docs/configuration.md), read once and checked at start. The
 * store's own keys ({@code ora.backup.store}) are the store's. Defaults live in {@code reference.conf}, never here.
 *
 * @param maxBytes      the largest envelope accepted
 * @param retention     a backup not written for this long is deleted
 * @param sweepInterval how often the retention sweep runs
 * @param rateLimit     requests per hub certificate
 * @param unavailableRetryAfter the {@code Retry-After} of a 503 when the store cannot be reached or the node is busy
 * @param maxInFlight   backup requests a node serves at once (each may hold a body of {@code maxBytes})
 */
public record BackupSettings(long maxBytes, Duration retention, Duration sweepInterval,
                             HubRateLimit.Settings rateLimit, Duration unavailableRetryAfter, int maxInFlight) {

    public BackupSettings {
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("ora.backup.max-bytes must be between 1 byte and 2 GiB");
        }
        if (retention.compareTo(Duration.ofDays(1)) < 0) {
            throw new IllegalArgumentException("ora.backup.retention must be at least a day: dates are kept, not"
                    + " times");
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("ora.backup.max-in-flight must be at least 1");
        }
        if (sweepInterval.isNegative() || sweepInterval.isZero()) {
            throw new IllegalArgumentException("ora.backup.sweep-interval must be positive");
        }
    }

    /** Reads {@code ora.backup} from a resolved config. */
    public static BackupSettings from(Config root) {
        Config c = root.getConfig("ora.backup");
        return new BackupSettings(c.getMemorySize("max-bytes").toBytes(), c.getDuration("retention"),
                c.getDuration("sweep-interval"), HubRateLimit.Settings.from(c.getConfig("rate-limit")),
                c.getDuration("unavailable-retry-after"), c.getInt("max-in-flight"));
    }
}
