package io.ora.ingest.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.ora.core.concurrent.Failures;
import io.ora.core.metrics.Metrics;
import io.ora.core.telemetry.TelemetryIntake.Receipt;
import io.ora.core.trace.Attribute;
import io.ora.core.trace.Operation;
import io.ora.core.trace.Trace;
import io.ora.core.trace.Traces;
import io.ora.persistence.telemetry.TelemetryTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.Scheduler;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Writes batches of accepted payloads into {@code telemetry_sample}, one INSERT per batch, and settles each payload's
 * receipt only after the commit. What it does when a write fails decides what a hub can lose, so:
 *
 * <ul>
 *   <li><b>Transient</b> failures (the connection was lost, the pool timed out, the database is restarting: every
 *       SQL state outside classes 22 and 23) are retried with exponential backoff for as long as it takes. Nothing in
 *       the batch is acknowledged meanwhile, and the stream stops pulling new batches once every writer is busy, so
 *       the queue in front fills and new payloads are refused as unavailable instead of piling up in memory.</li>
 *   <li>A <b>missing partition</b> (the row's day has none: maintenance fell behind) makes the partitions, then
 *       retries.</li>
 *   <li>A <b>permanent</b> failure (a data or integrity error, which the filter's checks should make impossible, or
 *       any failure that is not the database's) retries each payload alone, so one bad payload is refused and the
 *       others are stored.</li>
 * </ul>
 *
 * <p>Only SQL states are logged, never values.
 */
public final class BatchWriter {

    private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);

    /** One accepted payload: its rows, and the receipt its sender waits for. */
    public record Pending(List<TelemetryTable.Row> rows, CompletableFuture<Receipt> receipt) {
    }

    private enum Failure { TRANSIENT, MISSING_PARTITION, PERMANENT }

    private final DataSource dataSource;
    private final Partitions partitions;
    private final ExecutionContextExecutor blocking;
    private final Scheduler scheduler;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Counter stored;
    private final Counter batches;
    private final Counter retries;
    private final Counter refused;
    private final Timer committedIn;
    private final Timer failedIn;
    private volatile boolean stopping;

    public BatchWriter(DataSource dataSource, Partitions partitions, ExecutionContextExecutor blocking,
                       Scheduler scheduler, Duration minBackoff, Duration maxBackoff, Metrics metrics) {
        this.dataSource = dataSource;
        this.partitions = partitions;
        this.blocking = blocking;
        this.scheduler = scheduler;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
        this.stored = metrics.counter("ora_ingest_samples_stored_total", "Health samples committed to storage");
        this.batches = metrics.counter("ora_ingest_batches_total", "Batches committed to storage");
        this.retries = metrics.counter("ora_ingest_write_retries_total",
                "Batch writes retried after a transient database failure");
        this.refused = metrics.counter("ora_ingest_payloads_dropped_total",
                "Payloads dropped, by reason (never logged with content)", "reason", "store_refused");
        String took = "One batch's insert transaction, by result";
        this.committedIn = metrics.timer("ora_ingest_commit_seconds", took, "result", "stored");
        this.failedIn = metrics.timer("ora_ingest_commit_seconds", took, "result", "failed");
    }

    /** Writes {@code batch}; completes (never exceptionally) once every receipt in it is settled. */
    public CompletionStage<Done> write(List<Pending> batch) {
        CompletableFuture<Done> done = new CompletableFuture<>();
        attempt(batch, 0, done);
        return done;
    }

    /**
     * From now on a batch that fails transiently is not retried: its payloads are answered unavailable (their
     * senders keep them and send again later). For shutdown, once the grace for draining has passed.
     */
    public void stop() {
        stopping = true;
    }

    private void attempt(List<Pending> batch, int failures, CompletableFuture<Done> done) {
        // A trace of its own per attempt: a batch gathers many hubs' payloads, so it belongs to no one request.
        Trace trace = Traces.start(Operation.INGEST_COMMIT).tag(Attribute.ROWS, rows(batch));
        long started = System.nanoTime();
        CompletableFuture.runAsync(() -> {
            try (Trace.Scope scope = trace.open()) {
                insert(batch);
            }
        }, blocking).whenComplete((ok, thrown) -> {
            (thrown == null ? committedIn : failedIn).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            if (thrown != null) {
                trace.fail(classify(Failures.cause(thrown)).name().toLowerCase(Locale.ROOT));
            }
            trace.finish();
            // What is logged about this attempt (a refusal, a retry) carries its trace's ids.
            try (Trace.Scope logs = Trace.logContext(trace.traceId(), trace.spanId())) {
                afterAttempt(batch, failures, done, thrown);
            }
        });
    }

    /** Settles an attempt: stored, written alone, answered unavailable, or retried. */
    private void afterAttempt(List<Pending> batch, int failures, CompletableFuture<Done> done, Throwable thrown) {
        if (thrown == null) {
            settle(batch, Receipt.STORED);
            stored.increment(rows(batch));
            batches.increment();
            done.complete(Done.getInstance());
            return;
        }
        Throwable cause = Failures.cause(thrown);
        Failure failure = classify(cause);
        if (failure == Failure.PERMANENT) {
            LOG.warn("telemetry batch refused by the database (SQL state {})", sqlState(cause));
            writeAlone(batch, done);
        } else if (stopping) {
            settle(batch, Receipt.UNAVAILABLE);
            done.complete(Done.getInstance());
        } else {
            retries.increment();
            if (failures == 0 || failures % 10 == 0) {
                LOG.warn("telemetry batch write failed (SQL state {}), retrying with backoff",
                        sqlState(cause));
            }
            if (failure == Failure.MISSING_PARTITION) {
                CompletableFuture.runAsync(this::ensurePartitions, blocking)
                        .whenComplete((made, alsoFailed) -> retryLater(batch, failures + 1, done));
            } else {
                retryLater(batch, failures + 1, done);
            }
        }
    }

    private static long rows(List<Pending> batch) {
        return batch.stream().mapToLong(pending -> pending.rows().size()).sum();
    }

    private void retryLater(List<Pending> batch, int failures, CompletableFuture<Done> done) {
        scheduler.scheduleOnce(backoff(failures), () -> attempt(batch, failures, done), blocking);
    }

    /** Each payload of a batch the database refused, written on its own; those it still refuses are dropped. */
    private void writeAlone(List<Pending> batch, CompletableFuture<Done> done) {
        if (batch.size() == 1) {
            refused.increment();
            settle(batch, Receipt.REJECTED);
            done.complete(Done.getInstance());
            return;
        }
        List<CompletableFuture<Done>> each = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            CompletableFuture<Done> one = new CompletableFuture<>();
            attempt(List.of(pending), 0, one);
            each.add(one);
        }
        CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .whenComplete((ok, impossible) -> done.complete(Done.getInstance()));
    }

    private void insert(List<Pending> batch) {
        List<TelemetryTable.Row> rows = new ArrayList<>();
        batch.forEach(pending -> rows.addAll(pending.rows()));
        try (Connection connection = dataSource.getConnection()) {
            TelemetryTable.insert(connection, rows);
        } catch (SQLException e) {
            throw new WriteFailed(e);
        }
    }

    private void ensurePartitions() {
        try {
            partitions.ensure();
        } catch (SQLException e) {
            LOG.warn("could not make telemetry partitions (SQL state {})", e.getSQLState());
        }
    }

    Duration backoff(int failures) {
        long millis = minBackoff.toMillis() << Math.min(failures - 1, 20);
        long capped = Math.min(Math.max(millis, minBackoff.toMillis()), maxBackoff.toMillis());
        // Up to a fifth less, so writers that failed together do not all come back in the same instant.
        return Duration.ofMillis(capped - (long) (Math.random() * capped / 5));
    }

    private static void settle(List<Pending> batch, Receipt receipt) {
        batch.forEach(pending -> pending.receipt().complete(receipt));
    }

    private static Failure classify(Throwable cause) {
        SQLException sql = cause instanceof WriteFailed failed ? failed.sql() : null;
        if (sql == null) {
            // Not the database: a defect in building the batch, which retrying cannot mend.
            return Failure.PERMANENT;
        }
        String state = sql.getSQLState() == null ? "" : sql.getSQLState();
        if (state.equals("23514") && sql instanceof PSQLException psql) {
            // A CHECK violation names its constraint; "no partition of relation found for row" names none.
            ServerErrorMessage message = psql.getServerErrorMessage();
            if (message == null || message.getConstraint() == null) {
                return Failure.MISSING_PARTITION;
            }
        }
        return state.startsWith("22") || state.startsWith("23") ? Failure.PERMANENT : Failure.TRANSIENT;
    }

    private static String sqlState(Throwable cause) {
        return cause instanceof WriteFailed failed ? String.valueOf(failed.sql().getSQLState())
                : cause.getClass().getSimpleName();
    }

    /** Carries the SQLException out of the blocking task. */
    private static final class WriteFailed extends RuntimeException {
        private final SQLException sql;

        WriteFailed(SQLException sql) {
            super(sql.getSQLState(), null, false, false);
            this.sql = sql;
        }

        SQLException sql() {
            return sql;
        }
    }
}
