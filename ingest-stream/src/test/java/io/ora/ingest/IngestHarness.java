package io.ora.ingest;

import com.typesafe.config.ConfigFactory;
import io.ora.persistence.telemetry.HubPseudonym;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** What the ingest tests share: an actor system, settings small enough to reach every limit, and row reads. */
final class IngestHarness {

    static final HubPseudonym PSEUDONYM = new HubPseudonym(
            "ingest tests: a secret long enough to key HMAC-SHA-256".getBytes(StandardCharsets.UTF_8));

    private IngestHarness() {
    }

    static ActorSystem<Void> system(String name) {
        return ActorSystem.create(Behaviors.empty(), name, ConfigFactory.load());
    }

    /** Production defaults, except the ones a test names. */
    static IngestSettings settings(int queueSize, int batchSamples, Duration batchDelay, int writers) {
        IngestSettings defaults = IngestSettings.from(ConfigFactory.load());
        return new IngestSettings(defaults.limits(), queueSize, batchSamples, batchDelay, writers,
                Duration.ofMillis(50), Duration.ofMillis(500), defaults.retention(), defaults.maintenanceInterval(),
                defaults.partitionsAhead());
    }

    static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The cpu values stored for {@code hub}, in no particular order. */
    static List<Double> cpuValues(DataSource dataSource, UUID hub) throws SQLException {
        return column(dataSource, hub, "cpu", rs -> rs.getDouble(1));
    }

    /** The sample timestamps (epoch millis) stored for {@code hub}. */
    static List<Long> sampledMillis(DataSource dataSource, UUID hub) throws SQLException {
        return column(dataSource, hub, "sampled_at", rs -> rs.getTimestamp(1).toInstant().toEpochMilli());
    }

    private interface Column<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private static <T> List<T> column(DataSource dataSource, UUID hub, String name, Column<T> column)
            throws SQLException {
        List<T> values = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT " + name + " FROM telemetry_sample WHERE hub = ?")) {
            select.setBytes(1, PSEUDONYM.of(hub));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    values.add(column.read(rs));
                }
            }
        }
        return values;
    }

    static void erase(DataSource dataSource, UUID... hubs) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM telemetry_sample WHERE hub = ?")) {
            for (UUID hub : hubs) {
                delete.setBytes(1, PSEUDONYM.of(hub));
                delete.executeUpdate();
            }
        }
    }
}
