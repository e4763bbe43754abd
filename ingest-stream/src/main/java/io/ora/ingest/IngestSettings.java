package io.ora.ingest;

import com.typesafe.config.Config;
import io.ora.ingest.filter.TelemetryFilter;
import java.time.Duration;

/** The {@code ora.ingest} section (ingest-stream's reference.conf, docs/configuration.md). */
public record IngestSettings(TelemetryFilter.Limits limits, int queueSize, int batchSamples, Duration batchDelay,
                             int writers, Duration minBackoff, Duration maxBackoff, Duration retention,
                             Duration maintenanceInterval, int partitionsAhead) {

    public IngestSettings {
        if (queueSize < 1 || batchSamples < 1 || writers < 1 || partitionsAhead < 1) {
            throw new IllegalArgumentException("ora.ingest sizes must be positive");
        }
        if (retention.compareTo(Duration.ofDays(1)) < 0) {
            throw new IllegalArgumentException("ora.ingest.retention must be at least one day");
        }
        if (minBackoff.isNegative() || minBackoff.isZero() || maxBackoff.compareTo(minBackoff) < 0) {
            throw new IllegalArgumentException("ora.ingest.retry needs 0 < min-backoff <= max-backoff");
        }
    }

    public static IngestSettings from(Config config) {
        Config section = config.getConfig("ora.ingest");
        Config filter = section.getConfig("filter");
        return new IngestSettings(
                new TelemetryFilter.Limits(filter.getInt("max-bytes"), filter.getInt("max-depth"),
                        filter.getInt("max-string"), filter.getInt("max-array")),
                section.getInt("queue-size"), section.getInt("batch.max-samples"),
                section.getDuration("batch.max-delay"), section.getInt("writers"),
                section.getDuration("retry.min-backoff"), section.getDuration("retry.max-backoff"),
                section.getDuration("retention"), section.getDuration("maintenance-interval"),
                section.getInt("partitions-ahead"));
    }
}
