package io.ora.backup.store;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * A {@link BackupStore} in the node's PostgreSQL: tables {@code backup} (the head row: id, verifier, newest version
 * and its date) and {@code backup_version} (the kept envelopes), from persistence-schema's V8.
 *
 * <p>Every write is one transaction that first locks the head row ({@code SELECT … FOR UPDATE}), so concurrent
 * writes to one backup run one after the other and a stale {@code expected} version is seen as such; reads run in
 * one REPEATABLE READ snapshot, so a listing never mixes two writes. The credential is checked here, in constant
 * time ({@link Credential#matches}), never in SQL, and before any envelope is read: a wrong credential costs what an
 * unknown id costs and is answered the same.
 *
 * <p>Dates are the UTC date of {@code clock}. Exception messages name the operation and the SQL state only; the
 * driver's server detail, which can quote stored values, is switched off by persistence-schema's pool
 * ({@code logServerErrorDetail=false}).
 */
public final class PostgresBackupStore implements BackupStore {

    /** How many backups one sweep transaction deletes at most, so a large sweep never holds many locks at once. */
    private static final int EXPIRE_BATCH = 500;

    private final DataSource dataSource;
    private final Clock clock;

    public PostgresBackupStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    @Override
    public Created create(BackupId id, Verifier verifier, byte[] envelope) {
        LocalDate today = today();
        return inTransaction("create", false, connection -> {
            try (PreparedStatement head = connection.prepareStatement(
                    "INSERT INTO backup (id, verifier, version, written) VALUES (?, ?, 1, ?) "
                            + "ON CONFLICT (id) DO NOTHING")) {
                head.setBytes(1, id.bytes());
                head.setBytes(2, verifier.bytes());
                head.setDate(3, Date.valueOf(today));
                if (head.executeUpdate() == 0) {
                    return new Exists();
                }
            }
            insertVersion(connection, id, 1, today, envelope);
            return new Written(1);
        });
    }

    @Override
    public Replaced replace(BackupId id, Credential credential, OptionalLong expected, byte[] envelope) {
        LocalDate today = today();
        return inTransaction("replace", false, connection -> {
            Optional<Long> current = lockedHead(connection, id, credential);
            if (current.isEmpty()) {
                return new NotFound();
            }
            long version = current.get();
            if (expected.isPresent() && expected.getAsLong() != version) {
                return new Conflict(version);
            }
            long next = version + 1;
            insertVersion(connection, id, next, today, envelope);
            try (PreparedStatement prune = connection.prepareStatement(
                    "DELETE FROM backup_version WHERE id = ? AND version <= ?")) {
                prune.setBytes(1, id.bytes());
                prune.setLong(2, next - KEPT_VERSIONS);
                prune.executeUpdate();
            }
            try (PreparedStatement head = connection.prepareStatement(
                    "UPDATE backup SET version = ?, written = ? WHERE id = ?")) {
                head.setLong(1, next);
                head.setDate(2, Date.valueOf(today));
                head.setBytes(3, id.bytes());
                head.executeUpdate();
            }
            return new Written(next);
        });
    }

    @Override
    public Read read(BackupId id, Credential credential, OptionalLong version) {
        return inTransaction("read", true, connection -> {
            Optional<Long> newest = head(connection, id, credential, false);
            if (newest.isEmpty()) {
                return new NotFound();
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT version, written, envelope FROM backup_version WHERE id = ? AND version = ?")) {
                select.setBytes(1, id.bytes());
                select.setLong(2, version.orElse(newest.get()));
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return new NotFound();
                    }
                    return new Found(row.getLong(1), row.getDate(2).toLocalDate(), row.getBytes(3));
                }
            }
        });
    }

    @Override
    public Listed versions(BackupId id, Credential credential) {
        return inTransaction("versions", true, connection -> {
            if (head(connection, id, credential, false).isEmpty()) {
                return new NotFound();
            }
            // octet_length reads the size from the value's header; the envelope itself is not fetched.
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT version, written, octet_length(envelope) FROM backup_version WHERE id = ? "
                            + "ORDER BY version DESC")) {
                select.setBytes(1, id.bytes());
                List<Version> versions = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        versions.add(new Version(rows.getLong(1), rows.getDate(2).toLocalDate(), rows.getLong(3)));
                    }
                }
                return new Versions(versions);
            }
        });
    }

    @Override
    public Deleted delete(BackupId id, Credential credential) {
        return inTransaction("delete", false, connection -> {
            if (lockedHead(connection, id, credential).isEmpty()) {
                return new NotFound();
            }
            // The kept versions go with the head row (ON DELETE CASCADE).
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM backup WHERE id = ?")) {
                delete.setBytes(1, id.bytes());
                delete.executeUpdate();
            }
            return new Removed();
        });
    }

    @Override
    public int expire(LocalDate cutoff) {
        int total = 0;
        while (true) {
            // The outer condition is evaluated again on a row a concurrent replace has just updated, so a backup
            // written while the sweep waited for its lock is kept; SKIP LOCKED leaves such rows to the next sweep
            // rather than queueing behind them.
            int deleted = inTransaction("expire", false, connection -> {
                try (PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM backup WHERE written < ? AND id IN "
                                + "(SELECT id FROM backup WHERE written < ? LIMIT ? FOR UPDATE SKIP LOCKED)")) {
                    delete.setDate(1, Date.valueOf(cutoff));
                    delete.setDate(2, Date.valueOf(cutoff));
                    delete.setInt(3, EXPIRE_BATCH);
                    return delete.executeUpdate();
                }
            });
            total += deleted;
            if (deleted < EXPIRE_BATCH) {
                return total;
            }
        }
    }

    /** Nothing to release: the data source belongs to the caller. */
    @Override
    public void close() {
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /** The newest version, with the head row locked for this transaction, when the credential matches. */
    private static Optional<Long> lockedHead(Connection connection, BackupId id, Credential credential)
            throws SQLException {
        return head(connection, id, credential, true);
    }

    /** The newest version when a backup is stored under {@code id} and {@code credential} matches its verifier. */
    private static Optional<Long> head(Connection connection, BackupId id, Credential credential, boolean lock)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT verifier, version FROM backup WHERE id = ?" + (lock ? " FOR UPDATE" : ""))) {
            select.setBytes(1, id.bytes());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next() || !credential.matches(Verifier.ofHash(row.getBytes(1)))) {
                    return Optional.empty();
                }
                return Optional.of(row.getLong(2));
            }
        }
    }

    private static void insertVersion(Connection connection, BackupId id, long version, LocalDate written,
                                      byte[] envelope) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO backup_version (id, version, written, envelope) VALUES (?, ?, ?, ?)")) {
            insert.setBytes(1, id.bytes());
            insert.setLong(2, version);
            insert.setDate(3, Date.valueOf(written));
            insert.setBytes(4, envelope);
            insert.executeUpdate();
        }
    }

    /** One unit of work on a connection inside a transaction. */
    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction: REPEATABLE READ and read-only for reads (one snapshot), READ COMMITTED
     * for writes (they lock the head row). Any outcome commits what the work did; an exception rolls back.
     */
    private <T> T inTransaction(String operation, boolean readOnly, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            int isolation = connection.getTransactionIsolation();
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(readOnly
                    ? Connection.TRANSACTION_REPEATABLE_READ : Connection.TRANSACTION_READ_COMMITTED);
            connection.setReadOnly(readOnly);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException failed) {
                connection.rollback();
                throw failed;
            } finally {
                // A pooled connection goes back as it came.
                connection.setReadOnly(false);
                connection.setTransactionIsolation(isolation);
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("backup store (PostgreSQL) " + operation + " failed, SQL state "
                    + e.getSQLState(), e);
        }
    }
}
