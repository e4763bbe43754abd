package io.ora.portal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lettuce.core.api.StatefulRedisConnection;
import io.ora.persistence.Redis;
import io.ora.persistence.StoppableRedis;
import io.ora.persistence.TestRedis;
import io.ora.portal.limits.RateLimiter.Decision;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real Redis: limits per user and per address, shared between nodes, and what happens without Redis. */
class RateLimiterIT {

    /** Small classes so a test exhausts a bucket in a few calls; one token returns every 20 seconds. */
    private static final Config CONFIG = ConfigFactory.parseString("""
            ora.portal.rate-limits.classes {
              test-local {
                per-user { capacity = 3, period = 1m }
                per-ip { capacity = 5, period = 1m }
                when-redis-down = local
              }
              test-closed {
                per-user { capacity = 3, period = 1m }
                per-ip { capacity = 5, period = 1m }
                when-redis-down = fail-closed
              }
              test-anonymous {
                per-ip { capacity = 3, period = 1m }
                when-redis-down = local
              }
              test-busy {
                per-user { capacity = 100, period = 1h }
                per-ip { capacity = 1000, period = 1h }
                when-redis-down = local
              }
            }
            """).withFallback(ConfigFactory.defaultReference());

    private static Redis redis;
    private static RateLimiter limiter;

    @BeforeAll
    static void start() {
        Config config = TestRedis.config(CONFIG);
        redis = Redis.start(config);
        limiter = RateLimiter.create(config.getConfig("ora.portal"), redis);
    }

    @AfterAll
    static void stop() {
        limiter.close();
        redis.close();
    }

    @Test
    void underContentionABucketAllowsExactlyItsCapacity() {
        String ip = freshIp();
        String user = "busy-" + UUID.randomUUID();
        List<CompletableFuture<Decision>> racing = IntStream.range(0, 300)
                .mapToObj(i -> limiter.acquire("test-busy", Optional.of(user), ip).toCompletableFuture()).toList();

        long allowed = racing.stream().map(CompletableFuture::join).filter(Decision::allowed)
                .count();

        assertThat(allowed).as("300 concurrent requests, capacity 100").isEqualTo(100);
        assertThat(take(limiter, "test-busy", null, ip).allowed()).as("the address spent exactly 100 of 1000")
                .isTrue();
    }

    @Test
    void aBucketAllowsItsCapacityThenRefusesUntilATokenRefills() {
        String ip = freshIp();

        for (int i = 0; i < 3; i++) {
            assertThat(take(limiter, "test-anonymous", null, ip).allowed()).isTrue();
        }
        Decision refused = take(limiter, "test-anonymous", null, ip);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.unavailable()).isFalse();
        assertThat(refused.degradedReason()).isEmpty();
        // 3 per minute: the next token is 20 seconds after the first one was taken, rounded up to whole seconds.
        assertThat(refused.retryAfter()).hasValueSatisfying(retryAfter ->
                assertThat(retryAfter).isBetween(Duration.ofSeconds(19), Duration.ofSeconds(20)));
    }

    @Test
    void oneUserRunningOutDoesNotAffectAnotherUserElsewhere() {
        String alice = freshUser();
        String aliceIp = freshIp();
        for (int i = 0; i < 3; i++) {
            assertThat(take(limiter, "test-local", alice, aliceIp).allowed()).isTrue();
        }
        assertThat(take(limiter, "test-local", alice, aliceIp).allowed()).isFalse();
        // Her limit follows her to another address.
        assertThat(take(limiter, "test-local", alice, freshIp()).allowed()).isFalse();

        assertThat(take(limiter, "test-local", freshUser(), freshIp()).allowed()).isTrue();
    }

    @Test
    void manyUsersBehindOneAddressShareTheAddressLimit() {
        String office = freshIp();
        for (int i = 0; i < 5; i++) {
            assertThat(take(limiter, "test-local", freshUser(), office).allowed()).isTrue();
        }

        Decision sixth = take(limiter, "test-local", freshUser(), office);

        assertThat(sixth.allowed()).isFalse();
        assertThat(sixth.retryAfter()).isPresent();
    }

    @Test
    void aUserRefusedForTheirAddressIsNotChargedForIt() {
        String office = freshIp();
        for (int i = 0; i < 5; i++) {
            take(limiter, "test-local", freshUser(), office);
        }
        String bob = freshUser();
        assertThat(take(limiter, "test-local", bob, office).allowed()).isFalse();

        String home = freshIp();
        for (int i = 0; i < 3; i++) {
            assertThat(take(limiter, "test-local", bob, home).allowed()).isTrue();
        }
        assertThat(take(limiter, "test-local", bob, home).allowed()).isFalse();
    }

    @Test
    void twoNodesOnOneRedisShareTheBuckets() {
        try (Redis otherNodesRedis = Redis.start(TestRedis.config(CONFIG));
             RateLimiter otherNode = RateLimiter.create(CONFIG.getConfig("ora.portal"), otherNodesRedis)) {
            String ip = freshIp();

            assertThat(take(limiter, "test-anonymous", null, ip).allowed()).isTrue();
            assertThat(take(otherNode, "test-anonymous", null, ip).allowed()).isTrue();
            assertThat(take(limiter, "test-anonymous", null, ip).allowed()).isTrue();

            assertThat(take(otherNode, "test-anonymous", null, ip).allowed()).isFalse();
            assertThat(take(limiter, "test-anonymous", null, ip).allowed()).isFalse();
        }
    }

    @Test
    void redisKeysHoldNeitherSubjectsNorAddressesAndExpire() {
        String subject = "installer-" + UUID.randomUUID() + "@example.com";
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String ip = "198.51." + random.nextInt(256) + "." + random.nextInt(1, 255);
        take(limiter, "test-local", subject, ip);

        List<String> keys = TestRedis.keys().stream().filter(key -> key.contains(":rl:test-local:")).toList();

        assertThat(keys).isNotEmpty().allSatisfy(key -> {
            assertThat(key).startsWith(TestRedis.keyPrefix() + "rl:").doesNotContain(subject).doesNotContain(ip);
            assertThat(key).matches(".*:[0-9a-f]{32}");
        });
        try (StatefulRedisConnection<String, String> connection = redis.client().connect()) {
            for (String key : keys) {
                // At most a full refill (one minute) plus keep-after-refill (10s) from now.
                assertThat(connection.sync().pttl(key)).isPositive().isLessThanOrEqualTo(70_000L);
            }
        }
    }

    @Test
    void withoutRedisLocalClassesLimitPerNodeAndFailClosedClassesRefuseUntilRedisIsBack() {
        try (StoppableRedis server = TestRedis.startDedicated()) {
            Config config = server.config(CONFIG);
            try (Redis nodesRedis = Redis.start(config);
                 RateLimiter node = RateLimiter.create(config.getConfig("ora.portal"), nodesRedis)) {
                assertThat(take(node, "test-local", freshUser(), freshIp()).degradedReason()).isEmpty();

                server.stop();

                String user = freshUser();
                String ip = freshIp();
                for (int i = 0; i < 3; i++) {
                    Decision local = take(node, "test-local", user, ip);
                    assertThat(local.allowed()).isTrue();
                    assertThat(local.degradedReason()).isPresent();
                }
                Decision limitedLocally = take(node, "test-local", user, ip);
                assertThat(limitedLocally.allowed()).isFalse();
                assertThat(limitedLocally.unavailable()).isFalse();
                assertThat(limitedLocally.degradedReason()).isPresent();
                assertThat(limitedLocally.retryAfter()).isPresent();

                Decision closed = take(node, "test-closed", freshUser(), freshIp());
                assertThat(closed.allowed()).isFalse();
                assertThat(closed.unavailable()).isTrue();
                assertThat(closed.retryAfter()).contains(Duration.ofSeconds(5));

                assertThat(node.stats()).isEqualTo(new RateLimiter.Stats(4, 1, 4, 1));

                server.start();

                await().atMost(Duration.ofSeconds(15))
                        .until(() -> take(node, "test-closed", freshUser(), freshIp()).degradedReason().isEmpty());
                String back = freshIp();
                for (int i = 0; i < 3; i++) {
                    assertThat(take(node, "test-anonymous", null, back)).satisfies(decision -> {
                        assertThat(decision.allowed()).isTrue();
                        assertThat(decision.degradedReason()).isEmpty();
                    });
                }
                assertThat(take(node, "test-anonymous", null, back).allowed()).isFalse();
                assertThat(server.keys()).isNotEmpty();
            }
        }
    }

    @Test
    void anUnknownClassIsAProgrammingError() {
        assertThatThrownBy(() -> limiter.acquire("no-such-class", Optional.empty(), freshIp()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Decision take(RateLimiter limiter, String rateClass, String user, String ip) {
        try {
            return limiter.acquire(rateClass, Optional.ofNullable(user), ip).toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no decision", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String freshUser() {
        return "user-" + UUID.randomUUID();
    }

    /**
     * An address in a random /64 of the documentation prefix (addresses are limited per /64), so that no two tests
     * meet in one bucket: 32 random bits.
     */
    private static String freshIp() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return String.format("2001:db8:%x:%x::1", random.nextInt(0x10000), random.nextInt(0x10000));
    }
}
