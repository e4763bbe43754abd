package io.ora.portal;

import com.typesafe.config.Config;
import io.ora.core.concurrent.Failures;
import io.ora.core.metrics.Metrics;
import io.ora.core.pki.CertificateAuthority;
import io.ora.core.pki.Pem;
import io.ora.core.trace.Traces;
import io.ora.persistence.Redis;
import io.ora.persistence.telemetry.HubPseudonym;
import io.ora.portal.api.Endpoint;
import io.ora.portal.api.Responses;
import io.ora.portal.api.Router;
import io.ora.portal.api.Schemas;
import io.ora.portal.auth.OidcSettings;
import io.ora.portal.auth.TokenVerifier;
import io.ora.portal.cache.RedisCache;
import io.ora.portal.certs.AppCertificates;
import io.ora.portal.certs.CertificateRoutes;
import io.ora.portal.dev.DevIssuer;
import io.ora.portal.handover.AccessKeyVerifier;
import io.ora.portal.handover.ShardedHubLock;
import io.ora.portal.handover.Handover;
import io.ora.portal.handover.HandoverRoutes;
import io.ora.portal.handover.HandoverSettings;
import io.ora.portal.handover.StepUp;
import io.ora.portal.http.Problem;
import io.ora.portal.http.ProblemHandling;
import io.ora.portal.http.Traced;
import io.ora.portal.installers.CredentialVerification;
import io.ora.portal.installers.Directory;
import io.ora.portal.installers.InstallerRoutes;
import io.ora.portal.limits.RateLimiter;
import io.ora.portal.plans.PlanRoutes;
import io.ora.portal.plans.Plans;
import io.ora.portal.projects.ProjectRoutes;
import io.ora.portal.projects.Projects;
import io.ora.portal.projects.Templates;
import io.ora.portal.store.Db;
import io.ora.portal.telemetry.HubTelemetry;
import io.ora.portal.ota.Ota;
import io.ora.portal.telemetry.TelemetryRoutes;
import io.ora.relay.api.HubLocks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatcher0;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portal role: the HTTP API installers, homeowners and operators use (docs/portal.md). Every operation is an
 * {@link Endpoint} in one table; the {@link Router} enforces each one's roles, rate class, query and body before its
 * handler runs, and every refusal is an RFC 9457 problem.
 *
 * <p>Without {@code ora.portal.oidc.issuer} the portal also serves the development OIDC issuer, whose URL depends on
 * the port actually bound; the API is therefore attached right after binding and answers 503 until then.
 */
public final class Portal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Portal.class);

    private final ServerBinding binding;
    private final Router router;
    private final Optional<DevIssuer> devIssuer;
    private final List<AutoCloseable> resources;
    private final Ota ota;

    private Portal(ServerBinding binding, Router router, Optional<DevIssuer> devIssuer,
                   List<AutoCloseable> resources, Ota ota) {
        this.binding = binding;
        this.router = router;
        this.devIssuer = devIssuer;
        this.resources = resources;
        this.ota = ota;
    }

    /**
     * Firmware distribution: the desk a relay on this node hands hubs' checks and reports to, and the artifact
     * downloads for the device listener (docs/ota.md).
     */
    public Ota ota() {
        return ota;
    }

    /** Binds the API on {@code ora.portal.http.host:port}, on the given database and Redis. */
    public static Portal start(ActorSystem<?> system, DataSource dataSource, Redis redis, Metrics metrics)
            throws InterruptedException, ExecutionException, TimeoutException {
        Config portal = system.settings().config().getConfig("ora.portal");
        Config http = portal.getConfig("http");
        AtomicReference<Route> api = new AtomicReference<>(Directives.complete(Problem.of(
                StatusCodes.SERVICE_UNAVAILABLE, "the portal is starting").toResponse()));
        Route delegating = Directives.extractRequestContext(context -> api.get());
        Config limits = portal.getConfig("limits");
        long largestBody = Math.max(Math.max(limits.getMemorySize("json-body").toBytes(), Math.max(
                limits.getMemorySize("pairing-plan").toBytes(), limits.getMemorySize("floor-plan").toBytes())),
                system.settings().config().getBytes("ora.ota.max-artifact-bytes"));
        CompletionStage<ServerBinding> bound = Http.get(system)
                .newServerAt(http.getString("host"), http.getInt("port"))
                .adaptSettings(server -> listenerSettings(server, largestBody))
                .bind(Traced.requests(metrics, ProblemHandling.wrap(delegating)));
        ServerBinding binding = bound.toCompletableFuture().get(30, TimeUnit.SECONDS);
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            OidcSettings oidc = OidcSettings.from(portal.getConfig("oidc"));
            Optional<DevIssuer> devIssuer = Optional.empty();
            String issuer = oidc.issuer();
            if (oidc.usesDevIssuer()) {
                issuer = DevIssuer.issuerUrlFor(http.getString("host"), binding.localAddress().getPort(),
                        oidc.devIssuer().path());
                devIssuer = Optional.of(DevIssuer.loadOrCreate(oidc.devIssuer().keyDir(), issuer,
                        oidc.devIssuer().tokenTtl(), oidc.audience(), oidc.rolesClaim()));
                LOG.warn("no OIDC issuer configured (ORA_OIDC_ISSUER): serving the development issuer at {}, "
                        + "which mints tokens for anyone; never run this in production", issuer);
            }
            // Work handed to the blocking pool carries the request's trace: its spans and log lines belong to it.
            Executor blocking = Traces.propagating(system.dispatchers().lookup(DispatcherSelector.fromConfig(
                    "ora.portal.blocking-dispatcher")));
            Db db = new Db(dataSource, blocking);
            RedisCache cache = RedisCache.create(portal, redis);
            resources.add(cache);
            RateLimiter limiter = RateLimiter.create(portal, redis);
            resources.add(limiter);
            Directory directory = new Directory(db, cache, CredentialVerification.MANUAL_REVIEW);
            Schemas schemas = Schemas.load();
            long jsonBody = limits.getMemorySize("json-body").toBytes();
            HubPseudonym pseudonym = HubPseudonym.from(system.settings().config());
            Projects projects = new Projects(db, limits.getInt("hubs-per-project"), pseudonym);
            List<Endpoint> endpoints = new ArrayList<>(basics(schemas));
            endpoints.addAll(new InstallerRoutes(directory).endpoints());
            endpoints.addAll(new ProjectRoutes(new Templates(db), projects, jsonBody).endpoints());
            endpoints.addAll(new TelemetryRoutes(new HubTelemetry(db, pseudonym),
                    TelemetryRoutes.Windows.from(portal.getConfig("telemetry")), Clock.systemUTC()).endpoints());
            endpoints.addAll(new PlanRoutes(new Plans(db), limits.getMemorySize("floor-plan").toBytes(),
                    limits.getMemorySize("pairing-plan").toBytes()).endpoints());
            HandoverSettings handoverSettings = HandoverSettings.from(portal.getConfig("handover"));
            // The handover asks hubs' entities for their lock; a node without the relay role reaches them by proxy.
            HubLocks.startProxy(system);
            Handover handover = new Handover(db, new AccessKeyVerifier(handoverSettings.accessKeySecret()),
                    handoverSettings.limits(), new ShardedHubLock(system, handoverSettings.lockTimeout()));
            endpoints.addAll(new HandoverRoutes(handover, new StepUp(handoverSettings.stepUpMaxAge(),
                    handoverSettings.stepUpAcr(), oidc.clockSkew(), Clock.systemUTC())).endpoints());
            resources.add(sweeper(system, handover, handoverSettings.sweepInterval()));
            Ota ota = Ota.start(system, dataSource, redis, pseudonym, metrics);
            resources.add(ota);
            endpoints.addAll(ota.endpoints());
            endpoints.addAll(new CertificateRoutes(appCertificates(portal.getConfig("app-certificates")), blocking)
                    .endpoints());
            Router router = new Router(endpoints, new PortalGate(TokenVerifier.create(oidc, issuer), limiter,
                    directory, blocking), schemas, system, http.getDuration("body-timeout"),
                    http.getBoolean("trust-forwarded-for"));
            // The development issuer is not an Endpoint, but minting spends the `token` class like one (per address).
            // Discovery and keys stay unlimited: the portal's own verifier fetches them from this very address.
            // Tested, not consumed, so the issuer's route matches the path itself; on the decoded path, as it does.
            PathMatcher0 tokenPath = PathMatchers.separateOnSlashes(oidc.devIssuer().path()).slash("token")
                    .concat(PathMatchers.pathEnd());
            Route routes = devIssuer.map(dev -> Directives.concat(
                            Directives.pathPrefixTest(tokenPath, () -> router.limited("token", dev.route())),
                            dev.route(), router.route()))
                    .orElseGet(router::route);
            api.set(routes);
            return new Portal(binding, router, devIssuer, resources, ota);
        } catch (IOException e) {
            closeAll(resources);
            binding.unbind();
            throw new UncheckedIOException("the portal cannot start: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(resources);
            binding.unbind();
            throw e;
        }
    }

    /**
     * What the portal's listener needs of Pekko HTTP (with the server's own errors as problems, {@link
     * ProblemHandling#adapt}), set on the binding itself rather than under
     * {@code pekko.http.server}: in the node's fat jar the modules' {@code reference.conf} files are merged into one,
     * and pekko-http's own (appended after ours) silently replaced both keys, leaving every per-address rate limit
     * keyed on "unknown", that is node-wide (docs/portal.md, "Rate limits").
     *
     * @param largestBody the largest body any operation takes; each operation limits its own body below it
     */
    static ServerSettings listenerSettings(ServerSettings server, long largestBody) {
        ServerSettings problems = ProblemHandling.adapt(server);
        return problems
                // The peer address the per-address rate limits are keyed on: a requirement, not a preference.
                .withRemoteAddressAttribute(true)
                .withParserSettings(problems.getParserSettings().withMaxContentLength(largestBody));
    }

    /**
     * The CA that signs app certificates. Production points at an issuing CA's certificate and key (never the root's
     * key); a development node uses the CA it generated in {@code $ORA_HOME/pki}.
     */
    private static AppCertificates appCertificates(Config section) throws IOException {
        Path certificate = Path.of(section.getString("ca-certificate"));
        Path key = Path.of(section.getString("ca-key"));
        if (!Files.isReadable(certificate) || !Files.isReadable(key)) {
            throw new IOException("app certificates need a CA: ora.portal.app-certificates.ca-certificate and "
                    + "ca-key must name readable files (" + certificate + ", " + key + ")");
        }
        return new AppCertificates(new CertificateAuthority(Pem.readCertificates(certificate).get(0),
                Pem.readPrivateKey(key)), section.getDuration("validity"));
    }

    /** Expires AccessKeys and re-applies unconfirmed hub locks on every node; each run is idempotent. */
    private static AutoCloseable sweeper(ActorSystem<?> system, Handover handover, Duration interval) {
        Cancellable task = system.scheduler().scheduleWithFixedDelay(interval, interval, () ->
                handover.sweep().exceptionally(failure -> {
                    LOG.warn("handover sweep failed: {}", Failures.cause(failure).getClass().getSimpleName());
                    return 0;
                }), system.executionContext());
        return task::cancel;
    }

    /** The operations that need nothing but the server: health and the OpenAPI document. */
    private static List<Endpoint> basics(Schemas schemas) {
        byte[] document = schemas.document();
        return List.of(
                Endpoint.get("health", "/v1/health").unlimited().handle(call -> Responses.done(
                        Responses.ok(Map.of("status", "up")))),
                Endpoint.get("openapi", "/openapi.json").handle(call -> Responses.done(HttpResponse.create()
                        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, document)))));
    }

    /** The port actually bound. */
    public int port() {
        return binding.localAddress().getPort();
    }

    /** Every operation the portal serves (for tests and tooling that check the table). */
    public List<Endpoint> endpoints() {
        return router.endpoints();
    }

    /** The development issuer, when no external issuer is configured. */
    public Optional<DevIssuer> devIssuer() {
        return devIssuer;
    }

    /** Stops accepting, lets requests in flight finish within {@code timeout}, then releases Redis clients. */
    public void close(Duration timeout) {
        binding.terminate(timeout).toCompletableFuture().join();
        closeAll(resources);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) { // AutoCloseable.close declares Exception
                LOG.warn("closing {} failed: {}", resource.getClass().getSimpleName(), e.getClass().getName());
            }
        }
    }
}
