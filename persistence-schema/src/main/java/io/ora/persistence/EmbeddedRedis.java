package io.ora.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * A {@code redis-server} child process (the binary bundled by com.github.codemonstur:embedded-redis) listening on
 * 127.0.0.1 only, on a port of its own. It keeps everything in memory: no RDB snapshots, no append-only file, and
 * {@code maxmemory} bounds it. What it holds (rate-limit buckets, cache entries) can all be lost without harm, so
 * nothing is written to disk. It can be stopped and started again on the same port, which is how tests take Redis
 * away from a running client and give it back.
 */
final class EmbeddedRedis {

    static final String LOOPBACK = "127.0.0.1";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedis.class);

    // The free port is probed, released, then bound by redis-server: another process may take it in between.
    private static final int START_ATTEMPTS = 5;

    private final RedisServer server;
    private final int port;

    private EmbeddedRedis(RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts a server on a free loopback port, bounded to {@code maxMemoryBytes}. */
    static EmbeddedRedis start(long maxMemoryBytes) {
        IOException last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            int port = freeLoopbackPort();
            try {
                RedisServer server = RedisServer.newRedisServer()
                        .bind(LOOPBACK)
                        .port(port)
                        .setting("save \"\"")
                        .setting("appendonly no")
                        .setting("maxmemory " + maxMemoryBytes)
                        // Every key Ora writes has a TTL, so under memory pressure the least recently used state
                        // goes first instead of writes failing.
                        .setting("maxmemory-policy volatile-lru")
                        .build();
                server.start();
                LOG.info("embedded Redis started on {}:{} (memory only, at most {} bytes)", LOOPBACK, port,
                        maxMemoryBytes);
                return new EmbeddedRedis(server, port);
            } catch (IOException e) {
                last = e;
            }
        }
        throw new UncheckedIOException("cannot start embedded Redis on " + LOOPBACK, last);
    }

    int port() {
        return port;
    }

    boolean isRunning() {
        return server.isActive();
    }

    /** Starts the stopped server again on the same port, empty. */
    void restart() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart embedded Redis on port " + port, e);
        }
    }

    /** Stops the process and waits for it to exit, so the port is closed when this returns. */
    void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded Redis on port " + port + " did not stop", e);
        }
    }

    private static int freeLoopbackPort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + LOOPBACK, e);
        }
    }
}
