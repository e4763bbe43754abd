package io.ora.portal.limits;

import com.typesafe.config.Config;
import io.github.bucket4j.ConsumptionProbe;
import io.lettuce.core.RedisException;
import io.lettuce.core.codec.ByteArrayCodec;
import io.ora.core.concurrent.Failures;
import io.ora.persistence.LazyConnection;
import io.ora.persistence.Redis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portal's rate limits: token buckets per user and per client address for each {@link RateClass}, shared by
 * every node through Redis ({@link SharedBuckets}: one atomic script a request).
 *
 * <p>One {@link #acquire} takes a token from the user's bucket (when the class has a per-user limit and the request
 * has a user), then from the address's bucket. A request refused for the user leaves the address's bucket alone, so
 * one throttled user behind a shared address does not use up the others' budget; a request refused for the address
 * gives the user's token back, so a user is not charged for what others at the same address did.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Never blocks the caller: the answer is a stage completed from Lettuce's I/O threads (or at once while Redis
 *       is down); callbacks on it must not block either.
 *   <li>Redis key names hold no user subject and no IP address, only keyed hashes (see {@link BucketKeys}), and
 *       every bucket expires once it would have refilled completely plus {@code keep-after-refill}, so Redis holds
 *       only recently active clients.
 *   <li>While Redis does not answer (connection refused, down, timed out), each class does what its
 *       {@link RateClass.WhenRedisDown} says: {@code local} classes keep limiting with this node's own bounded
 *       buckets, {@code fail-closed} classes refuse with {@link Decision#unavailable()}. Every request tries Redis
 *       first, so decisions come from Redis again as soon as it answers, without a restart.
 *   <li>Every decision is counted ({@link #stats()}).
 * </ul>
 */
public final class RateLimiter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);

    /**
     * The answer for one request. Refused and {@code unavailable}: answer 503 (Redis is down and the class fails
     * closed); refused otherwise: 429. Either way {@code retryAfter} says when to come back (whole seconds, at least
     * one). {@code degradedReason} is present when the decision was made without Redis.
     */
    public record Decision(boolean allowed, boolean unavailable, Optional<Duration> retryAfter,
                           Optional<String> degradedReason) {
        public Decision {
            boolean consistent = allowed != retryAfter.isPresent() && !(allowed && unavailable)
                    && !(unavailable && degradedReason.isEmpty());
            if (!consistent) {
                throw new IllegalArgumentException("inconsistent decision");
            }
        }

        static Decision permit(Optional<String> degradedReason) {
            return new Decision(true, false, Optional.empty(), degradedReason);
        }

        static Decision limited(Duration retryAfter, Optional<String> degradedReason) {
            return new Decision(false, false, Optional.of(retryAfter), degradedReason);
        }

        static Decision redisUnavailable(Duration retryAfter, String reason) {
            return new Decision(false, true, Optional.of(retryAfter), Optional.of(reason));
        }
    }

    /**
     * Decisions since start. {@code allowed + limited + failedClosed} is every decision; {@code degradedLocal} counts
     * those of the allowed and limited ones that this node's local buckets made while Redis was down.
     */
    public record Stats(long allowed, long limited, long degradedLocal, long failedClosed) {
    }

    private final Map<String, RateClass> classes;
    private final BucketKeys keys;
    private final LazyConnection<byte[], byte[]> connection;
    private final SharedBuckets sharedBuckets;
    private final LocalBuckets localBuckets;
    private final Tokens local;
    private final Duration unavailableRetryAfter;
    private final AtomicBoolean degraded = new AtomicBoolean();
    private final LongAdder allowed = new LongAdder();
    private final LongAdder limited = new LongAdder();
    private final LongAdder degradedLocal = new LongAdder();
    private final LongAdder failedClosed = new LongAdder();

    private RateLimiter(Map<String, RateClass> classes, BucketKeys keys, LazyConnection<byte[], byte[]> connection,
                        SharedBuckets sharedBuckets, LocalBuckets localBuckets, Duration unavailableRetryAfter) {
        this.classes = classes;
        this.keys = keys;
        this.connection = connection;
        this.sharedBuckets = sharedBuckets;
        this.localBuckets = localBuckets;
        this.unavailableRetryAfter = unavailableRetryAfter;
        this.local = new Tokens() {
            @Override
            public CompletionStage<ConsumptionProbe> take(Target target) {
                return CompletableFuture.completedFuture(
                        localBuckets.bucket(target.key(), target.limit()).tryConsumeAndReturnRemaining(1));
            }

            @Override
            public void giveBack(Target target) {
                localBuckets.bucket(target.key(), target.limit()).addTokens(1);
            }
        };
    }

    /**
     * Reads {@code rate-limits} from the portal's config section ({@code ora.portal}). Does not wait for Redis: the
     * connection is opened by the first request.
     */
    public static RateLimiter create(Config portalSection, Redis redis) {
        Config config = portalSection.getConfig("rate-limits");
        Map<String, RateClass> classes = RateClass.fromConfig(config.getConfig("classes"));
        BucketKeys keys = new BucketKeys(redis.keyPrefix(), config.getString("key-hash-secret"));
        LocalBuckets localBuckets = new LocalBuckets(config.getInt("local-buckets"));
        Duration unavailableRetryAfter = wholeSeconds(config.getDuration("unavailable-retry-after"));
        return new RateLimiter(classes, keys, redis.lazyConnection(ByteArrayCodec.INSTANCE),
                new SharedBuckets(config.getDuration("keep-after-refill")), localBuckets, unavailableRetryAfter);
    }

    /** The configured classes, by name. */
    public Map<String, RateClass> classes() {
        return classes;
    }

    /**
     * Takes one token for a request of {@code rateClass} from {@code clientIp} (as
     * {@link java.net.InetAddress#getHostAddress()} writes it), by {@code userKey} (the authenticated subject) if any;
     * a class without a per-user limit ignores the user.
     *
     * @throws IllegalArgumentException for an unknown class or a blank address: both are programming errors
     */
    public CompletionStage<Decision> acquire(String rateClass, Optional<String> userKey, String clientIp) {
        RateClass limits = classes.get(rateClass);
        if (limits == null) {
            throw new IllegalArgumentException("no rate class named " + rateClass);
        }
        if (clientIp.isBlank() || userKey.filter(String::isBlank).isPresent()) {
            throw new IllegalArgumentException("client address and user key must not be blank");
        }
        Optional<Target> user = limits.perUser()
                .flatMap(limit -> userKey.map(subject -> new Target(keys.user(limits, limit, subject), limit)));
        Target ip = new Target(keys.ip(limits, limits.perIp(), clientIp), limits.perIp());
        return fromRedis(user, ip)
                .handle((decision, failure) -> failure == null
                        ? redisAnswered(decision)
                        : withoutRedis(limits, user, ip, failure))
                .thenCompose(Function.identity())
                .thenApply(this::counted);
    }

    public Stats stats() {
        return new Stats(allowed.sum(), limited.sum(), degradedLocal.sum(), failedClosed.sum());
    }

    /** Closes this limiter's Redis connection; the {@link Redis} itself belongs to the caller. */
    @Override
    public void close() {
        connection.close();
    }

    private CompletionStage<Decision> fromRedis(Optional<Target> user, Target ip) {
        List<SharedBuckets.Bucket> buckets = new ArrayList<>(2);
        user.ifPresent(target -> buckets.add(new SharedBuckets.Bucket(target.key(), target.limit())));
        buckets.add(new SharedBuckets.Bucket(ip.key(), ip.limit()));
        return connection.use(redis -> sharedBuckets.take(redis, buckets))
                .thenApply(verdict -> verdict.allowed() ? Decision.permit(Optional.empty())
                        : Decision.limited(wholeSeconds(verdict.retryAfter()), Optional.empty()));
    }

    private CompletionStage<Decision> redisAnswered(Decision decision) {
        if (degraded.compareAndSet(true, false)) {
            LOG.info("Redis answers again: rate limits are shared between nodes again");
            localBuckets.clear();
        }
        return CompletableFuture.completedFuture(decision);
    }

    private CompletionStage<Decision> withoutRedis(RateClass limits, Optional<Target> user, Target ip,
                                                   Throwable failure) {
        Throwable cause = Failures.cause(failure);
        if (!(cause instanceof RedisException || cause instanceof TimeoutException)) {
            return CompletableFuture.failedFuture(cause);
        }
        String reason = "redis unavailable (" + cause.getClass().getSimpleName() + ")";
        if (degraded.compareAndSet(false, true)) {
            LOG.warn("Redis does not answer ({}): local classes limit per node, fail-closed classes refuse",
                    cause.getClass().getSimpleName());
        }
        return switch (limits.whenRedisDown()) {
            case LOCAL -> decide(local, user, ip, Optional.of(reason));
            case FAIL_CLOSED -> CompletableFuture.completedFuture(
                    Decision.redisUnavailable(unavailableRetryAfter, reason));
        };
    }

    private static CompletionStage<Decision> decide(Tokens tokens, Optional<Target> user, Target ip,
                                                    Optional<String> degradedReason) {
        if (user.isEmpty()) {
            return tokens.take(ip).thenApply(probe -> verdict(probe, degradedReason));
        }
        return tokens.take(user.get()).thenCompose(userProbe -> {
            if (!userProbe.isConsumed()) {
                return CompletableFuture.completedFuture(verdict(userProbe, degradedReason));
            }
            return tokens.take(ip).thenApply(ipProbe -> {
                if (!ipProbe.isConsumed()) {
                    tokens.giveBack(user.get());
                }
                return verdict(ipProbe, degradedReason);
            });
        });
    }

    private static Decision verdict(ConsumptionProbe probe, Optional<String> degradedReason) {
        return probe.isConsumed()
                ? Decision.permit(degradedReason)
                : Decision.limited(wholeSeconds(Duration.ofNanos(probe.getNanosToWaitForRefill())), degradedReason);
    }

    private Decision counted(Decision decision) {
        if (decision.allowed()) {
            allowed.increment();
        } else if (decision.unavailable()) {
            failedClosed.increment();
        } else {
            limited.increment();
        }
        if (!decision.unavailable() && decision.degradedReason().isPresent()) {
            degradedLocal.increment();
        }
        return decision;
    }

    /** Rounded up to whole seconds, at least one: Retry-After carries whole seconds, and 0 would invite a spin. */
    private static Duration wholeSeconds(Duration duration) {
        long seconds = (duration.toNanos() + 999_999_999L) / 1_000_000_000L;
        return Duration.ofSeconds(Math.max(1, seconds));
    }

    /** One bucket: its Redis key (or local map key) and its limit. */
    private record Target(String key, RateClass.Limit limit) {
    }

    /** Where tokens come from while Redis is down: this node. */
    private interface Tokens {
        CompletionStage<ConsumptionProbe> take(Target target);

        void giveBack(Target target);
    }
}
