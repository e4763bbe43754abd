package io.ora.ingest;

import io.micrometer.core.instrument.Counter;
import io.ora.core.metrics.Metrics;
import io.ora.core.telemetry.TelemetryIntake;
import io.ora.ingest.filter.TelemetryFilter;
import io.ora.ingest.store.BatchWriter.Pending;
import io.ora.ingest.store.BatchWriter;
import io.ora.ingest.store.Partitions;
import io.ora.persistence.telemetry.HubPseudonym;
import io.ora.persistence.telemetry.TelemetryTable;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The ingest role: the telemetry pipeline (docs/ingest.md, DESIGN §6). One Pekko Streams graph for the node, bounded
 * at every step:
 *
 * <pre>
 *   bounded queue (queue-size payloads; full: refused as unavailable)
 *     → privacy filter and projection (drop counted by reason; receipt REJECTED at once)
 *     → batches of at most batch.max-samples samples, or what arrived within batch.max-delay
 *     → at most `writers` batch INSERTs at a time (retried with backoff while the database is away)
 *     → each payload's receipt STORED once its batch committed
 * </pre>
 *
 * <p>Backpressure runs from the database to the sources: while writers are busy or retrying the stream stops pulling,
 * the queue fills, and new payloads are answered {@link Receipt#UNAVAILABLE}, which the relay turns into a negative
 * PUBACK and the HTTPS source into 503. Nothing is acknowledged before it is committed.
 *
 * <p>Hubs are stored under their {@link HubPseudonym}; the payload itself is never logged.
 */
public final class Ingest implements TelemetryIntake, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);

    private final TelemetryFilter filter;
    private final HubPseudonym pseudonym;
    private final BatchWriter writer;
    private final BoundedSourceQueue<Submission> queue;
    private final CompletionStage<Done> finished;
    private final Cancellable maintenance;
    private final Clock clock;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Map<TelemetryFilter.Reason, Counter> dropped = new EnumMap<>(TelemetryFilter.Reason.class);
    private final Map<Receipt, Counter> receipts = new EnumMap<>(Receipt.class);

    /** One payload on its way through the pipeline. */
    private record Submission(UUID hub, byte[] payload, Instant received, CompletableFuture<Receipt> receipt) {
    }

    private Ingest(ActorSystem<?> system, IngestSettings settings, DataSource dataSource, HubPseudonym pseudonym,
                   Metrics metrics, Clock clock) throws SQLException {
        this.filter = new TelemetryFilter(settings.limits());
        this.pseudonym = pseudonym;
        this.clock = clock;
        for (TelemetryFilter.Reason reason : TelemetryFilter.Reason.values()) {
            dropped.put(reason, metrics.counter("ora_ingest_payloads_dropped_total",
                    "Payloads dropped, by reason (never logged with content)", "reason",
                    reason.name().toLowerCase(Locale.ROOT)));
        }
        for (Receipt receipt : Receipt.values()) {
            receipts.put(receipt, metrics.counter("ora_ingest_payloads_total", "Payloads submitted, by outcome",
                    "outcome", receipt.name().toLowerCase(Locale.ROOT)));
        }
        ExecutionContextExecutor blocking = system.dispatchers()
                .lookup(DispatcherSelector.fromConfig("ora.ingest.blocking-dispatcher"));
        Partitions partitions = new Partitions(dataSource, clock, settings.partitionsAhead(), settings.retention());
        // Synchronously, so the first batch finds its partition.
        partitions.ensure();
        this.writer = new BatchWriter(dataSource, partitions, blocking, system.scheduler(), settings.minBackoff(),
                settings.maxBackoff(), metrics);
        Pair<BoundedSourceQueue<Submission>, CompletionStage<Done>> graph = Source
                .<Submission>queue(settings.queueSize())
                .mapConcat(this::filter)
                .groupedWeightedWithin(settings.batchSamples(), pending -> (long) pending.rows().size(),
                        settings.batchDelay())
                .mapAsync(settings.writers(), writer::write)
                .toMat(Sink.ignore(), Keep.both())
                .run(system);
        this.queue = graph.first();
        this.finished = graph.second();
        metrics.gauge("ora_ingest_queue_size", "Payloads waiting for the filter", queue::size);
        this.maintenance = system.scheduler().scheduleWithFixedDelay(settings.maintenanceInterval(),
                settings.maintenanceInterval(), () -> maintain(partitions), blocking);
        finished.whenComplete((done, failure) -> {
            if (failure != null) {
                LOG.error("the telemetry pipeline stopped: {}", failure.getClass().getName());
            }
        });
    }

    /**
     * Starts the pipeline on {@code system} (settings from {@code ora.ingest}), writing through {@code dataSource}.
     * Makes the partitions the next days need before it returns.
     */
    public static Ingest start(ActorSystem<?> system, DataSource dataSource, HubPseudonym pseudonym, Metrics metrics)
            throws SQLException {
        return start(system, IngestSettings.from(system.settings().config()), dataSource, pseudonym, metrics,
                Clock.systemUTC());
    }

    /** As {@link #start(ActorSystem, DataSource, HubPseudonym, Metrics)}, with explicit settings and clock. */
    public static Ingest start(ActorSystem<?> system, IngestSettings settings, DataSource dataSource,
                               HubPseudonym pseudonym, Metrics metrics, Clock clock) throws SQLException {
        return new Ingest(system, settings, dataSource, pseudonym, metrics, clock);
    }

    @Override
    public CompletionStage<Receipt> submit(UUID hub, byte[] payload) {
        CompletableFuture<Receipt> receipt = new CompletableFuture<>();
        QueueOfferResult offered = queue.offer(new Submission(hub, payload, clock.instant(), receipt));
        if (!(offered instanceof QueueOfferResult.Enqueued$)) {
            receipt.complete(Receipt.UNAVAILABLE);
        }
        return receipt.whenComplete((outcome, impossible) -> receipts.get(outcome).increment());
    }

    /** Payloads waiting for the filter now (for tests and the gauge). */
    public int queued() {
        return queue.size();
    }

    /**
     * Stops taking payloads, and waits up to {@code timeout} for those already taken to be stored; any still
     * waiting for the database then are answered unavailable (their senders still have them). Closing again does
     * nothing.
     */
    public void close(Duration timeout) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        maintenance.cancel();
        queue.complete();
        try {
            finished.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("telemetry still waiting for the database after {}; answering it unavailable", timeout);
            writer.stop();
        } catch (ExecutionException e) {
            LOG.warn("the telemetry pipeline had failed: {}", e.getCause().getClass().getName());
        } catch (InterruptedException e) {
            writer.stop();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    private List<Pending> filter(Submission submission) {
        try {
            return accept(submission);
        } catch (RuntimeException defect) {
            // A defect must cost one payload, never the stream every hub shares.
            LOG.error("telemetry payload could not be filtered: {}", defect.getClass().getName());
            dropped.get(TelemetryFilter.Reason.MALFORMED).increment();
            submission.receipt().complete(Receipt.REJECTED);
            return List.of();
        }
    }

    private List<Pending> accept(Submission submission) {
        TelemetryFilter.Outcome outcome = filter.filter(submission.payload());
        if (outcome instanceof TelemetryFilter.Dropped drop) {
            dropped.get(drop.reason()).increment();
            submission.receipt().complete(Receipt.REJECTED);
            return List.of();
        }
        List<TelemetryFilter.Sample> samples = ((TelemetryFilter.Kept) outcome).samples();
        byte[] hub = pseudonym.of(submission.hub());
        List<TelemetryTable.Row> rows = new ArrayList<>(samples.size());
        for (TelemetryFilter.Sample sample : samples) {
            rows.add(new TelemetryTable.Row(hub, submission.received(), sample.ts().orElse(null),
                    sample.firmware().orElse(null), value(sample.cpu()), value(sample.ram()),
                    value(sample.rssi())));
        }
        return List.of(new Pending(rows, submission.receipt()));
    }

    private void maintain(Partitions partitions) {
        try {
            partitions.ensure();
            List<String> expired = partitions.expire();
            if (!expired.isEmpty()) {
                LOG.info("telemetry retention dropped partitions {}", expired);
            }
        } catch (SQLException e) {
            LOG.warn("telemetry partition maintenance failed (SQL state {}); next try in one interval",
                    e.getSQLState());
        }
    }

    private static Float value(OptionalDouble metric) {
        return metric.isPresent() ? (float) metric.getAsDouble() : null;
    }
}
