package io.ora.relay.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.ora.core.metrics.Metrics;
import io.ora.persistence.PortalRows;
import io.ora.persistence.Redis;
import io.ora.persistence.StoppableRedis;
import io.ora.persistence.TestDatabase;
import io.ora.persistence.TestRedis;
import io.ora.relay.RelaySettings;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@link JdbcBindings} against real PostgreSQL and Redis, as two relay nodes would run it (two instances, each with
 * its own Redis client, sharing the database and the Redis server): the scope of each party in each project state,
 * dev grants, invalidation on both nodes through notifications, the load-versus-change race, and Redis and the
 * database going away.
 *
 * <p>Local and shared TTLs are ten minutes here, so whatever changes an answer within a test is an invalidation,
 * never an expiry.
 */
class JdbcBindingsIT {

    private static final Duration LONG = Duration.ofMinutes(10);
    private static final Duration WITHIN = Duration.ofSeconds(5);

    static HikariDataSource pool;
    static ExecutorService blocking;
    static PortalRows portal;
    static RedisClient inspector;

    Node a;
    Node b;

    /** One node's bindings, Redis client and counters. */
    record Node(JdbcBindings bindings, Redis redis, Metrics metrics) implements AutoCloseable {

        static Node start(Config redisConfig) {
            Redis redis = Redis.start(redisConfig);
            Metrics metrics = new Metrics();
            JdbcBindings bindings = JdbcBindings.start(pool, blocking,
                    new RelaySettings.Access(LONG, LONG, 10_000, LONG), Optional.of(redis), metrics);
            Awaitility.await().atMost(WITHIN).until(bindings::isListening);
            return new Node(bindings, redis, metrics);
        }

        Scope scope(String appId, UUID hub) {
            return bindings.scope(appId, hub).toCompletableFuture().join();
        }

        long answeredBy(String level) {
            return metrics.value("ora_relay_access_lookups_total", "answered_by", level);
        }

        long failures(String store) {
            return metrics.value("ora_relay_access_failures_total", "store", store);
        }

        @Override
        public void close() {
            bindings.close();
            redis.close();
        }
    }

    /** An organisation with one installer and one COMMISSIONING project with one hub. */
    record Project(UUID organisation, UUID installer, UUID project, UUID hub) {
        String installerApp() {
            return installer + ":phone";
        }
    }

    @BeforeAll
    static void open() {
        // Every node holds one connection for LISTEN; four nodes and their look-ups need more than the default.
        pool = new HikariDataSource();
        pool.setJdbcUrl(TestDatabase.connection().url());
        pool.setUsername(TestDatabase.connection().user());
        pool.setPassword(TestDatabase.connection().password());
        pool.setMaximumPoolSize(10);
        blocking = Executors.newFixedThreadPool(4);
        portal = new PortalRows(pool);
        inspector = RedisClient.create(TestRedis.uri());
    }

    @AfterAll
    static void close() {
        inspector.shutdown();
        blocking.shutdownNow();
        pool.close();
    }

    @BeforeEach
    void startNodes() {
        a = Node.start(TestRedis.config(ConfigFactory.defaultReference()));
        b = Node.start(TestRedis.config(ConfigFactory.defaultReference()));
    }

    @AfterEach
    void stopNodes() {
        a.close();
        b.close();
    }

    /** A new COMMISSIONING project; returns once {@code nodes} have acted on the notifications its rows caused. */
    static Project commissioning(Node... nodes) {
        UUID organisation = portal.organisation();
        UUID installer = portal.member(organisation);
        UUID project = portal.project(organisation, "COMMISSIONING");
        Project created = new Project(organisation, installer, project, portal.hub(project));
        quiesce(nodes);
        return created;
    }

    /**
     * Returns once every node has acted on every notification sent so far: each handles notifications in order,
     * and Redis answers one connection's commands in order, so a marker announced last is handled last.
     */
    static void quiesce(Node... nodes) {
        UUID marker = UUID.randomUUID();
        List<CountDownLatch> handled = new ArrayList<>();
        for (Node node : nodes) {
            CountDownLatch latch = new CountDownLatch(1);
            node.bindings().afterInvalidation(change -> {
                if (change instanceof BindingChanges.Change.Hub hub && hub.hub().equals(marker)) {
                    latch.countDown();
                }
            });
            handled.add(latch);
        }
        portal.execute("NOTIFY relay_access, 'hub:" + marker + "'");
        for (CountDownLatch latch : handled) {
            await(latch);
        }
        for (Node node : nodes) {
            node.bindings().afterInvalidation(change -> { });
        }
    }

    @Test
    void scopesFollowTheProjectThroughHandover() {
        UUID organisation = portal.organisation();
        UUID installer = portal.member(organisation);
        UUID project = portal.project(organisation, "DRAFT");
        UUID hub = portal.hub(project);
        String installerApp = installer + ":phone";
        String strangerApp = portal.member(portal.organisation()) + ":phone";
        UUID homeowner = portal.user();
        String homeownerApp = homeowner + ":tablet";

        assertThat(a.scope(installerApp, hub)).isEqualTo(Scope.FULL);
        assertThat(a.scope(strangerApp, hub)).isEqualTo(Scope.NONE);
        assertThat(a.scope(homeownerApp, hub)).isEqualTo(Scope.NONE);

        portal.status(project, "COMMISSIONING");
        assertThat(a.scope(installerApp, hub)).isEqualTo(Scope.FULL);

        portal.status(project, "PENDING_HANDOVER");
        awaitScope(a, installerApp, hub, Scope.HANDOVER);
        portal.claim(project, homeowner);
        awaitScope(b, installerApp, hub, Scope.HANDOVER);
        assertThat(b.scope(homeownerApp, hub)).as("a claim alone gives nothing").isEqualTo(Scope.NONE);

        portal.handOver(project, homeowner);
        awaitScope(a, homeownerApp, hub, Scope.FULL);
        awaitScope(a, installerApp, hub, Scope.NONE);
        assertThat(a.scope(homeowner + ":another-install", hub)).isEqualTo(Scope.FULL);

        portal.status(project, "ARCHIVED");
        assertThat(a.scope(homeownerApp, hub)).isEqualTo(Scope.FULL);
        awaitScope(b, installerApp, hub, Scope.NONE);
        assertThat(b.scope(strangerApp, hub)).isEqualTo(Scope.NONE);
    }

    @Test
    void aDevGrantIsFullForAnyAppIdAndTheWidestSourceWins() throws SQLException {
        Project p = commissioning();
        portal.status(p.project(), "PENDING_HANDOVER");
        awaitScope(a, p.installerApp(), p.hub(), Scope.HANDOVER);
        String devApp = "app-" + UUID.randomUUID();
        assertThat(b.scope(devApp, p.hub())).isEqualTo(Scope.NONE);

        a.bindings().grant(p.installerApp(), p.hub());
        a.bindings().grant(devApp, p.hub());

        assertThat(a.scope(p.installerApp(), p.hub())).as("granted on this node").isEqualTo(Scope.FULL);
        assertThat(a.scope(devApp, p.hub())).isEqualTo(Scope.FULL);
        awaitScope(b, devApp, p.hub(), Scope.FULL);

        a.bindings().revoke(p.installerApp(), p.hub());
        assertThat(a.scope(p.installerApp(), p.hub())).as("the project still gives").isEqualTo(Scope.HANDOVER);
        b.bindings().revoke(devApp, p.hub());
        awaitScope(a, devApp, p.hub(), Scope.NONE);
    }

    @Test
    void onlyTheCanonicalSpellingOfAUserIdIsThatUser() {
        Project p = commissioning();

        assertThat(a.scope(p.installer().toString().toUpperCase() + ":phone", p.hub())).isEqualTo(Scope.NONE);
        assertThat(a.scope(p.installer().toString(), p.hub())).as("no install id").isEqualTo(Scope.NONE);
        assertThat(a.scope(p.installerApp(), p.hub())).isEqualTo(Scope.FULL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"member removed", "project pending handover", "project archived", "hub removed",
        "project deleted"})
    void aCachedAnswerChangesOnBothNodesWithinSecondsOfTheChange(String change) {
        Project p = commissioning(a, b);
        long loadsBefore = a.answeredBy("database") + b.answeredBy("database");
        assertThat(a.scope(p.installerApp(), p.hub())).isEqualTo(Scope.FULL);
        assertThat(b.scope(p.installerApp(), p.hub())).isEqualTo(Scope.FULL);
        assertThat(a.scope(p.installerApp(), p.hub())).isEqualTo(Scope.FULL);
        assertThat(b.scope(p.installerApp(), p.hub())).isEqualTo(Scope.FULL);
        // One load from PostgreSQL in all: node B found node A's answer in Redis, then both kept it locally.
        assertThat(a.answeredBy("database") + b.answeredBy("database") - loadsBefore).isEqualTo(1);
        assertThat(b.answeredBy("redis")).isEqualTo(1);
        assertThat(a.answeredBy("local")).isEqualTo(1);
        assertThat(b.answeredBy("local")).isEqualTo(1);

        Scope expected = Scope.NONE;
        switch (change) {
            case "member removed" -> portal.removeMember(p.organisation(), p.installer());
            case "project pending handover" -> {
                portal.status(p.project(), "PENDING_HANDOVER");
                expected = Scope.HANDOVER;
            }
            case "project archived" -> portal.status(p.project(), "ARCHIVED");
            case "hub removed" -> portal.removeHub(p.hub());
            case "project deleted" -> portal.execute("DELETE FROM project WHERE id = ?", p.project());
            default -> throw new IllegalArgumentException(change);
        }

        awaitScope(a, p.installerApp(), p.hub(), expected);
        awaitScope(b, p.installerApp(), p.hub(), expected);
    }

    @Test
    void aLoadThatReadTheOldAnswerBeforeAChangeCannotStoreItForAnyone() throws Exception {
        Project p = commissioning(a, b);
        String installerGeneration = TestRedis.keyPrefix() + "access-gen:user:" + p.installer();
        CountDownLatch loaded = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean armed = new AtomicBoolean(true);
        a.bindings().afterQuery(() -> {
            if (armed.compareAndSet(true, false)) {
                loaded.countDown();
                await(release);
            }
        });
        try {
            CompletableFuture<Scope> late = a.bindings().scope(p.installerApp(), p.hub()).toCompletableFuture();
            assertThat(loaded.await(5, TimeUnit.SECONDS)).as("the load read PostgreSQL").isTrue();
            String generationBefore = redisGet(installerGeneration);
            assertThat(generationBefore).isNotNull();

            portal.removeMember(p.organisation(), p.installer());
            Awaitility.await().atMost(WITHIN).until(() -> !generationBefore.equals(redisGet(installerGeneration)));
            release.countDown();

            assertThat(late.get(5, TimeUnit.SECONDS)).as("what the load read, before the change").isEqualTo(Scope.FULL);
            assertThat(storedAnswers(p.installerApp())).as("the stale answer was stored, under the old generation")
                    .containsExactly("FULL");
            assertThat(a.scope(p.installerApp(), p.hub())).isEqualTo(Scope.NONE);
            assertThat(b.scope(p.installerApp(), p.hub())).isEqualTo(Scope.NONE);
            assertThat(storedAnswers(p.installerApp())).containsExactlyInAnyOrder("FULL", "NONE");
        } finally {
            release.countDown();
            a.bindings().afterQuery(() -> { });
        }
    }

    @Test
    void whileRedisIsDownAnswersComeFromPostgresAndRedisIsUsedAgainOnceItIsBack() {
        try (StoppableRedis server = TestRedis.startDedicated()) {
            Config config = server.config(ConfigFactory.defaultReference());
            try (Node c = Node.start(config); Node d = Node.start(config)) {
                Project p = commissioning(c, d);
                assertThat(c.scope(p.installerApp(), p.hub())).isEqualTo(Scope.FULL);
                assertThat(d.scope(p.installerApp(), p.hub())).isEqualTo(Scope.FULL);
                assertThat(d.answeredBy("redis")).isEqualTo(1);

                server.stop();
                Project q = commissioning();
                long loads = c.answeredBy("database");
                assertThat(c.scope(q.installerApp(), q.hub())).isEqualTo(Scope.FULL);
                assertThat(c.answeredBy("database")).isEqualTo(loads + 1);
                assertThat(c.failures("redis")).isPositive();
                portal.removeMember(p.organisation(), p.installer());
                awaitScope(c, p.installerApp(), p.hub(), Scope.NONE);
                awaitScope(d, p.installerApp(), p.hub(), Scope.NONE);

                server.start();
                long hits = d.answeredBy("redis");
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                    Project fresh = commissioning(c, d);
                    return c.scope(fresh.installerApp(), fresh.hub()) == Scope.FULL
                            && d.scope(fresh.installerApp(), fresh.hub()) == Scope.FULL
                            && d.answeredBy("redis") > hits;
                });
                assertThat(c.scope(p.installerApp(), p.hub())).isEqualTo(Scope.NONE);
            }
        }
    }

    @Test
    void whileChangesAreAnnouncedAnAnswerInUseIsKeptForTheAnnouncedTtlNotTheLocalOne() throws SQLException {
        AtomicLong clock = new AtomicLong();
        Metrics metrics = new Metrics();
        RelaySettings.Access settings = new RelaySettings.Access(Duration.ofSeconds(2), Duration.ofSeconds(60), 100,
                LONG);
        String app = "app-" + UUID.randomUUID();
        UUID hub = UUID.randomUUID();
        a.bindings().grant(app, hub);
        try (Redis redis = Redis.start(TestRedis.config(ConfigFactory.defaultReference()));
             JdbcBindings bindings = JdbcBindings.start(pool, blocking, settings, Optional.of(redis), metrics,
                     clock::get)) {
            Awaitility.await().atMost(WITHIN).until(bindings::isListening);
            assertThat(bindings.answerLifetime()).isEqualTo(Duration.ofSeconds(60));
            assertThat(bindings.scope(app, hub).toCompletableFuture().join()).isEqualTo(Scope.FULL);
            long asked = lookUps(metrics, "redis") + lookUps(metrics, "database");
            assertThat(asked).as("the first answer came from a store").isEqualTo(1);

            // Far beyond local-ttl, within announced-ttl: still this node's own answer.
            clock.addAndGet(Duration.ofSeconds(59).toNanos());
            assertThat(bindings.scope(app, hub).toCompletableFuture().join()).isEqualTo(Scope.FULL);
            assertThat(lookUps(metrics, "local")).isEqualTo(1);
            assertThat(lookUps(metrics, "redis") + lookUps(metrics, "database")).isEqualTo(asked);

            // Reading it did not extend it: past announced-ttl since it was stored, it is asked for again.
            clock.addAndGet(Duration.ofSeconds(2).toNanos());
            assertThat(bindings.scope(app, hub).toCompletableFuture().join()).isEqualTo(Scope.FULL);
            assertThat(lookUps(metrics, "redis") + lookUps(metrics, "database")).isEqualTo(asked + 1);
        } finally {
            a.bindings().revoke(app, hub);
        }
    }

    @Test
    void aNodeThatHearsNoAnnouncementsKeepsAnswersOnlyForTheLocalTtl() {
        PGSimpleDataSource nowhere = unreachableDatabase();
        try (JdbcBindings bindings = JdbcBindings.start(nowhere, blocking, new RelaySettings.Access(
                Duration.ofSeconds(2), Duration.ofSeconds(60), 100, LONG), Optional.of(a.redis()), new Metrics())) {
            assertThat(bindings.isListening()).isFalse();
            assertThat(bindings.answerLifetime()).isEqualTo(Duration.ofSeconds(2));
        }
    }

    @Test
    void anAnnouncedTtlShorterThanTheLocalOneIsRefused() {
        assertThatThrownBy(() -> new RelaySettings.Access(Duration.ofSeconds(2), Duration.ofSeconds(1), 100, LONG))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("announced-ttl (PT1S) must be at least local-ttl (PT2S)");
    }

    /** A PostgreSQL that refuses every connection at once (nothing listens on port 1). */
    private static PGSimpleDataSource unreachableDatabase() {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setServerNames(new String[] {"127.0.0.1"});
        nowhere.setPortNumbers(new int[] {1});
        nowhere.setConnectTimeout(1);
        return nowhere;
    }

    private static long lookUps(Metrics metrics, String level) {
        return metrics.value("ora_relay_access_lookups_total", "answered_by", level);
    }

    @Test
    void withoutTheDatabaseLookUpsFailSoThePublishIsRefused() {
        PGSimpleDataSource nowhere = unreachableDatabase();
        Metrics metrics = new Metrics();
        UUID hub = UUID.randomUUID();
        try (JdbcBindings bindings = JdbcBindings.start(nowhere, blocking,
                new RelaySettings.Access(LONG, LONG, 100, LONG), Optional.of(a.redis()), metrics)) {
            for (int attempt = 1; attempt <= 2; attempt++) {
                assertThatThrownBy(() -> bindings.scope("app-1", hub).toCompletableFuture().join())
                        .isInstanceOf(CompletionException.class).hasCauseInstanceOf(IllegalStateException.class);
                assertThat(metrics.value("ora_relay_access_failures_total", "store", "database"))
                        .as("asked again: a failure is not cached").isEqualTo(attempt);
            }
            assertThat(bindings.isListening()).isFalse();
        }
    }

    private static void awaitScope(Node node, String appId, UUID hub, Scope expected) {
        Awaitility.await().atMost(WITHIN).pollInterval(Duration.ofMillis(20))
                .until(() -> node.scope(appId, hub) == expected);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String redisGet(String key) {
        return withRedis(redis -> redis.sync().get(key));
    }

    /** The answers stored in Redis for {@code appId}, under any generation. */
    private static List<String> storedAnswers(String appId) {
        List<String> keys = TestRedis.keys().stream().filter(key -> key.endsWith(":" + appId)).toList();
        return withRedis(redis -> keys.stream().map(key -> redis.sync().get(key)).toList());
    }

    private static <T> T withRedis(Function<StatefulRedisConnection<String, String>, T> work) {
        try (StatefulRedisConnection<String, String> connection = inspector.connect()) {
            return work.apply(connection);
        }
    }
}
