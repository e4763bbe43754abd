package io.ora.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lettuce.core.RedisURI;
import java.util.List;
import java.util.Map;

/**
 * An embedded Redis of one test's own ({@link TestRedis#startDedicated()}): the test stops it to see how its code
 * behaves while Redis is down and starts it again (same port, empty) to see it recover. Close it when done.
 */
public final class StoppableRedis implements AutoCloseable {

    private final EmbeddedRedis server;

    StoppableRedis(EmbeddedRedis server) {
        this.server = server;
    }

    public RedisURI uri() {
        return RedisURI.Builder.redis(EmbeddedRedis.LOOPBACK, server.port()).build();
    }

    /**
     * Config with {@code ora.redis} pointing here, over {@code base}. Reconnection backs off to at most 200ms so that
     * recovery tests wait for Redis, not for the back-off.
     */
    public Config config(Config base) {
        return ConfigFactory.parseMap(Map.of("ora.redis.url", TestRedis.url(uri()),
                "ora.redis.key-prefix", TestRedis.keyPrefix(),
                "ora.redis.reconnect-max-delay", "200ms")).withFallback(base);
    }

    /** Every key on this server under the test prefix. */
    public List<String> keys() {
        return TestRedis.keys(uri(), TestRedis.keyPrefix());
    }

    /** Takes Redis away: the process exits and the port is closed when this returns. */
    public void stop() {
        server.stop();
    }

    /** Brings Redis back on the same port, empty. */
    public void start() {
        server.restart();
    }

    public boolean isRunning() {
        return server.isRunning();
    }

    @Override
    public void close() {
        if (server.isRunning()) {
            server.stop();
        }
    }
}
