package io.ora.relay.tls;

import io.micrometer.core.instrument.Counter;
import io.ora.core.metrics.Metrics;
import io.ora.relay.RelaySettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the relay's TLS material current without a restart: it polls the CA, server certificate, key and deny-list
 * files and, when any of them changes, builds new material. New connections use the new material at once; live
 * connections are re-checked against it (a revoked or no-longer-trusted peer is disconnected) by the listener.
 *
 * <p>A change that fails to load (a half-written file, a key that does not match) keeps the previous material and
 * is retried at the next poll, so a botched rotation never takes the listener down.
 */
public final class TlsReloader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TlsReloader.class);

    private final RelaySettings.Tls settings;
    private final Metrics metrics;
    private final Consumer<TlsMaterial> onChange;
    private final Counter reloads;
    private final Counter reloadFailures;
    private volatile TlsMaterial current;
    private List<FileTime> stamps;
    private ScheduledFuture<?> poll;

    private TlsReloader(RelaySettings.Tls settings, Metrics metrics, Consumer<TlsMaterial> onChange)
            throws IOException {
        this.settings = settings;
        this.metrics = metrics;
        this.onChange = onChange;
        this.reloads = metrics.counter("ora_relay_tls_reloads_total", "TLS material reloads", "result", "ok");
        this.reloadFailures = metrics.counter("ora_relay_tls_reloads_total", "TLS material reloads", "result",
                "failed");
        this.stamps = stamps();
        this.current = TlsMaterial.load(settings, metrics);
    }

    /** Loads the material now (failing fast if it is unusable) and starts polling on {@code scheduler}. */
    public static TlsReloader start(RelaySettings.Tls settings, Metrics metrics, ScheduledExecutorService scheduler,
                                    Consumer<TlsMaterial> onChange) throws IOException {
        TlsReloader reloader = new TlsReloader(settings, metrics, onChange);
        long every = settings.reloadInterval().toMillis();
        reloader.poll = scheduler.scheduleWithFixedDelay(reloader::checkForChanges, every, every,
                TimeUnit.MILLISECONDS);
        return reloader;
    }

    /** The material new connections use. */
    public TlsMaterial current() {
        return current;
    }

    /** Checks the files now; called by the poll and by tests that do not want to wait. */
    public synchronized void checkForChanges() {
        try {
            List<FileTime> now = stamps();
            if (now.equals(stamps)) {
                return;
            }
            TlsMaterial loaded = TlsMaterial.load(settings, metrics);
            stamps = now;
            current = loaded;
            reloads.increment();
            LOG.info("TLS material reloaded");
            onChange.accept(loaded);
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            reloadFailures.increment();
            LOG.warn("TLS material changed but could not be loaded; keeping the previous material: {}",
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        if (poll != null) {
            poll.cancel(false);
        }
    }

    private List<FileTime> stamps() throws IOException {
        return settings.files().stamps();
    }
}
