package io.ora.portal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import io.ora.core.metrics.Metrics;
import io.ora.core.pki.DevPki;
import io.ora.persistence.Redis;
import io.ora.persistence.TestDatabase;
import io.ora.persistence.TestRedis;
import io.ora.persistence.telemetry.HubPseudonym;
import io.ora.portal.auth.Role;
import io.ora.portal.dev.DevIssuer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real portal for a test class: its own actor system and HTTP port, this JVM's test PostgreSQL and Redis, and the
 * development issuer for tokens. Register with {@code @RegisterExtension static TestPortal portal = new TestPortal();}
 * (optionally with config overrides). Every id a test creates is random, so classes never see each other's data.
 */
public final class TestPortal implements BeforeAllCallback, AfterAllCallback {

    private final Config overrides;
    private ActorSystem<Void> system;
    private HikariDataSource dataSource;
    private Redis redis;
    private Portal portal;
    private Path keyDir;
    private HubPseudonym pseudonym;
    private final TestHubLocks hubLocks = new TestHubLocks();
    private final Metrics metrics = new Metrics();

    /** The portal's metrics (request latency by route). */
    public Metrics metrics() {
        return metrics;
    }

    public TestPortal() {
        this(Map.of());
    }

    public TestPortal(Map<String, Object> overrides) {
        this(ConfigFactory.parseMap(overrides));
    }

    /** With {@code overrides} above the test defaults (e.g. a dedicated Redis a test can stop). */
    public TestPortal(Config overrides) {
        this.overrides = overrides;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        keyDir = Files.createTempDirectory("oidc");
        DevPki pki = DevPki.openOrCreate(keyDir.resolve("pki"));
        Config config = overrides
                .withFallback(generousLimits())
                .withFallback(ConfigFactory.parseMap(Map.of(
                        "ora.portal.http.host", "127.0.0.1", "ora.portal.http.port", 0,
                        "ora.portal.oidc.dev-issuer.key-dir", keyDir.toString(),
                        "ora.portal.handover.secret-file", keyDir.resolve("access-key-secret").toString(),
                        "ora.telemetry.secret-file", keyDir.resolve("telemetry-pseudonym-secret").toString(),
                        "ora.portal.handover.lock-timeout", "2s",
                        "ora.portal.handover.sweep-interval", "1s",
                        "ora.portal.app-certificates.ca-certificate", pki.caCertificate().toString(),
                        "ora.portal.app-certificates.ca-key", pki.caKey().toString(),
                        "pekko.loglevel", "WARNING")))
                .withFallback(TestHubLocks.CLUSTER)
                .withFallback(TestRedis.config(TestDatabase.config(ConfigFactory.load())))
                .resolve();
        system = ActorSystem.create(Behaviors.empty(), "portal-test", config);
        dataSource = TestDatabase.dataSource();
        redis = Redis.start(config);
        hubLocks.start(system);
        portal = Portal.start(system, dataSource, redis, metrics);
        // Read after the portal made the secret file, from the same configuration: the same key as the portal's.
        pseudonym = HubPseudonym.from(config);
    }

    /**
     * Every test JVM shares one Redis and every request comes from 127.0.0.1, so shipped per-address limits would
     * make test classes throttle each other; tests of limiting itself override these.
     */
    private static Config generousLimits() {
        Map<String, Object> limits = new java.util.HashMap<>();
        for (String rateClass : new String[] {"read", "write", "upload", "sensitive", "token"}) {
            limits.put("ora.portal.rate-limits.classes." + rateClass + ".per-ip.capacity", 1_000_000);
            if (!rateClass.equals("token")) {
                limits.put("ora.portal.rate-limits.classes." + rateClass + ".per-user.capacity", 1_000_000);
            }
        }
        return ConfigFactory.parseMap(limits);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (portal != null) {
            portal.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (dataSource != null) {
            dataSource.close();
        }
        if (system != null) {
            system.terminate();
        }
    }

    public Portal portal() {
        return portal;
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /** The hub locks the portal has asked the (stand-in) hub entities for. */
    TestHubLocks hubLocks() {
        return hubLocks;
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** The pseudonyms this portal reads and erases hub telemetry under, for tests that store rows themselves. */
    public HubPseudonym pseudonym() {
        return pseudonym;
    }

    /** A client for this portal. */
    public ApiClient client() {
        return new ApiClient(portal.port());
    }

    /** A fresh user of {@code role} with a token from the development issuer. */
    public String token(Role role) {
        return token("user-" + UUID.randomUUID(), role);
    }

    public String token(String subject, Role... roles) {
        return token(subject, Optional.empty(), roles);
    }

    /** A token whose {@code auth_time} lies {@code authAge} in the past (step-up tests). */
    public String token(String subject, Optional<Duration> authAge, Role... roles) {
        DevIssuer issuer = portal.devIssuer().orElseThrow();
        return issuer.mint(new DevIssuer.TokenRequest(subject, Set.of(roles), authAge, Optional.empty(),
                Optional.of("Test User"), Optional.of(subject + "@example.test")));
    }
}
