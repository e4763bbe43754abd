package io.ora.relay.access;

import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.Counter;
import io.ora.core.concurrent.Failures;
import io.ora.persistence.LazyConnection;
import io.ora.persistence.Redis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The level of the access cache that every relay node shares: scopes in Redis, loaded from PostgreSQL on a miss and
 * invalidated by generations rather than by finding and deleting entries (no SCAN, no KEYS).
 *
 * <p><b>Generations.</b> There is one generation per hub ({@code <prefix>access-gen:hub:<uuid>}), one per portal
 * user ({@code <prefix>access-gen:user:<uuid>}) and one for everything ({@code <prefix>access-gen:all}). An entry's
 * key holds the generations it was loaded under:
 * {@code <prefix>access:<all>.<hub>.<user>:<hub uuid>:<app id>} (the user part is {@code -} for an app id that names
 * no portal user). Invalidating a hub, a user or everything replaces that generation with a fresh random value, so
 * every entry under the old one is orphaned at once: nobody computes its key again, and it expires by its TTL.
 * Generations are random, not counters, so a generation that is lost (expired, evicted, or Redis restarted empty)
 * and started afresh can never repeat an old value and bring back the entries stored under it.
 *
 * <p><b>The race this closes.</b> A look-up reads the generations <em>before</em> it queries PostgreSQL, and stores
 * what it loaded under the key made of them. Suppose a change commits after that query read the old rows: the
 * change's notification reaches the nodes after the commit, so the generation is replaced after the query too, and
 * the stale answer is stored (whenever that happens, however late) under the old generation, where no look-up will
 * read it again. If the generation was replaced before the look-up read it, the query started after the commit and
 * saw the change. Either way a late store is never read back. What remains is the moment between a commit and the
 * first replacement, in which the entry stored before the change is still found: the notification's delivery time.
 *
 * <p><b>Invalidations that did not reach Redis.</b> A replacement that fails (Redis unreachable from this node) is
 * remembered; before this node reads Redis again it replaces the generation of everything, so an entry that should
 * have been orphaned cannot be read by it. Other nodes replaced the generation themselves on the same notification,
 * or owe the same. When a node (re)starts listening for notifications it cannot know what it missed, and owes the
 * same.
 *
 * <p><b>Redis down.</b> Look-ups are answered by the loader (PostgreSQL), failures are counted and logged once per
 * outage, and the node uses Redis again as soon as it answers (Lettuce reconnects by itself).
 *
 * <p>Stages complete on Lettuce's I/O threads or the loader's; nothing here blocks.
 */
final class SharedScopes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SharedScopes.class);

    // KEYS: generation keys; ARGV[1]: their TTL in ms; ARGV[i + 1]: a fresh generation for KEYS[i] if it has none.
    private static final String GENERATIONS = """
            local generations = {}
            for i, key in ipairs(KEYS) do
              local generation = redis.call('GET', key)
              if generation then
                redis.call('PEXPIRE', key, ARGV[1])
              else
                generation = ARGV[i + 1]
                redis.call('SET', key, generation, 'PX', ARGV[1])
              end
              generations[i] = generation
            end
            return generations
            """;

    private final LazyConnection<String, String> connection;
    private final String prefix;
    private final Duration ttl;
    private final Counter hits;
    private final Counter failures;
    private final AtomicBoolean degraded = new AtomicBoolean();
    // Invalidations that may not have reached Redis, and how many of them a replaced "all" generation covers.
    private final AtomicLong owed = new AtomicLong();
    private final AtomicLong covered = new AtomicLong();

    /** Counts look-ups answered from Redis in {@code hits} and failed Redis commands in {@code failures}. */
    SharedScopes(Redis redis, Duration ttl, Counter hits, Counter failures) {
        if (ttl.toMillis() <= 0) {
            throw new IllegalArgumentException("ora.relay.access.redis-ttl must be at least 1ms");
        }
        this.connection = redis.lazyConnection(StringCodec.UTF8);
        this.prefix = redis.keyPrefix();
        this.ttl = ttl;
        this.hits = hits;
        this.failures = failures;
    }

    /**
     * The scope of {@code pair} from Redis; on a miss, {@code loader}'s answer, stored under the generations read
     * before the loader ran. While Redis fails, the loader's answer. Fails only if the loader fails.
     */
    CompletionStage<Scope> scope(JdbcBindings.Pair pair, Supplier<CompletionStage<Scope>> loader) {
        return settleOwed()
                .thenCompose(settled -> generations(pair))
                .thenCompose(generations -> {
                    String entry = entryKey(generations, pair);
                    return withRedis(redis -> redis.async().get(entry)).thenApply(found -> new Read(entry, found));
                })
                .handle((read, failure) -> {
                    if (failure != null) {
                        redisFailed(failure);
                        return loader.get();
                    }
                    redisAnswered();
                    Optional<Scope> cached = Scope.parse(read.value());
                    if (cached.isPresent()) {
                        hits.increment();
                        return CompletableFuture.completedFuture(cached.get());
                    }
                    return loader.get().thenCompose(loaded -> store(read.entry(), loaded).thenApply(v -> loaded));
                })
                .thenCompose(Function.identity());
    }

    /**
     * Orphans every entry {@code change} may have made stale. Completes normally even when Redis fails; the failure
     * is then owed (see the class comment).
     */
    CompletionStage<Void> invalidate(BindingChanges.Change change) {
        return replace(generationOf(change)).handle((done, failure) -> {
            if (failure != null) {
                owed.incrementAndGet();
                redisFailed(failure);
            } else {
                redisAnswered();
            }
            return null;
        });
    }

    /** This node may have missed invalidations: it reads Redis again only after orphaning every entry. */
    void owe() {
        owed.incrementAndGet();
    }

    /** Pays what is owed now rather than on the next look-up. */
    CompletionStage<Void> settle() {
        return settleOwed().handle((settled, failure) -> {
            if (failure != null) {
                redisFailed(failure);
            }
            return null;
        });
    }

    /** Closes this level's connection; the {@link Redis} belongs to the caller. */
    @Override
    public void close() {
        connection.close();
    }

    private record Read(String entry, String value) {
    }

    /** Completes once nothing is owed (replacing the generation of everything if needed); fails if Redis fails. */
    private CompletionStage<Void> settleOwed() {
        long target = owed.get();
        if (covered.get() >= target) {
            return CompletableFuture.completedFuture(null);
        }
        return replace(allGeneration()).thenAccept(done -> covered.accumulateAndGet(target, Math::max));
    }

    private CompletionStage<List<String>> generations(JdbcBindings.Pair pair) {
        List<String> keys = new ArrayList<>(3);
        keys.add(allGeneration());
        keys.add(hubGeneration(pair.hub()));
        pair.portalUser().ifPresent(user -> keys.add(userGeneration(user)));
        String[] arguments = new String[keys.size() + 1];
        arguments[0] = Long.toString(ttl.toMillis());
        for (int i = 1; i < arguments.length; i++) {
            arguments[i] = freshGeneration();
        }
        return withRedis(redis -> redis.async().<List<Object>>eval(GENERATIONS, ScriptOutputType.MULTI,
                keys.toArray(String[]::new), arguments))
                .thenApply(values -> values.stream().map(String.class::cast).toList());
    }

    private String entryKey(List<String> generations, JdbcBindings.Pair pair) {
        String user = generations.size() > 2 ? generations.get(2) : "-";
        return prefix + "access:" + generations.get(0) + "." + generations.get(1) + "." + user + ":" + pair.hub()
                + ":" + pair.appId();
    }

    private CompletionStage<Void> store(String entry, Scope scope) {
        return withRedis(redis -> redis.async().set(entry, scope.name(), SetArgs.Builder.px(ttl.toMillis())))
                .handle((stored, failure) -> {
                    if (failure != null) {
                        redisFailed(failure);
                    }
                    return null;
                });
    }

    private CompletionStage<String> replace(String generationKey) {
        return withRedis(redis -> redis.async().set(generationKey, freshGeneration(),
                SetArgs.Builder.px(ttl.toMillis())));
    }

    /** A dev grant is one pair, but pairs have no generation of their own: the hub's covers it. */
    private String generationOf(BindingChanges.Change change) {
        if (change instanceof BindingChanges.Change.Pair pair) {
            return hubGeneration(pair.hub());
        }
        if (change instanceof BindingChanges.Change.Hub hub) {
            return hubGeneration(hub.hub());
        }
        if (change instanceof BindingChanges.Change.User user) {
            return userGeneration(user.user());
        }
        return allGeneration();
    }

    private String allGeneration() {
        return prefix + "access-gen:all";
    }

    private String hubGeneration(UUID hub) {
        return prefix + "access-gen:hub:" + hub;
    }

    private String userGeneration(UUID user) {
        return prefix + "access-gen:user:" + user;
    }

    private static String freshGeneration() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    private <T> CompletionStage<T> withRedis(Function<StatefulRedisConnection<String, String>, CompletionStage<T>> op) {
        return connection.use(op);
    }

    private void redisFailed(Throwable failure) {
        Throwable cause = Failures.cause(failure);
        if (!(cause instanceof RedisException || cause instanceof TimeoutException
                || cause instanceof IllegalStateException)) {
            throw new CompletionException(cause);
        }
        failures.increment();
        if (degraded.compareAndSet(false, true)) {
            LOG.warn("Redis does not answer ({}): relay access look-ups go to PostgreSQL until it does",
                    cause.getClass().getSimpleName());
        }
    }

    private void redisAnswered() {
        if (degraded.compareAndSet(true, false)) {
            LOG.info("Redis answers again: relay access look-ups use the shared cache again");
        }
    }
}
