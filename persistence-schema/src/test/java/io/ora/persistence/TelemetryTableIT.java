package io.ora.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.ora.persistence.telemetry.HubPseudonym;
import io.ora.persistence.telemetry.TelemetryTable;
import io.ora.persistence.telemetry.TelemetryTable.Row;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * V6: telemetry rows are stored under the pseudonym, aggregated per hub, erased per hub (and only that hub), and
 * retention drops whole daily partitions before the cutoff and nothing newer.
 */
class TelemetryTableIT {

    /** Far in the past, so the partitions these tests make and drop are never ones another test or node uses. */
    private static final LocalDate OLD_DAY = LocalDate.of(2001, 3, 10);

    static HikariDataSource pool;
    static HubPseudonym pseudonym = new HubPseudonym("a test secret that is long enough to key HMAC"
            .getBytes(StandardCharsets.UTF_8));

    private final UUID hub = UUID.randomUUID();
    private final UUID other = UUID.randomUUID();

    @BeforeAll
    static void open() throws SQLException {
        pool = TestDatabase.dataSource();
        try (Connection connection = pool.getConnection()) {
            TelemetryTable.ensurePartitions(connection, LocalDate.now(ZoneOffset.UTC).minusDays(1), 3);
        }
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    @AfterEach
    void erase() throws SQLException {
        try (Connection connection = pool.getConnection()) {
            TelemetryTable.erase(connection, pseudonym.of(hub));
            TelemetryTable.erase(connection, pseudonym.of(other));
            TelemetryTable.dropPartitionsBefore(connection, start(OLD_DAY.plusDays(10)));
        }
    }

    @Test
    void pseudonymsAreStablePerHubDistinctBetweenHubsAndKeyedBySecret() {
        HubPseudonym otherKey = new HubPseudonym("another secret that is long enough to key HMAC"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(pseudonym.of(hub)).hasSize(HubPseudonym.LENGTH).isEqualTo(pseudonym.of(hub));
        assertThat(pseudonym.of(hub)).isNotEqualTo(pseudonym.of(other));
        assertThat(otherKey.of(hub)).isNotEqualTo(pseudonym.of(hub));
        assertThatThrownBy(() -> new HubPseudonym(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void storesUnderThePseudonymAndAggregatesPerHub() throws SQLException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant sampled = now.minusSeconds(5);
        try (Connection connection = pool.getConnection()) {
            int inserted = TelemetryTable.insert(connection, List.of(
                    new Row(pseudonym.of(hub), now.minusSeconds(60), sampled, "1.2.3", 10f, 40f, -70f),
                    new Row(pseudonym.of(hub), now, null, "1.2.4", 30f, null, -50f),
                    new Row(pseudonym.of(other), now, null, null, 99f, 99f, -1f)));
            assertThat(inserted).isEqualTo(3);

            TelemetryTable.Health health = TelemetryTable.health(connection, pseudonym.of(hub), now.minusSeconds(3600))
                    .orElseThrow();
            assertThat(health.samples()).isEqualTo(2);
            assertThat(health.first()).isEqualTo(now.minusSeconds(60));
            assertThat(health.last()).isEqualTo(now);
            assertThat(health.firmware()).contains("1.2.4");
            assertThat(health.cpu()).contains(new TelemetryTable.Stats(2, 10, 20, 30));
            assertThat(health.ram()).contains(new TelemetryTable.Stats(1, 40, 40, 40));
            assertThat(health.rssi()).contains(new TelemetryTable.Stats(2, -70, -60, -50));
            assertThat(TelemetryTable.health(connection, pseudonym.of(hub), now.plusSeconds(1))).isEmpty();

            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT sampled_at FROM telemetry_sample WHERE hub = ? AND sampled_at IS NOT NULL")) {
                select.setBytes(1, pseudonym.of(hub));
                try (ResultSet rs = select.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getTimestamp(1).toInstant()).isEqualTo(sampled);
                }
            }
            assertThat(StoredText.everything(connection)).doesNotContain(hub.toString(), other.toString());
        }
    }

    @Test
    void erasureRemovesOneHubInEveryPartitionAndNothingElse() throws SQLException {
        try (Connection connection = pool.getConnection()) {
            TelemetryTable.ensurePartitions(connection, OLD_DAY, 2);
            TelemetryTable.insert(connection, List.of(
                    new Row(pseudonym.of(hub), start(OLD_DAY).plusSeconds(10), null, null, 1f, null, null),
                    new Row(pseudonym.of(hub), Instant.now(), null, null, 2f, null, null),
                    new Row(pseudonym.of(other), start(OLD_DAY).plusSeconds(10), null, null, 3f, null, null),
                    new Row(pseudonym.of(other), Instant.now(), null, null, 4f, null, null)));

            assertThat(TelemetryTable.erase(connection, pseudonym.of(hub))).isEqualTo(2);
            assertThat(count(connection, hub)).isZero();
            assertThat(count(connection, other)).isEqualTo(2);
        }
    }

    @Test
    void retentionDropsWholePartitionsEndedBeforeTheCutoffAndKeepsTheRest() throws SQLException {
        try (Connection connection = pool.getConnection()) {
            assertThat(TelemetryTable.ensurePartitions(connection, OLD_DAY, 3)).isEqualTo(3);
            assertThat(TelemetryTable.ensurePartitions(connection, OLD_DAY, 3)).isZero();
            for (int day = 0; day < 3; day++) {
                TelemetryTable.insert(connection, List.of(new Row(pseudonym.of(hub),
                        start(OLD_DAY.plusDays(day)).plusSeconds(3600), null, null, (float) day, null, null)));
            }
            TelemetryTable.insert(connection, List.of(
                    new Row(pseudonym.of(hub), Instant.now(), null, null, 50f, null, null)));

            // The second day ends at the cutoff, the third day straddles it: only the first two go.
            Instant cutoff = start(OLD_DAY.plusDays(2));
            assertThat(TelemetryTable.dropPartitionsBefore(connection, cutoff.plusSeconds(1800)))
                    .containsExactly("telemetry_sample_20010310", "telemetry_sample_20010311");
            assertThat(TelemetryTable.partitions(connection)).contains("telemetry_sample_20010312")
                    .doesNotContain("telemetry_sample_20010310", "telemetry_sample_20010311");
            assertThat(count(connection, hub)).isEqualTo(2);
        }
    }

    @Test
    void aRowOutsideEveryPartitionOrOutOfRangeIsRefused() throws SQLException {
        try (Connection connection = pool.getConnection()) {
            Instant nowhere = start(LocalDate.of(1999, 1, 1));
            assertThatThrownBy(() -> TelemetryTable.insert(connection, List.of(
                    new Row(pseudonym.of(hub), nowhere, null, null, 1f, null, null))))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> TelemetryTable.insert(connection, List.of(
                    new Row(pseudonym.of(hub), Instant.now(), null, null, 101f, null, null))))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> TelemetryTable.insert(connection, List.of(
                    new Row(pseudonym.of(hub), Instant.now(), null, "1.0", null, null, null))))
                    .isInstanceOf(SQLException.class);
            assertThat(count(connection, hub)).isZero();
        }
    }

    @Test
    void aRefusedRowsValuesNeverReachTheExceptionMessageOfTheNodesPool() throws SQLException {
        try (Database database = Database.connect(TestDatabase.connection(), java.time.Duration.ofSeconds(5));
             Connection connection = database.dataSource().getConnection()) {
            assertThatThrownBy(() -> TelemetryTable.insert(connection, List.of(
                    new Row(pseudonym.of(hub), Instant.now(), null, "FW-SECRET-91", 101f, null, null))))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(e.toString()).contains("telemetry_sample")
                            .doesNotContain("FW-SECRET-91"));
        }
    }

    private static long count(Connection connection, UUID hub) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT count(*) FROM telemetry_sample WHERE hub = ?")) {
            select.setBytes(1, pseudonym.of(hub));
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Instant start(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
