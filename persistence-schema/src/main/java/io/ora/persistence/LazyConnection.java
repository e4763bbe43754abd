package io.ora.persistence;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.RedisCodec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Lettuce connection, opened on first use instead of at start, so that a node starts, and serves its
 * "Redis is down" behaviour, while Redis is unreachable. Get it from {@link Redis#lazyConnection}.
 *
 * <p>Guarantees: {@link #get()} never blocks. While no connection exists, callers share one connection attempt;
 * after a failed attempt they get that failure at once until the retry interval has passed, so an unreachable Redis
 * costs no time per request. Once a connection is established it is handed out for good: Lettuce reconnects it by
 * itself after an outage, and commands issued while it is down fail fast (see {@link Redis}). Closing closes the
 * connection, including one still being opened.
 */
public final class LazyConnection<K, V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LazyConnection.class);

    private final RedisClient client;
    private final RedisCodec<K, V> codec;
    private final RedisURI uri;
    private final long retryNanos;

    // Guarded by this. Completes only after failedAt is recorded, so a failed attempt always has its time.
    private CompletableFuture<StatefulRedisConnection<K, V>> attempt;
    private long failedAt;
    private boolean closed;

    LazyConnection(RedisClient client, RedisCodec<K, V> codec, RedisURI uri, Duration retryInterval) {
        this.client = client;
        this.codec = codec;
        this.uri = uri;
        this.retryNanos = retryInterval.toNanos();
    }

    /** The connection, or the failure of the latest attempt to open it. */
    public CompletionStage<StatefulRedisConnection<K, V>> get() {
        CompletableFuture<StatefulRedisConnection<K, V>> current;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("Redis connection closed"));
            }
            if (attempt == null || attempt.isCompletedExceptionally() && System.nanoTime() - failedAt >= retryNanos) {
                attempt = connect();
            }
            current = attempt;
        }
        // A copy, so no caller can complete the shared attempt.
        return current.copy();
    }

    /**
     * Runs {@code operation} on the connection. Lettuce reports most failures through the returned future but a few
     * synchronously; both come back here as a failed stage, so callers handle one path.
     */
    public <T> CompletionStage<T> use(Function<StatefulRedisConnection<K, V>, CompletionStage<T>> operation) {
        try {
            return get().thenCompose(operation);
        } catch (RedisException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void close() {
        CompletableFuture<StatefulRedisConnection<K, V>> last;
        synchronized (this) {
            closed = true;
            last = attempt;
            attempt = null;
        }
        if (last == null) {
            return;
        }
        if (last.isDone() && !last.isCompletedExceptionally()) {
            // Closed before returning, so a client shutdown right after does not close it a second time.
            last.join().close();
        } else {
            last.thenAccept(StatefulRedisConnection::closeAsync);
        }
    }

    private CompletableFuture<StatefulRedisConnection<K, V>> connect() {
        return client.connectAsync(codec, uri).toCompletableFuture().whenComplete((connection, failure) -> {
            if (failure != null) {
                synchronized (this) {
                    failedAt = System.nanoTime();
                }
                LOG.debug("cannot connect to Redis: {}", failure.getClass().getSimpleName());
            }
        });
    }
}
