package io.ora.device.https;

import com.typesafe.config.Config;
import io.ora.core.metrics.Metrics;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The listener hubs reach over HTTPS (docs/device-https.md), on which roles mount their {@link DeviceRoutes}: the
 * ingest role's telemetry endpoint, and any other endpoint for devices. It is the one place for what every such
 * endpoint needs alike: mutual TLS 1.3 with the device certificate hubs already hold for the MQTT relay (the same CA
 * and deny-list, judged by ora-core's {@code PeerTrustManager}), refusal of a certificate revoked while its
 * connection is open ({@link DeviceRequests#peer}), the outer bound on request bodies, and problems for everything
 * the server or no route answers.
 *
 * <p>The node starts it when {@code ora.device-https.enabled} is on and a role of the node mounts routes. The TLS
 * files are polled every {@code ora.device-https.tls.reload-interval}: a revoked serial is refused at the next
 * handshake and on connections already open.
 */
public final class DeviceHttps implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceHttps.class);

    private final ServerBinding binding;
    private final Cancellable reloads;

    private DeviceHttps(ServerBinding binding, Cancellable reloads) {
        this.binding = binding;
        this.reloads = reloads;
    }

    /** Whether the node should start the listener when a role mounts routes ({@code ora.device-https.enabled}). */
    public static boolean enabled(Config config) {
        return HttpsSettings.from(config).enabled();
    }

    /**
     * Reads the TLS material (failing fast when it is unusable) and binds {@code ora.device-https.interface:port}
     * with {@code routes} mounted, tried in the order given.
     *
     * @param config the node's resolved config (the {@code ora.device-https} section is read)
     * @param routes what the node's roles mount; at least one
     * @throws IOException when the TLS files cannot be read or the port cannot be bound
     */
    public static DeviceHttps start(ActorSystem<?> system, Config config, Metrics metrics, List<DeviceRoutes> routes)
            throws IOException {
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("the device HTTPS listener needs at least one role's routes");
        }
        HttpsSettings settings = HttpsSettings.from(config);
        HttpsTls tls = new HttpsTls(settings.tls(), metrics);
        DeviceRequests requests = new DeviceRequests(tls::isRevoked, settings.bodyTimeout());
        long largestBody = routes.stream().mapToLong(DeviceRoutes::maxBodyBytes).max().orElseThrow();
        ServerBinding binding;
        try {
            binding = Http.get(system).newServerAt(settings.iface(), settings.port())
                    .enableHttps(ConnectionContext.httpsServer(tls::newEngine))
                    .adaptSettings(server -> listenerSettings(server, largestBody))
                    .bind(Traced.requests(metrics, route(routes, requests, new ResponseCounter(metrics))))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot bind the device HTTPS listener on " + settings.iface() + ":"
                    + settings.port(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding the device HTTPS listener", e);
        }
        // Reloading reads files: on the listener's own blocking dispatcher, never the default one.
        ExecutionContextExecutor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(
                HttpsSettings.BLOCKING_DISPATCHER));
        Duration every = settings.tls().reloadInterval();
        Cancellable reloads = system.scheduler().scheduleWithFixedDelay(every, every, tls::checkForChanges,
                blocking);
        LOG.info("device HTTPS listener bound on {}", binding.localAddress());
        return new DeviceHttps(binding, reloads);
    }

    /**
     * Every mounted route, tried in turn, with every response counted and what none answers a problem; a request the
     * server times out is answered with a problem too (it is the server's answer, so it is not counted).
     */
    private static Route route(List<DeviceRoutes> routes, DeviceRequests requests, ResponseCounter counter) {
        List<Route> mounted = routes.stream().map(role -> role.route(requests)).toList();
        Route all = Directives.concat(mounted.get(0), mounted.subList(1, mounted.size()).toArray(Route[]::new));
        return ProblemHandling.onTimeout(Directives.mapResponse(counter::count, () -> ProblemHandling.handle(all)));
    }

    /**
     * What the listener needs of Pekko HTTP, set on the binding in code: in the node's fat jar the merged
     * {@code reference.conf} files can silently replace a {@code pekko.http.server} setting of this module.
     *
     * @param largestBody the largest body any mounted route takes; each route limits its own body below it
     */
    static ServerSettings listenerSettings(ServerSettings server, long largestBody) {
        ServerSettings problems = ParsingProblems.adapt(server);
        return problems.withParserSettings(problems.getParserSettings()
                // The verified client certificate is read from the TLS session; only this server needs it.
                .withIncludeSslSessionAttribute(true)
                .withMaxContentLength(largestBody));
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
