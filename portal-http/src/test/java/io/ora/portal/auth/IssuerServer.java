package io.ora.portal.auth;

import com.typesafe.config.ConfigFactory;
import io.ora.portal.dev.DevIssuer;
import io.ora.portal.http.ProblemHandling;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A real Pekko HTTP server on 127.0.0.1 for the auth tests. Issuers and hand-made routes are mounted after it is
 * bound (their URLs need its port), and every request is counted by path so tests can assert what was fetched.
 */
final class IssuerServer implements AutoCloseable {

    static final Duration TOKEN_TTL = Duration.ofHours(1);

    private final ActorSystem<Void> system;
    private final ServerBinding binding;
    private final List<Route> mounted = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private volatile Route routes = Directives.reject();

    private IssuerServer(String name) throws Exception {
        system = ActorSystem.create(Behaviors.empty(), name, ConfigFactory.parseMap(Map.of("pekko.loglevel", "WARNING"))
                .withFallback(ConfigFactory.load()));
        Route counting = Directives.extractRequest(request -> {
            hits.computeIfAbsent(request.getUri().path(), path -> new AtomicInteger()).incrementAndGet();
            return routes;
        });
        binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(ProblemHandling.wrap(counting))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** reference.conf, with a key cache and refetch interval no test outlives, so fetch counts are exact. */
    static OidcSettings settings() {
        return OidcSettings.from(ConfigFactory.parseString("jwks { cache-ttl = 1h, min-refresh-interval = 10m }")
                .withFallback(ConfigFactory.load().getConfig("ora.portal.oidc")));
    }

    static IssuerServer start(String name) throws Exception {
        return new IssuerServer(name);
    }

    /** Adds {@code route} after those already mounted. */
    void mount(Route route) {
        mounted.add(route);
        routes = Directives.concat(mounted.get(0), mounted.subList(1, mounted.size()).toArray(Route[]::new));
    }

    /** A dev issuer whose key lives in {@code keyDir}, served at {@code /path}. */
    DevIssuer issuer(Path keyDir, String path) throws IOException {
        DevIssuer issuer = DevIssuer.loadOrCreate(keyDir, url(path), TOKEN_TTL, "ora-portal", "roles");
        mount(issuer.route());
        return issuer;
    }

    String url(String path) {
        return DevIssuer.issuerUrlFor("127.0.0.1", binding.localAddress().getPort(), path);
    }

    /** Requests received so far for exactly {@code path}, e.g. {@code /dev-oidc/jwks.json}. */
    int hits(String path) {
        AtomicInteger count = hits.get(path);
        return count == null ? 0 : count.get();
    }

    @Override
    public void close() throws Exception {
        binding.terminate(Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
