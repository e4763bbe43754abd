package io.ora.backup.store;

import com.zaxxer.hikari.HikariDataSource;
import io.ora.persistence.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import org.postgresql.ds.PGSimpleDataSource;

/** The real test PostgreSQL (persistence-schema's {@link TestDatabase}, migrated with V8). */
public final class PostgresBackend implements Backend {

    private final HikariDataSource dataSource = TestDatabase.dataSource();

    HikariDataSource dataSource() {
        return dataSource;
    }

    @Override
    public BackupStore open(Clock clock) {
        return new PostgresBackupStore(dataSource, clock);
    }

    @Override
    public BackupStore unreachable(Clock clock) {
        return unreachableStore(clock);
    }

    /** A PostgreSQL store on a local port nothing listens on: every call fails as the database being away. */
    public static BackupStore unreachableStore(Clock clock) {
        PGSimpleDataSource nobody = new PGSimpleDataSource();
        nobody.setServerNames(new String[] {"127.0.0.1"});
        nobody.setPortNumbers(new int[] {closedPort()});
        nobody.setDatabaseName("ora");
        nobody.setConnectTimeout(2);
        return new PostgresBackupStore(nobody, clock);
    }

    @Override
    public int storedEnvelopes(BackupId id) {
        return count("SELECT count(*) FROM backup_version WHERE id = ?", id);
    }

    @Override
    public boolean holdsNothing(BackupId id) {
        return count("SELECT count(*) FROM backup WHERE id = ?", id) == 0 && storedEnvelopes(id) == 0;
    }

    @Override
    public boolean decidesRaces() {
        return true;
    }

    @Override
    public void wipe(BackupId id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement delete = c.prepareStatement("DELETE FROM backup WHERE id = ?")) {
            delete.setBytes(1, id.bytes());
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("test cleanup failed", e);
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }

    private int count(String sql, BackupId id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(sql)) {
            select.setBytes(1, id.bytes());
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("test query failed", e);
        }
    }

    /** A port nothing listens on: one the system just handed out and that was closed again. */
    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
