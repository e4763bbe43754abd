package io.ora.persistence;

import com.typesafe.config.Config;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's Redis: one shared Lettuce {@link RedisClient} and the key prefix every Ora key starts with.
 *
 * <p>With {@code ora.redis.url} set ({@code redis://} or {@code rediss://} for TLS) it talks to that server;
 * otherwise it starts an embedded {@code redis-server} on 127.0.0.1 and a free port, memory only (no snapshots, no
 * append-only file, bounded by {@code ora.redis.embedded.max-memory}). Nothing Ora keeps in Redis is a source of
 * truth: PostgreSQL is, and every user of Redis has a behaviour for when it is unreachable.
 *
 * <p>Guarantees: starting never waits for Redis to answer (connections are opened on first use, see
 * {@link #lazyConnection}), so a node comes up while Redis is down. Commands time out after
 * {@code ora.redis.command-timeout}; while the connection is down they are refused at once rather than queued,
 * because every caller has a fallback and should not wait a timeout per request to use it. Lettuce reconnects on its
 * own, backing off to at most {@code ora.redis.reconnect-max-delay}. The password, if the URL has one, never appears
 * in {@link #toString()} or in this class's logs. Closing shuts the client down and stops the embedded server.
 */
public final class Redis implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Redis.class);

    private final RedisURI uri;
    private final String keyPrefix;
    private final ClientResources resources;
    private final RedisClient client;
    private final Duration reconnectMaxDelay;
    private final Optional<EmbeddedRedis> embedded;

    private Redis(RedisURI uri, String keyPrefix, ClientResources resources, RedisClient client,
                  Duration reconnectMaxDelay, Optional<EmbeddedRedis> embedded) {
        this.uri = uri;
        this.keyPrefix = keyPrefix;
        this.resources = resources;
        this.client = client;
        this.reconnectMaxDelay = reconnectMaxDelay;
        this.embedded = embedded;
    }

    /** Connects the client to (or starts) the Redis described by the {@code ora.redis} section. */
    public static Redis start(Config config) {
        Config redis = config.getConfig("ora.redis");
        String url = redis.getString("url");
        Duration connectTimeout = redis.getDuration("connect-timeout");
        Duration commandTimeout = redis.getDuration("command-timeout");
        Duration reconnectMaxDelay = redis.getDuration("reconnect-max-delay");
        String keyPrefix = redis.getString("key-prefix");
        long embeddedMaxMemory = redis.getBytes("embedded.max-memory");
        if (keyPrefix.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("ora.redis.key-prefix must not contain whitespace");
        }
        // Everything that can fail on bad configuration is read above, before a server process exists.
        Optional<EmbeddedRedis> embedded = Optional.empty();
        RedisURI uri;
        if (url.isBlank()) {
            EmbeddedRedis server = EmbeddedRedis.start(embeddedMaxMemory);
            embedded = Optional.of(server);
            uri = RedisURI.Builder.redis(EmbeddedRedis.LOOPBACK, server.port()).build();
        } else {
            uri = parse(url);
        }
        uri.setTimeout(commandTimeout);
        ClientResources resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ZERO, reconnectMaxDelay, 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
        Redis started = new Redis(uri, keyPrefix, resources, client, reconnectMaxDelay, embedded);
        LOG.info("Redis at {} with key prefix '{}'", redacted(uri), keyPrefix);
        return started;
    }

    /** Where the client connects; carries the password if the URL has one, so never log it (log {@code this}). */
    public RedisURI uri() {
        return uri;
    }

    /** The one client of this node; its options are set here and callers must not change them. */
    public RedisClient client() {
        return client;
    }

    /** Every key Ora writes starts with this ({@code ora.redis.key-prefix}), so several deployments can share. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** The embedded server's loopback address when this node runs one; empty when connected to a URL. */
    public Optional<InetSocketAddress> embeddedServer() {
        return embedded.map(server -> new InetSocketAddress(EmbeddedRedis.LOOPBACK, server.port()));
    }

    /** Whether this node runs the embedded server (development default). */
    public boolean isEmbedded() {
        return embedded.isPresent();
    }

    /**
     * A connection with {@code codec} that is opened on first use and, after a failed attempt, retried at most every
     * {@code ora.redis.reconnect-max-delay}. The caller owns it and closes it.
     */
    public <K, V> LazyConnection<K, V> lazyConnection(RedisCodec<K, V> codec) {
        return new LazyConnection<>(client, codec, uri, reconnectMaxDelay);
    }

    @Override
    public void close() {
        client.shutdown();
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3_000);
        embedded.ifPresent(EmbeddedRedis::stop);
    }

    @Override
    public String toString() {
        return "Redis[" + redacted(uri) + ", keyPrefix=" + keyPrefix + ", embedded=" + isEmbedded() + "]";
    }

    private static RedisURI parse(String url) {
        try {
            return RedisURI.create(url);
        } catch (IllegalArgumentException e) {
            // The cause's message may quote the URL, password included, so it is deliberately not chained.
            throw new IllegalArgumentException("ora.redis.url is not a redis:// or rediss:// URL");
        }
    }

    private static String redacted(RedisURI uri) {
        return (uri.isSsl() ? "rediss" : "redis") + "://" + uri.getHost() + ":" + uri.getPort() + "/"
                + uri.getDatabase();
    }
}
