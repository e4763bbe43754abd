package io.ora.portal.cache;

import com.typesafe.config.Config;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.ora.core.concurrent.Failures;
import io.ora.persistence.LazyConnection;
import io.ora.persistence.Redis;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-through cache in Redis for hot look-ups whose answer is a short id: which organisation owns project X, is
 * user U a member of organisation O. PostgreSQL stays the source of truth; this only saves it the repeated reads.
 *
 * <p><b>What may be cached.</b> Keys and values are ids, never personal data: no names, e-mail addresses, phone
 * numbers or free text, because nothing here is deleted when a project's personal data is (DESIGN.md §5). Keys are
 * refused unless made of letters, digits and {@code . _ : -} (so an e-mail address cannot be a key). An empty answer
 * from the loader ("no such project") is not cached, so a row created a moment later is found at once.
 *
 * <p><b>Invalidation.</b> Whoever changes the source of truth calls {@link #invalidate} after the change is
 * committed, never before. Each entry is a Redis hash {@code <prefix>cache:<namespace>:<key>} holding the value
 * {@code v} and a generation {@code g}. {@link #invalidate} increments {@code g} and deletes {@code v} in one script.
 * On a miss, {@link #get} reads the generation together with the (missing) value, calls the loader, and stores the
 * loaded value with a script that writes it only if {@code g} is still the generation it read. So a load that read
 * the source of truth before an invalidation cannot store its stale answer after it: the invalidation changed the
 * generation in between. The whole hash expires {@code ora.portal.cache.ttl} after its latest write; a load that
 * took longer than the TTL is not stored either, because by then the generation it would compare against may itself
 * have expired. (If Redis evicts an entry under memory pressure while a load of it is in flight, that one guarantee
 * weakens to the TTL; operators run Redis with room to spare.)
 *
 * <p><b>Redis down.</b> {@link #get} answers from the loader and {@link #invalidate} completes normally: the portal
 * keeps serving from PostgreSQL. An invalidation lost that way leaves a stale entry for at most the TTL once Redis is
 * back (a Redis that restarted empty has no stale entries at all). Failures are counted ({@link #stats()}) and logged
 * once per outage.
 *
 * <p>Stages complete on Lettuce's I/O threads or the loader's; callbacks on them must not block.
 */
public final class RedisCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCache.class);

    private static final Pattern NAMESPACE = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,200}");

    private static final String VALUE = "v";
    private static final String GENERATION = "g";

    // KEYS[1] entry; ARGV[1] generation read before loading, ARGV[2] value, ARGV[3] TTL in ms. 1 = stored.
    private static final String STORE_IF_CURRENT = """
            local generation = redis.call('HGET', KEYS[1], 'g') or '0'
            if generation ~= ARGV[1] then
              return 0
            end
            redis.call('HSET', KEYS[1], 'v', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """;

    // KEYS[1] entry; ARGV[1] TTL in ms. The generation outlives the value by the TTL, for loads still in flight.
    private static final String INVALIDATE = """
            redis.call('HINCRBY', KEYS[1], 'g', 1)
            redis.call('HDEL', KEYS[1], 'v')
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            return 1
            """;

    /**
     * Since start: answers from Redis ({@code hits}), loads after a miss ({@code misses}), Redis failures
     * ({@code errors}: each look-up among them was answered by the loader), and loaded values not stored because an
     * invalidation came in between or the load outlasted the TTL ({@code staleStoresSkipped}).
     */
    public record Stats(long hits, long misses, long errors, long staleStoresSkipped) {
    }

    private final LazyConnection<String, String> connection;
    private final String prefix;
    private final Duration ttl;
    private final boolean enabled;
    private final AtomicBoolean degraded = new AtomicBoolean();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder staleStoresSkipped = new LongAdder();

    private RedisCache(LazyConnection<String, String> connection, String prefix, Duration ttl, boolean enabled) {
        this.connection = connection;
        this.prefix = prefix;
        this.ttl = ttl;
        this.enabled = enabled;
    }

    /** Reads {@code cache} from the portal's config section ({@code ora.portal}); does not wait for Redis. */
    public static RedisCache create(Config portalSection, Redis redis) {
        Config config = portalSection.getConfig("cache");
        Duration ttl = config.getDuration("ttl");
        if (ttl.toMillis() <= 0) {
            throw new IllegalArgumentException("ora.portal.cache.ttl must be at least 1ms");
        }
        return new RedisCache(redis.lazyConnection(StringCodec.UTF8), redis.keyPrefix() + "cache:", ttl,
                config.getBoolean("enabled"));
    }

    /**
     * The cached value of {@code key} in {@code namespace}; on a miss, {@code loader}'s answer, stored for next
     * time unless an invalidation came in between. Fails only if the loader fails.
     */
    public CompletionStage<Optional<String>> get(String namespace, String key,
                                                 Supplier<CompletionStage<Optional<String>>> loader) {
        String entry = entryKey(namespace, key);
        if (!enabled) {
            return loader.get();
        }
        long started = System.nanoTime();
        return lookUp(entry)
                .handle((found, failure) -> {
                    if (failure != null) {
                        redisFailed(failure);
                        return loader.get();
                    }
                    redisAnswered();
                    if (found.value().isPresent()) {
                        hits.increment();
                        return CompletableFuture.completedFuture(found.value());
                    }
                    misses.increment();
                    return loader.get().thenCompose(loaded -> loaded.isPresent()
                            ? storeIfCurrent(entry, found.generation(), loaded.get(), started).thenApply(v -> loaded)
                            : CompletableFuture.completedFuture(loaded));
                })
                .thenCompose(Function.identity());
    }

    /**
     * Drops the entry, and makes sure no load that started before this call stores its answer afterwards. Call it
     * after the change to the source of truth is committed. Completes normally even while Redis is down.
     */
    public CompletionStage<Void> invalidate(String namespace, String key) {
        String entry = entryKey(namespace, key);
        if (!enabled) {
            return CompletableFuture.completedFuture(null);
        }
        return withRedis(redis -> redis.async().<Long>eval(INVALIDATE, ScriptOutputType.INTEGER,
                new String[] {entry}, Long.toString(ttl.toMillis())))
                .handle((done, failure) -> {
                    if (failure != null) {
                        redisFailed(failure);
                    } else {
                        redisAnswered();
                    }
                    return null;
                });
    }

    public Stats stats() {
        return new Stats(hits.sum(), misses.sum(), errors.sum(), staleStoresSkipped.sum());
    }

    /** Closes this cache's Redis connection; the {@link Redis} itself belongs to the caller. */
    @Override
    public void close() {
        connection.close();
    }

    private record Entry(Optional<String> value, String generation) {
    }

    private CompletionStage<Entry> lookUp(String entry) {
        return withRedis(redis -> redis.async().hmget(entry, VALUE, GENERATION)).thenApply(RedisCache::entry);
    }

    private static Entry entry(List<KeyValue<String, String>> fields) {
        Optional<String> value = Optional.empty();
        String generation = "0";
        for (KeyValue<String, String> field : fields) {
            if (field.hasValue() && VALUE.equals(field.getKey())) {
                value = Optional.of(field.getValue());
            } else if (field.hasValue() && GENERATION.equals(field.getKey())) {
                generation = field.getValue();
            }
        }
        return new Entry(value, generation);
    }

    private CompletionStage<Void> storeIfCurrent(String entry, String generation, String value, long started) {
        if (System.nanoTime() - started >= ttl.toNanos()) {
            staleStoresSkipped.increment();
            return CompletableFuture.completedFuture(null);
        }
        return withRedis(redis -> redis.async().<Long>eval(STORE_IF_CURRENT, ScriptOutputType.INTEGER,
                new String[] {entry}, generation, value, Long.toString(ttl.toMillis())))
                .handle((stored, failure) -> {
                    if (failure != null) {
                        redisFailed(failure);
                    } else if (stored == 0L) {
                        staleStoresSkipped.increment();
                    }
                    return null;
                });
    }

    private <T> CompletionStage<T> withRedis(Function<StatefulRedisConnection<String, String>, CompletionStage<T>> op) {
        return connection.use(op);
    }

    private void redisFailed(Throwable failure) {
        Throwable cause = Failures.cause(failure);
        if (!(cause instanceof RedisException || cause instanceof TimeoutException)) {
            throw new CompletionException(cause);
        }
        errors.increment();
        if (degraded.compareAndSet(false, true)) {
            LOG.warn("Redis does not answer ({}): cached look-ups go to the source of truth, invalidations are lost "
                    + "(entries expire within {})", cause.getClass().getSimpleName(), ttl);
        }
    }

    private void redisAnswered() {
        if (degraded.compareAndSet(true, false)) {
            LOG.info("Redis answers again: look-ups are cached again");
        }
    }

    private String entryKey(String namespace, String key) {
        if (!NAMESPACE.matcher(namespace).matches() || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("cache namespace must match " + NAMESPACE + " and key " + KEY);
        }
        return prefix + namespace + ":" + key;
    }
}
