package io.ora.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Redis every integration test in this JVM uses: one embedded server the harness starts itself (and stops when
 * the JVM exits), unless {@code ORA_TEST_REDIS_HOST} names a server ({@code ORA_TEST_REDIS_PORT}, 6379). Either way
 * a real Redis. A named server that does not answer fails the run instead of falling back to an embedded one.
 *
 * <p>Isolation: other suites may share a named server, so this JVM writes only keys under its own prefix
 * {@code ora-test-<random hex>:} ({@link #keyPrefix()}), and when the JVM exits it deletes exactly those keys with
 * SCAN and UNLINK, never KEYS or FLUSHDB. The prefix is hex and a colon, so it is also a literal SCAN pattern.
 *
 * <p>For "Redis is down" tests, {@link #startDedicated()} gives a test a server of its own that it can stop and start
 * again.
 */
public final class TestRedis {

    private static final String KEY_PREFIX =
            "ora-test-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6)) + ":";

    private static RedisURI uri;

    private TestRedis() {
    }

    /** The shared test server, found or started on first use. */
    public static synchronized RedisURI uri() {
        if (uri == null) {
            uri = locate();
        }
        return uri;
    }

    /** The prefix this JVM's keys carry; every key under it is deleted at exit. */
    public static String keyPrefix() {
        return KEY_PREFIX;
    }

    /** Config with {@code ora.redis} pointing at the shared test server under this JVM's prefix, over {@code base}. */
    public static Config config(Config base) {
        return ConfigFactory.parseMap(Map.of("ora.redis.url", url(uri()), "ora.redis.key-prefix", KEY_PREFIX))
                .withFallback(base);
    }

    /** The keys this JVM has written to the shared server so far. */
    public static List<String> keys() {
        return keys(uri(), KEY_PREFIX);
    }

    /**
     * A separate embedded Redis on a port of its own, even when a server is named, that the caller stops
     * and starts again at will and closes when done.
     */
    public static StoppableRedis startDedicated() {
        return new StoppableRedis(EmbeddedRedis.start(embeddedMaxMemory()));
    }

    /** Every key on {@code server} that starts with {@code prefix} (hex, dashes and colons only: no glob chars). */
    static List<String> keys(RedisURI server, String prefix) {
        List<String> keys = new ArrayList<>();
        withCommands(server, redis -> scan(redis, prefix, keys::addAll));
        return keys;
    }

    static String url(RedisURI server) {
        return "redis://" + server.getHost() + ":" + server.getPort() + "/" + server.getDatabase();
    }

    static long embeddedMaxMemory() {
        return ConfigFactory.defaultReference().getBytes("ora.redis.embedded.max-memory");
    }

    private static RedisURI locate() {
        Optional<InetSocketAddress> server = TestServers.named("ORA_TEST_REDIS_HOST", "ORA_TEST_REDIS_PORT", 6379);
        if (server.isPresent()) {
            RedisURI named = RedisURI.Builder.redis(server.get().getHostString(), server.get().getPort()).build();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteOurKeys(named), "test-redis-cleanup"));
            return named;
        }
        // Nobody else uses an embedded server, so there is nothing to clean: stopping it discards everything.
        EmbeddedRedis embedded = EmbeddedRedis.start(embeddedMaxMemory());
        Runtime.getRuntime().addShutdownHook(new Thread(embedded::stop, "test-redis-stop"));
        return RedisURI.Builder.redis(EmbeddedRedis.LOOPBACK, embedded.port()).build();
    }

    private static void deleteOurKeys(RedisURI server) {
        try {
            withCommands(server, redis -> scan(redis, KEY_PREFIX, batch -> redis.unlink(batch.toArray(String[]::new))));
        } catch (RedisException e) {
            // The JVM is exiting and the server went away; the keys under a random prefix harm no one else.
        }
    }

    private static void scan(RedisCommands<String, String> redis, String prefix, Consumer<List<String>> batches) {
        ScanArgs match = ScanArgs.Builder.matches(prefix + "*").limit(500);
        KeyScanCursor<String> cursor = redis.scan(match);
        while (true) {
            if (!cursor.getKeys().isEmpty()) {
                batches.accept(cursor.getKeys());
            }
            if (cursor.isFinished()) {
                return;
            }
            cursor = redis.scan(cursor, match);
        }
    }

    private static void withCommands(RedisURI server, Consumer<RedisCommands<String, String>> work) {
        RedisURI target = RedisURI.Builder.redis(server.getHost(), server.getPort())
                .withDatabase(server.getDatabase())
                .withTimeout(Duration.ofSeconds(5))
                .build();
        RedisClient client = RedisClient.create(target);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            work.accept(connection.sync());
        } finally {
            client.shutdown();
        }
    }
}
