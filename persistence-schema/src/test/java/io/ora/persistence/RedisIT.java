package io.ora.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class RedisIT {

    private static final Config REFERENCE = ConfigFactory.defaultReference();

    @Test
    void anEmptyUrlStartsAnEmbeddedServerOnLoopbackThatCloseStops() {
        InetSocketAddress address;
        try (Redis redis = Redis.start(ConfigFactory.parseMap(Map.of("ora.redis.url", "")).withFallback(REFERENCE))) {
            assertThat(redis.isEmbedded()).isTrue();
            address = redis.embeddedServer().orElseThrow();
            assertThat(address.getAddress().isLoopbackAddress()).isTrue();
            assertThat(redis.keyPrefix()).isEqualTo(REFERENCE.getString("ora.redis.key-prefix"));

            try (StatefulRedisConnection<String, String> connection = redis.client().connect()) {
                String key = redis.keyPrefix() + "redis-test:" + UUID.randomUUID();
                connection.sync().set(key, "written");
                assertThat(connection.sync().get(key)).isEqualTo("written");
                // Memory only: nothing is ever snapshotted to disk.
                assertThat(connection.sync().configGet("save")).containsEntry("save", "");
                assertThat(connection.sync().configGet("appendonly")).containsEntry("appendonly", "no");
            }
        }
        assertThatThrownBy(() -> connectTo(address)).isInstanceOf(IOException.class);
    }

    @Test
    void aUrlConnectsToThatServerUnderTheConfiguredPrefix() {
        try (Redis redis = Redis.start(TestRedis.config(REFERENCE));
             StatefulRedisConnection<String, String> connection = redis.client().connect()) {
            assertThat(redis.isEmbedded()).isFalse();
            assertThat(redis.embeddedServer()).isEmpty();
            assertThat(redis.keyPrefix()).isEqualTo(TestRedis.keyPrefix());
            String key = redis.keyPrefix() + "redis-test:" + UUID.randomUUID();

            connection.sync().set(key, "written");

            assertThat(connection.sync().get(key)).isEqualTo("written");
            assertThat(TestRedis.keys()).contains(key);
        }
    }

    @Test
    void thePasswordNeverAppearsInToString() {
        // Starting does not connect, so an unreachable server with a password is enough.
        Config config = ConfigFactory.parseMap(Map.of("ora.redis.url", "redis://ora:s3cret-pw@127.0.0.1:1/3"))
                .withFallback(REFERENCE);
        try (Redis redis = Redis.start(config)) {
            assertThat(redis.toString()).doesNotContain("s3cret-pw").contains("127.0.0.1:1/3");
            assertThat(redis.uri().toString()).doesNotContain("s3cret-pw");
        }
    }

    @Test
    void aNodeStartedWhileRedisIsDownConnectsOnceItIsUp() {
        try (StoppableRedis server = TestRedis.startDedicated()) {
            server.stop();
            try (Redis redis = Redis.start(server.config(REFERENCE));
                 LazyConnection<String, String> connection = redis.lazyConnection(StringCodec.UTF8)) {
                assertThatThrownBy(() -> connection.get().toCompletableFuture().join())
                        .isInstanceOf(CompletionException.class)
                        .hasRootCauseInstanceOf(java.net.ConnectException.class)
                        .cause().isInstanceOf(RedisConnectionException.class);

                server.start();

                eventually(Duration.ofSeconds(10),
                        () -> "PONG".equals(connection.get().toCompletableFuture().join().sync().ping()));
            }
        }
    }

    @Test
    void aConnectionSurvivesAnOutageAndFailsFastDuringIt() {
        try (StoppableRedis server = TestRedis.startDedicated();
             Redis redis = Redis.start(server.config(REFERENCE));
             LazyConnection<String, String> lazy = redis.lazyConnection(StringCodec.UTF8)) {
            StatefulRedisConnection<String, String> connection = lazy.get().toCompletableFuture().join();
            assertThat(connection.sync().ping()).isEqualTo("PONG");

            server.stop();
            eventually(Duration.ofSeconds(5), () -> !connection.isOpen());
            // Refused at once, not queued until the command timeout: Lettuce's rejection, never its timeout.
            assertThatThrownBy(() -> connection.async().ping().toCompletableFuture().join())
                    .isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(RedisException.class).isNotInstanceOf(RedisCommandTimeoutException.class)
                    .hasMessageContaining("not connected");

            server.start();

            eventually(Duration.ofSeconds(10), () -> "PONG".equals(connection.sync().ping()));
            assertThat(lazy.get().toCompletableFuture().join()).isSameAs(connection);
        }
    }

    /**
     * Polls {@code condition} until it holds, treating a Redis failure as "not yet". This module has no Awaitility;
     * the poll interval only spaces out attempts, nothing waits for a fixed time to pass.
     */
    private static void eventually(Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RedisException | CompletionException notYet) {
                // Redis is not back yet.
            }
            assertThat(System.nanoTime()).as("condition within %s", limit).isLessThan(deadline);
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    private static void connectTo(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 500);
        }
    }
}
