package io.ora.portal.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lettuce.core.api.StatefulRedisConnection;
import io.ora.persistence.Redis;
import io.ora.persistence.StoppableRedis;
import io.ora.persistence.TestRedis;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real Redis: read-through, invalidation, the load/invalidate race, and Redis being down. */
class RedisCacheIT {

    private static final String NAMESPACE = "project-org";
    private static final Config CONFIG = ConfigFactory.defaultReference();

    private static Redis redis;
    private RedisCache cache;

    @BeforeAll
    static void startRedis() {
        redis = Redis.start(TestRedis.config(CONFIG));
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void createCache() {
        cache = RedisCache.create(CONFIG.getConfig("ora.portal"), redis);
    }

    @AfterEach
    void closeCache() {
        cache.close();
    }

    @Test
    void aMissLoadsAndStoresAndAHitDoesNotLoad() throws Exception {
        String project = freshId();
        CountingLoader loader = new CountingLoader("org-1");

        assertThat(get(cache, project, loader)).contains("org-1");
        assertThat(get(cache, project, loader)).contains("org-1");
        assertThat(get(cache, project, loader)).contains("org-1");

        assertThat(loader.calls).hasValue(1);
        assertThat(cache.stats()).isEqualTo(new RedisCache.Stats(2, 1, 0, 0));
    }

    @Test
    void anEntryExpiresAfterTheTtl() throws Exception {
        String project = freshId();
        get(cache, project, new CountingLoader("org-1"));

        try (StatefulRedisConnection<String, String> connection = redis.client().connect()) {
            long ttl = connection.sync().pttl(TestRedis.keyPrefix() + "cache:" + NAMESPACE + ":" + project);
            assertThat(ttl).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(5).toMillis());
        }
    }

    @Test
    void afterAnInvalidationTheNextGetLoadsTheNewValue() throws Exception {
        String project = freshId();
        get(cache, project, new CountingLoader("org-1"));

        cache.invalidate(NAMESPACE, project).toCompletableFuture().get(5, TimeUnit.SECONDS);
        CountingLoader moved = new CountingLoader("org-2");

        assertThat(get(cache, project, moved)).contains("org-2");
        assertThat(get(cache, project, moved)).contains("org-2");
        assertThat(moved.calls).hasValue(1);
    }

    @Test
    void aLoadThatStartedBeforeAnInvalidationDoesNotStoreItsStaleValue() throws Exception {
        String project = freshId();
        CompletableFuture<Optional<String>> slowLoad = new CompletableFuture<>();
        AtomicInteger loads = new AtomicInteger();
        CompletionStage<Optional<String>> first = cache.get(NAMESPACE, project, () -> {
            loads.incrementAndGet();
            return slowLoad;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> loads.get() == 1);

        // The source of truth changes while the load that read the old value is still in flight.
        cache.invalidate(NAMESPACE, project).toCompletableFuture().get(5, TimeUnit.SECONDS);
        slowLoad.complete(Optional.of("org-stale"));

        assertThat(first.toCompletableFuture().get(5, TimeUnit.SECONDS)).contains("org-stale");
        CountingLoader fresh = new CountingLoader("org-new");
        assertThat(get(cache, project, fresh)).contains("org-new");
        assertThat(get(cache, project, fresh)).contains("org-new");
        assertThat(fresh.calls).hasValue(1);
        assertThat(cache.stats().staleStoresSkipped()).isEqualTo(1);
    }

    @Test
    void anEmptyAnswerIsNotCached() throws Exception {
        String project = freshId();
        CountingLoader absent = new CountingLoader(null);

        assertThat(get(cache, project, absent)).isEmpty();
        assertThat(get(cache, project, absent)).isEmpty();

        assertThat(absent.calls).hasValue(2);
    }

    @Test
    void whileRedisIsDownTheLoaderAnswersAndInvalidationsComplete() throws Exception {
        try (StoppableRedis server = TestRedis.startDedicated()) {
            Config config = server.config(CONFIG);
            try (Redis nodesRedis = Redis.start(config);
                 RedisCache degraded = RedisCache.create(config.getConfig("ora.portal"), nodesRedis)) {
                String project = freshId();
                CountingLoader loader = new CountingLoader("org-1");
                assertThat(get(degraded, project, loader)).contains("org-1");

                server.stop();

                assertThat(get(degraded, project, loader)).contains("org-1");
                assertThat(get(degraded, project, loader)).contains("org-1");
                degraded.invalidate(NAMESPACE, project).toCompletableFuture().get(5, TimeUnit.SECONDS);
                assertThat(loader.calls).hasValue(3);
                assertThat(degraded.stats().errors()).isEqualTo(3);

                server.start();

                await().atMost(Duration.ofSeconds(15)).until(() -> {
                    get(degraded, project, loader);
                    return degraded.stats().hits() > 0;
                });
            }
        }
    }

    @Test
    void aDisabledCacheAlwaysLoads() throws Exception {
        Config disabled = ConfigFactory.parseMap(Map.of("ora.portal.cache.enabled", false)).withFallback(CONFIG);
        try (RedisCache off = RedisCache.create(disabled.getConfig("ora.portal"), redis)) {
            String project = freshId();
            CountingLoader loader = new CountingLoader("org-1");

            get(off, project, loader);
            get(off, project, loader);

            assertThat(loader.calls).hasValue(2);
        }
    }

    @Test
    void keysThatCouldBePersonalDataAreRefused() {
        CountingLoader loader = new CountingLoader("org-1");

        assertThatThrownBy(() -> cache.get(NAMESPACE, "someone@example.com", loader))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cache.get(NAMESPACE, "Jane Doe", loader)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cache.invalidate("Project Org", "p1")).isInstanceOf(IllegalArgumentException.class);
        assertThat(loader.calls).hasValue(0);
    }

    private static Optional<String> get(RedisCache cache, String key,
                                        Supplier<CompletionStage<Optional<String>>> loader)
            throws InterruptedException, ExecutionException, TimeoutException {
        return cache.get(NAMESPACE, key, loader).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static String freshId() {
        return UUID.randomUUID().toString();
    }

    /** A loader answering from a fixed "database row" ({@code null}: no row), counting its calls. */
    private static final class CountingLoader implements Supplier<CompletionStage<Optional<String>>> {

        private final Optional<String> row;
        private final AtomicInteger calls = new AtomicInteger();

        CountingLoader(String row) {
            this.row = Optional.ofNullable(row);
        }

        @Override
        public CompletionStage<Optional<String>> get() {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(row);
        }
    }
}
