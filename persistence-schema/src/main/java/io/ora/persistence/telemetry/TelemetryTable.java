package io.ora.persistence.telemetry;

import java.sql.Array;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every statement on {@code telemetry_sample} (V6), in one place for the roles that use it: the ingest role writes
 * batches and manages partitions, the portal reads per-hub aggregates and erases a hub. Callers own the connection
 * and the transaction; values reach SQL only as parameters.
 */
public final class TelemetryTable {

    private static final String INSERT = """
            INSERT INTO telemetry_sample (hub, received_at, sampled_at, firmware, cpu, ram, rssi)
            SELECT s.hub, timestamptz 'epoch' + s.received * interval '1 microsecond',
                   timestamptz 'epoch' + s.sampled * interval '1 microsecond', s.firmware, s.cpu, s.ram, s.rssi
            FROM unnest(?::bytea[], ?::bigint[], ?::bigint[], ?::text[], ?::real[], ?::real[], ?::real[])
                 AS s (hub, received, sampled, firmware, cpu, ram, rssi)
            """;

    private static final String HEALTH = """
            SELECT count(*), min(received_at), max(received_at),
                   (array_agg(firmware ORDER BY received_at DESC) FILTER (WHERE firmware IS NOT NULL))[1],
                   count(cpu), min(cpu), avg(cpu), max(cpu),
                   count(ram), min(ram), avg(ram), max(ram),
                   count(rssi), min(rssi), avg(rssi), max(rssi)
            FROM telemetry_sample WHERE hub = ? AND received_at >= ?
            """;

    private TelemetryTable() {
    }

    /**
     * One stored sample. Absent values are null; at least one metric is present (the table checks it).
     *
     * @param hub the hub's {@link HubPseudonym}
     */
    public record Row(byte[] hub, Instant receivedAt, Instant sampledAt, String firmware, Float cpu, Float ram,
                      Float rssi) {
    }

    /** min/avg/max of one metric over {@code count} samples that carried it. */
    public record Stats(long count, double min, double avg, double max) {
    }

    /** A hub's health over a window: how many samples, when, the newest firmware seen, and each metric's stats. */
    public record Health(long samples, Instant first, Instant last, Optional<String> firmware, Optional<Stats> cpu,
                         Optional<Stats> ram, Optional<Stats> rssi) {
    }

    /** Inserts {@code rows} in one statement; answers how many were inserted. */
    public static int insert(Connection connection, List<Row> rows) throws SQLException {
        int n = rows.size();
        byte[][] hubs = new byte[n][];
        Long[] received = new Long[n];
        Long[] sampled = new Long[n];
        String[] firmware = new String[n];
        Float[] cpu = new Float[n];
        Float[] ram = new Float[n];
        Float[] rssi = new Float[n];
        for (int i = 0; i < n; i++) {
            Row row = rows.get(i);
            hubs[i] = row.hub();
            received[i] = micros(row.receivedAt());
            sampled[i] = row.sampledAt() == null ? null : micros(row.sampledAt());
            firmware[i] = row.firmware();
            cpu[i] = row.cpu();
            ram[i] = row.ram();
            rssi[i] = row.rssi();
        }
        List<Array> arrays = new ArrayList<>(7);
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            arrays.add(connection.createArrayOf("bytea", hubs));
            arrays.add(connection.createArrayOf("int8", received));
            arrays.add(connection.createArrayOf("int8", sampled));
            arrays.add(connection.createArrayOf("text", firmware));
            arrays.add(connection.createArrayOf("float4", cpu));
            arrays.add(connection.createArrayOf("float4", ram));
            arrays.add(connection.createArrayOf("float4", rssi));
            for (int i = 0; i < arrays.size(); i++) {
                insert.setArray(i + 1, arrays.get(i));
            }
            return insert.executeUpdate();
        } finally {
            for (Array array : arrays) {
                array.free();
            }
        }
    }

    /** Deletes every sample of {@code hub} in every partition; answers how many. */
    public static long erase(Connection connection, byte[] hub) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM telemetry_sample WHERE hub = ?")) {
            delete.setBytes(1, hub);
            return delete.executeLargeUpdate();
        }
    }

    /** The health of {@code hub} from samples received at or after {@code since}; empty when there are none. */
    public static Optional<Health> health(Connection connection, byte[] hub, Instant since) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(HEALTH)) {
            select.setBytes(1, hub);
            select.setTimestamp(2, Timestamp.from(since));
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                long samples = rs.getLong(1);
                if (samples == 0) {
                    return Optional.empty();
                }
                return Optional.of(new Health(samples, rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant(),
                        Optional.ofNullable(rs.getString(4)), stats(rs, 5), stats(rs, 9), stats(rs, 13)));
            }
        }
    }

    /** Makes the daily partitions for {@code days} days from {@code first} that are missing; answers how many. */
    public static int ensurePartitions(Connection connection, LocalDate first, int days) throws SQLException {
        try (PreparedStatement ensure = connection.prepareStatement("SELECT telemetry_ensure_partitions(?, ?)")) {
            ensure.setDate(1, Date.valueOf(first));
            ensure.setInt(2, days);
            try (ResultSet rs = ensure.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Drops every daily partition whose day ended at or before {@code cutoff}; answers their names. */
    public static List<String> dropPartitionsBefore(Connection connection, Instant cutoff) throws SQLException {
        List<String> dropped = new ArrayList<>();
        try (PreparedStatement drop = connection.prepareStatement("SELECT * FROM telemetry_drop_partitions(?)")) {
            drop.setTimestamp(1, Timestamp.from(cutoff));
            try (ResultSet rs = drop.executeQuery()) {
                while (rs.next()) {
                    dropped.add(rs.getString(1));
                }
            }
        }
        return dropped;
    }

    /** The names of the existing daily partitions, oldest first. */
    public static List<String> partitions(Connection connection) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'telemetry_sample'::regclass ORDER BY c.relname
                """); ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static Optional<Stats> stats(ResultSet rs, int column) throws SQLException {
        long count = rs.getLong(column);
        if (count == 0) {
            return Optional.empty();
        }
        return Optional.of(new Stats(count, rs.getDouble(column + 1), rs.getDouble(column + 2),
                rs.getDouble(column + 3)));
    }

    private static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }
}
