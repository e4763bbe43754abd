package io.ora.backup;

import io.micrometer.core.instrument.Counter;
import io.ora.backup.http.BackupRoutes;
import io.ora.backup.store.BackupStore;
import io.ora.core.metrics.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The backup role (docs/backup.md, DESIGN §7): a {@link BackupStore}, its endpoints on the device listener
 * ({@link #routes()}, which the node mounts) and the retention sweep, which deletes every backup whose newest version
 * was written more than {@code ora.backup.retention} ago. The store's blocking calls, the endpoints' and the sweep's,
 * run on {@code ora.backup.blocking-dispatcher}.
 */
public final class Backup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Backup.class);

    /** The sweep's first run, soon after start: a node that restarts often still sweeps. */
    private static final Duration FIRST_SWEEP = Duration.ofMinutes(1);

    private final BackupStore store;
    private final BackupRoutes routes;
    private final BackupSettings settings;
    private final Clock clock;
    private final Cancellable sweeps;
    private final Counter expired;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Backup(ActorSystem<?> system, BackupSettings settings, BackupStore store, Metrics metrics, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        ExecutionContextExecutor blocking = system.dispatchers()
                .lookup(DispatcherSelector.fromConfig("ora.backup.blocking-dispatcher"));
        this.routes = BackupRoutes.create(settings, store, blocking, metrics);
        this.expired = metrics.counter("ora_backup_expired_total", "Backups deleted by the retention sweep");
        this.sweeps = system.scheduler().scheduleWithFixedDelay(FIRST_SWEEP, settings.sweepInterval(), this::sweep,
                blocking);
    }

    /**
     * Starts the role over {@code store} (which it closes on {@link #close()}), with settings from {@code ora.backup}.
     */
    public static Backup start(ActorSystem<?> system, BackupStore store, Metrics metrics) {
        return start(system, BackupSettings.from(system.settings().config()), store, metrics, Clock.systemUTC());
    }

    /** As {@link #start(ActorSystem, BackupStore, Metrics)}, with explicit settings and clock. */
    public static Backup start(ActorSystem<?> system, BackupSettings settings, BackupStore store, Metrics metrics,
                               Clock clock) {
        return new Backup(system, settings, store, metrics, clock);
    }

    /** The endpoints, for the device listener. */
    public BackupRoutes routes() {
        return routes;
    }

    /**
     * Deletes the backups not written since the retention's cutoff: those whose newest version's date is before
     * today (UTC) minus the retention, in whole days. Answers how many; a store that cannot be reached is logged and
     * tried again at the next interval. Runs on the schedule; public for operators' tooling and tests.
     */
    public int sweep() {
        LocalDate cutoff = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)
                .minusDays(settings.retention().toDays());
        try {
            int deleted = store.expire(cutoff);
            expired.increment(deleted);
            if (deleted > 0) {
                LOG.info("backup retention deleted {} backups not written since {}", deleted, cutoff);
            }
            return deleted;
        } catch (BackupStore.StoreUnavailableException e) {
            LOG.warn("backup retention sweep failed ({}); next try in one interval", e.getMessage());
            return 0;
        }
    }

    /** Stops the sweep and closes the store. Closing again does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            sweeps.cancel();
            store.close();
        }
    }
}
