package io.ora.ingest.http;

import com.typesafe.config.Config;
import io.ora.core.metrics.Metrics;
import io.ora.core.telemetry.TelemetryIntake;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The ingest role's HTTPS source: the listener through which hubs that report over HTTP post telemetry
 * ({@code POST /ingest/v1/telemetry}, docs/ingest.md "HTTPS source"), authenticated by the device certificate they
 * already hold for the MQTT relay (mutual TLS, TLS 1.3 only, the same CA and deny-list). Each accepted body goes to
 * the {@link TelemetryIntake} the node passes in.
 *
 * <p>The node starts it when {@code ora.ingest.https.enabled} is on. The TLS files are polled every
 * {@code ora.ingest.https.tls.reload-interval}: a revoked serial is refused at the next handshake and on connections
 * already open.
 */
public final class IngestHttps implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestHttps.class);

    private final ServerBinding binding;
    private final Cancellable reloads;

    private IngestHttps(ServerBinding binding, Cancellable reloads) {
        this.binding = binding;
        this.reloads = reloads;
    }

    /** Whether the node should start the listener ({@code ora.ingest.https.enabled}). */
    public static boolean enabled(Config config) {
        return HttpsSettings.from(config).enabled();
    }

    /**
     * Reads the TLS material (failing fast when it is unusable) and binds {@code ora.ingest.https.interface:port}.
     *
     * @param config the node's resolved config (the {@code ora.ingest} section is read)
     * @throws IOException when the TLS files cannot be read or the port cannot be bound
     */
    public static IngestHttps start(ActorSystem<?> system, Config config, TelemetryIntake intake, Metrics metrics)
            throws IOException {
        HttpsSettings settings = HttpsSettings.from(config);
        HttpsTls tls = new HttpsTls(settings.tls(), metrics);
        TelemetryRoutes routes = new TelemetryRoutes(intake, new HubRateLimit(settings.rateLimit()), tls::isRevoked,
                settings, metrics);
        ServerBinding binding;
        try {
            binding = Http.get(system).newServerAt(settings.iface(), settings.port())
                    .enableHttps(ConnectionContext.httpsServer(tls::newEngine))
                    // The verified client certificate is read from the TLS session; only this server needs it.
                    .adaptSettings(server -> ParsingProblems.adapt(server.withParserSettings(
                            server.getParserSettings().withIncludeSslSessionAttribute(true))))
                    .bind(routes.route())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot bind the ingest HTTPS listener on " + settings.iface() + ":"
                    + settings.port(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding the ingest HTTPS listener", e);
        }
        // Reloading reads files: on the ingest role's blocking dispatcher, never the default one.
        ExecutionContextExecutor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(
                "ora.ingest.blocking-dispatcher"));
        Duration every = settings.tls().reloadInterval();
        Cancellable reloads = system.scheduler().scheduleWithFixedDelay(every, every, tls::checkForChanges,
                blocking);
        LOG.info("ingest HTTPS listener bound on {}", binding.localAddress());
        return new IngestHttps(binding, reloads);
    }

    /** The port actually bound (tests bind port 0). */
    public int port() {
        return binding.localAddress().getPort();
    }

    /** Stops accepting and lets requests in flight finish within {@code timeout}. */
    public void close(Duration timeout) {
        reloads.cancel();
        binding.terminate(timeout).toCompletableFuture().join();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
