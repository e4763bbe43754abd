package io.ora.ingest.store;

import io.ora.persistence.telemetry.TelemetryTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import javax.sql.DataSource;

/**
 * The daily partitions of {@code telemetry_sample}: made ahead of the days that will need them, and dropped whole
 * once every row in them is older than the retention. Blocking; callers run it on the blocking dispatcher.
 */
public final class Partitions {

    private final DataSource dataSource;
    private final Clock clock;
    private final int daysAhead;
    private final Duration retention;

    public Partitions(DataSource dataSource, Clock clock, int daysAhead, Duration retention) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.daysAhead = daysAhead;
        this.retention = retention;
    }

    /**
     * Makes yesterday's (for a node whose clock lags), today's and the next {@code daysAhead} days' partitions if
     * they are missing; answers how many it made.
     */
    public int ensure() throws SQLException {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        try (Connection connection = dataSource.getConnection()) {
            return TelemetryTable.ensurePartitions(connection, today.minusDays(1), daysAhead + 2);
        }
    }

    /** Drops the partitions whose day ended more than the retention ago; answers their names. */
    public List<String> expire() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return TelemetryTable.dropPartitionsBefore(connection, clock.instant().minus(retention));
        }
    }
}
