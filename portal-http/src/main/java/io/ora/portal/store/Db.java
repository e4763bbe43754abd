package io.ora.portal.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * The portal's way to PostgreSQL: every statement runs on the dedicated blocking executor (never on a Pekko
 * dispatcher thread) inside one transaction per call, committed when the work returns and rolled back when it
 * throws. Statements are always prepared with parameters; no SQL is ever built from input.
 */
public final class Db {

    /** A unit of work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** The database could not be reached or failed; the request gets a 503 or 500, never partial effects. */
    public static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean unavailable;

        Failure(SQLException cause) {
            super(cause.getClass().getSimpleName() + " (SQLState " + cause.getSQLState() + ")", cause);
            this.unavailable = cause instanceof SQLTransientConnectionException
                    || (cause.getSQLState() != null && cause.getSQLState().startsWith("08"));
        }

        /** Whether the database was unreachable (retryable) rather than the statement failing. */
        public boolean unavailable() {
            return unavailable;
        }
    }

    private final DataSource dataSource;
    private final Executor blocking;

    public Db(DataSource dataSource, Executor blocking) {
        this.dataSource = dataSource;
        this.blocking = blocking;
    }

    /** Runs {@code work} in a read-write transaction. */
    public <T> CompletionStage<T> tx(Work<T> work) {
        return CompletableFuture.supplyAsync(() -> run(work, false), blocking);
    }

    /** Runs {@code work} in a read-only transaction. */
    public <T> CompletionStage<T> read(Work<T> work) {
        return CompletableFuture.supplyAsync(() -> run(work, true), blocking);
    }

    private <T> T run(Work<T> work, boolean readOnly) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setReadOnly(readOnly);
            boolean done = false;
            try {
                T result = work.run(connection);
                connection.commit();
                done = true;
                return result;
            } finally {
                if (!done) {
                    connection.rollback();
                }
                connection.setReadOnly(false);
            }
        } catch (SQLException failed) {
            throw new Failure(failed);
        }
    }

    /** Whether {@code failure} is a unique-constraint violation (SQLState 23505). */
    public static boolean isUniqueViolation(Throwable failure) {
        return failure instanceof Failure f && f.getCause() instanceof SQLException sql
                && "23505".equals(sql.getSQLState());
    }
}
