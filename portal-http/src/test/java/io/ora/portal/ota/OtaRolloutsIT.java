package io.ora.portal.ota;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import io.ora.core.firmware.FirmwareKeys;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.ReleaseMetadata;
import io.ora.core.firmware.RootMetadata;
import io.ora.core.firmware.SignedEnvelope;
import io.ora.core.metrics.Metrics;
import io.ora.core.ota.OtaDesk;
import io.ora.persistence.Redis;
import io.ora.persistence.StoppableRedis;
import io.ora.persistence.TestDatabase;
import io.ora.persistence.TestRedis;
import io.ora.persistence.telemetry.HubPseudonym;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts over real PostgreSQL and Redis, on a clock the test moves: stages advance only once soaked (and a pause
 * restarts the soak), failures past a threshold pause the rollout as the system, the desk offers exactly the hubs of
 * the current stage and keeps offering them as it widens, the per-minute cap holds across 10,000 hubs (and per node
 * while Redis is down), and an abort ends offers while reports of hubs that had one still count.
 */
class OtaRolloutsIT {

    private static final KeyPair ROOT = FirmwareKeys.generate();
    private static final KeyPair RELEASE_KEY = FirmwareKeys.generate();
    private static final HubPseudonym PSEUDONYM = new HubPseudonym(new byte[32]);
    private static final AtomicReference<Instant> NOW = new AtomicReference<>(Instant.parse("2027-01-04T10:00:00Z"));
    private static final Clock CLOCK = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return NOW.get();
        }
    };
    private static final UUID OPERATOR = UUID.randomUUID();

    @TempDir
    static Path dir;
    static HikariDataSource dataSource;
    static ExecutorService blocking;
    static Releases releases;
    static Rollouts rollouts;
    static Redis redis;

    @BeforeAll
    static void start() throws Exception {
        dataSource = TestDatabase.dataSource();
        blocking = Executors.newFixedThreadPool(4);
        Db db = new Db(dataSource, blocking);
        releases = new Releases(db, settings(), CLOCK);
        rollouts = new Rollouts(db, CLOCK);
        redis = Redis.start(TestRedis.config(ConfigFactory.defaultReference()));
        OtaTables.reset(dataSource);
        RootMetadata root = new RootMetadata(1, NOW.get().plus(Duration.ofDays(3650)), List.of(ROOT.getPublic()),
                List.of(RELEASE_KEY.getPublic()));
        releases.addRoot(OPERATOR, SignedEnvelope.sign(SignedEnvelope.ROOT_TYPE, root.toJson(),
                List.of(ROOT.getPrivate())).toJson()).toCompletableFuture().join();
    }

    @AfterAll
    static void stop() {
        redis.close();
        blocking.shutdownNow();
    }

    @Test
    void stagesAdvanceOnlyOnceSoakedAndAPauseRestartsTheSoak() {
        Rollouts.Rollout rollout = rollout(List.of(stage(10, 60), stage(50, 60), stage(100, 0)),
                1000, OptionalInt.empty(), OptionalDouble.empty());
        Instant start = NOW.get();
        sweepAt(start.plus(Duration.ofMinutes(59)));
        assertThat(current(rollout).stage()).isZero();
        sweepAt(start.plus(Duration.ofMinutes(60)));
        assertThat(current(rollout).stage()).isEqualTo(1);

        rollouts.move(OPERATOR, rollout.id(), RolloutStatus.Move.PAUSE).toCompletableFuture().join();
        sweepAt(start.plus(Duration.ofMinutes(500)));
        assertThat(current(rollout).stage()).as("a paused rollout does not widen").isEqualTo(1);
        rollouts.move(OPERATOR, rollout.id(), RolloutStatus.Move.RESUME).toCompletableFuture().join();
        sweepAt(start.plus(Duration.ofMinutes(559)));
        assertThat(current(rollout).stage()).as("the soak started again on resume").isEqualTo(1);
        sweepAt(start.plus(Duration.ofMinutes(560)));
        assertThat(current(rollout).stage()).isEqualTo(2);
        sweepAt(start.plus(Duration.ofDays(30)));
        assertThat(current(rollout).stage()).as("the last stage is the last").isEqualTo(2);
        abort(rollout);
    }

    @Test
    void failuresPastTheThresholdPauseTheRolloutAsTheSystem() {
        Rollouts.Rollout rollout = rollout(List.of(stage(100, 0)), 1000, OptionalInt.of(1), OptionalDouble.empty());
        assertThat(report(rollout, hubIn(rollout, 0), Rollouts.Report.FAILED, "hash_mismatch")).isTrue();
        assertThat(current(rollout).status()).as("1 failure is not more than 1").isEqualTo(RolloutStatus.ACTIVE);
        assertThat(report(rollout, hubIn(rollout, 0), Rollouts.Report.FAILED, "install_failed")).isTrue();
        Rollouts.Rollout paused = current(rollout);
        assertThat(paused.status()).isEqualTo(RolloutStatus.PAUSED);
        assertThat(paused.pauseReason()).contains("failures");
        assertThat(actions(rollout.id())).containsExactly("OTA_ROLLOUT_CREATED",
                "OTA_ROLLOUT_AUTO_PAUSED by system");
        abort(rollout);

        Rollouts.Rollout share = rollout(List.of(stage(100, 0)), 1000, OptionalInt.empty(), OptionalDouble.of(50));
        for (int i = 0; i < 2; i++) {
            report(share, hubIn(share, 0), Rollouts.Report.INSTALLED, null);
        }
        report(share, hubIn(share, 0), Rollouts.Report.FAILED, "download_failed");
        assertThat(current(share).status()).as("1 in 3 is not more than 50 %").isEqualTo(RolloutStatus.ACTIVE);
        report(share, hubIn(share, 0), Rollouts.Report.FAILED, "download_failed");
        report(share, hubIn(share, 0), Rollouts.Report.FAILED, "download_failed");
        assertThat(current(share).status()).as("3 in 5").isEqualTo(RolloutStatus.PAUSED);
        abort(share);
    }

    @Test
    void theDeskOffersTheCurrentStagesHubsKeepsThemAsItWidensAndEndsOffersOnAbort() {
        Rollouts.Rollout rollout = rollout(List.of(stage(10, 60), stage(50, 0)), 1_000_000, OptionalInt.empty(),
                OptionalDouble.empty());
        Offers desk = desk();
        List<UUID> hubs = hubs(10_000, 7);
        Set<UUID> first = offered(desk, hubs);
        assertThat(first.size() / 100.0).isBetween(8.0, 12.0);
        sweepAt(NOW.get().plus(Duration.ofMinutes(60)));
        desk.refresh(settings()).toCompletableFuture().join();
        Set<UUID> second = offered(desk, hubs);
        assertThat(second).containsAll(first);
        assertThat(second.size() / 100.0).isBetween(48.0, 52.0);

        UUID inFlight = first.iterator().next();
        abort(rollout);
        desk.refresh(settings()).toCompletableFuture().join();
        assertThat(offered(desk, hubs)).as("nobody is offered an aborted rollout").isEmpty();
        String report = "{\"rollout\":\"" + rollout.id() + "\",\"status\":\"installed\"}";
        assertThat(desk.report(inFlight, report.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join())
                .as("a hub that had the offer finishes, and is counted").isEqualTo(OtaDesk.Receipt.STORED);
    }

    @Test
    void thePerMinuteCapHoldsAcrossTenThousandHubsAndPerNodeWhileRedisIsDown() throws Exception {
        Rollouts.Rollout rollout = rollout(List.of(stage(100, 0)), 100, OptionalInt.empty(), OptionalDouble.empty());
        List<UUID> hubs = hubs(10_000, 11);
        Instant minute = NOW.get().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        NOW.set(minute.plusSeconds(5));
        Offers desk = desk();
        assertThat(offered(desk, hubs)).hasSize(100);
        NOW.set(minute.plusSeconds(59));
        assertThat(offered(desk, hubs)).as("still the same minute").isEmpty();
        NOW.set(minute.plusSeconds(60));
        assertThat(offered(desk, hubs)).as("the next minute").hasSize(100);

        try (StoppableRedis dedicated = TestRedis.startDedicated();
             Redis down = Redis.start(dedicated.config(ConfigFactory.defaultReference()))) {
            dedicated.stop();
            Offers alone = new Offers(rollouts, PSEUDONYM, new OfferRate(down), 1024, CLOCK, new Metrics());
            alone.refresh(settings()).toCompletableFuture().join();
            NOW.set(minute.plusSeconds(125));
            assertThat(offered(alone, hubs)).as("counted on this node alone").hasSize(100);
        }
        abort(rollout);
    }

    @Test
    void reportsOfHubsInNoStageOrOfNoRolloutAreNotKeptAndNoRowHoldsAHubsUuid() throws Exception {
        Rollouts.Rollout rollout = rollout(List.of(stage(1, 0)), 100, OptionalInt.empty(), OptionalDouble.empty());
        Offers desk = desk();
        UUID outside = hubs(10_000, 3).stream().filter(hub -> rollout.plan().stageOf(rollout.plan().bucket(
                PSEUDONYM.of(hub))).isEmpty()).findFirst().orElseThrow();
        String report = "{\"rollout\":\"" + rollout.id() + "\",\"status\":\"installed\"}";
        assertThat(desk.report(outside, report.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join())
                .isEqualTo(OtaDesk.Receipt.REJECTED);
        for (String malformed : List.of("", "{}", "[]", "{\"rollout\":\"" + rollout.id() + "\",\"status\":\"failed\"}",
                "{\"rollout\":\"" + rollout.id() + "\",\"status\":\"failed\",\"reason\":\"because\"}",
                "{\"rollout\":\"" + rollout.id() + "\",\"status\":\"installed\",\"hub\":\"x\"}",
                "{\"rollout\":\"" + UUID.randomUUID() + "\",\"status\":\"installed\"}")) {
            assertThat(desk.report(outside, malformed.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join())
                    .as(malformed).isEqualTo(OtaDesk.Receipt.REJECTED);
        }
        UUID inside = hubIn(rollout, 0);
        assertThat(desk.report(inside, report.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join())
                .isEqualTo(OtaDesk.Receipt.STORED);
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT hub_pseudonym FROM ota_outcome WHERE rollout_id = ?")) {
            select.setObject(1, rollout.id());
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getBytes(1)).isEqualTo(PSEUDONYM.of(inside));
                assertThat(row.next()).isFalse();
            }
        }
        abort(rollout);
    }

    // --- helpers

    private static OtaSettings settings() {
        return new OtaSettings(Optional.of(ROOT.getPublic()), URI.create("https://ota.test:8443"), 64 * 1024 * 1024,
                1024, 8, dir, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofDays(1));
    }

    private static Offers desk() {
        Offers desk = new Offers(rollouts, PSEUDONYM, new OfferRate(redis), 1024, CLOCK, new Metrics());
        desk.refresh(settings()).toCompletableFuture().join();
        return desk;
    }

    /** The hubs of {@code hubs} offered the release now, each checking once. */
    private static Set<UUID> offered(Offers desk, List<UUID> hubs) {
        byte[] check = "{\"model\":\"ora-hub-1\",\"version\":\"1.2.0\"}".getBytes(StandardCharsets.UTF_8);
        List<CompletableFuture<byte[]>> answers = new ArrayList<>();
        for (UUID hub : hubs) {
            answers.add(desk.check(hub, check).toCompletableFuture());
        }
        Set<UUID> offered = new HashSet<>();
        for (int i = 0; i < hubs.size(); i++) {
            String answer = new String(answers.get(i).join(), StandardCharsets.UTF_8);
            if (answer.startsWith("{\"ota\":\"offer\"")) {
                offered.add(hubs.get(i));
            } else {
                assertThat(answer).isIn("{\"ota\":\"none\"}", "{\"ota\":\"wait\",\"reason\":\"rate_limited\"}");
            }
        }
        return offered;
    }

    private static List<UUID> hubs(int count, long seed) {
        Random random = new Random(seed);
        List<UUID> hubs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            hubs.add(new UUID(random.nextLong(), random.nextLong()));
        }
        return hubs;
    }

    /** A fresh hub whose first stage in {@code rollout} is {@code stage}. */
    private static UUID hubIn(Rollouts.Rollout rollout, int stage) {
        while (true) {
            UUID hub = UUID.randomUUID();
            OptionalInt first = rollout.plan().stageOf(rollout.plan().bucket(PSEUDONYM.of(hub)));
            if (first.isPresent() && first.getAsInt() == stage) {
                return hub;
            }
        }
    }

    private static boolean report(Rollouts.Rollout rollout, UUID hub, Rollouts.Report report, String reason) {
        return rollouts.report(rollout.id(), PSEUDONYM.of(hub), report, Optional.ofNullable(reason))
                .toCompletableFuture().join();
    }

    private static RolloutPlan.Stage stage(double percent, long soakMinutes) {
        return new RolloutPlan.Stage(percent, Duration.ofMinutes(soakMinutes));
    }

    /** A new available release of a fresh version and a rollout of it (the model has one open rollout at a time). */
    private static Rollouts.Rollout rollout(List<RolloutPlan.Stage> stages, int perMinute, OptionalInt failures,
                                            OptionalDouble percent) {
        byte[] image = new byte[4096];
        new SecureRandom().nextBytes(image);
        String version = "2." + Math.floorMod(new Random().nextInt(), 1_000_000) + ".0";
        ReleaseMetadata metadata;
        try {
            metadata = new ReleaseMetadata("ora-hub-1", FirmwareVersion.parse(version).orElseThrow(),
                    FirmwareVersion.ZERO, image.length, MessageDigest.getInstance("SHA-256").digest(image), "",
                    NOW.get().plus(Duration.ofDays(3650)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Releases.Release release = releases.register(OPERATOR, SignedEnvelope.sign(SignedEnvelope.RELEASE_TYPE,
                metadata.toJson(), List.of(RELEASE_KEY.getPrivate())).toJson()).toCompletableFuture().join();
        releases.uploadArtifact(OPERATOR, release.id(), image.length, new ByteArrayInputStream(image))
                .toCompletableFuture().join();
        return rollouts.create(OPERATOR, new Rollouts.Request(release.id(), Optional.empty(), Optional.empty(), stages,
                perMinute, failures, percent)).toCompletableFuture().join();
    }

    private static Rollouts.Rollout current(Rollouts.Rollout rollout) {
        return rollouts.progress(rollout.id()).toCompletableFuture().join().orElseThrow().rollout();
    }

    private static void sweepAt(Instant instant) {
        NOW.set(instant);
        rollouts.sweep(Duration.ofDays(1)).toCompletableFuture().join();
    }

    private static void abort(Rollouts.Rollout rollout) {
        try {
            rollouts.move(OPERATOR, rollout.id(), RolloutStatus.Move.ABORT).toCompletableFuture().join();
        } catch (java.util.concurrent.CompletionException e) {
            if (!(e.getCause() instanceof Refused)) {
                throw e;
            }
        }
    }

    /** The audit actions on {@code target}, oldest first, "by system" when the system did it. */
    private static List<String> actions(UUID target) {
        List<String> actions = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT action, actor_user_id FROM audit_event"
                     + " WHERE target_id = ? ORDER BY at, id")) {
            select.setString(1, target.toString());
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    actions.add(row.getString(1) + (row.getObject(2, UUID.class).equals(new UUID(0, 0))
                            ? " by system" : ""));
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return actions;
    }
}
