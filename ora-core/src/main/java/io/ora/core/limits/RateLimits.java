package io.ora.core.limits;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;
import java.time.Duration;

/**
 * The one way a role makes a token bucket: {@code perSecond} tokens a second, holding at most {@code burst}, full
 * when made, refilled continuously (bucket4j's greedy refill) on the monotonic nanosecond clock.
 *
 * <p>Two kinds, so each caller pays only for the synchronization it needs: {@link #shared} for a bucket several
 * threads take from (a listener's accept rate, a per-hub limit on HTTP threads), and {@link #confined} for one only
 * its owner's thread ever touches (a connection's buckets on its Netty event loop), which bucket4j then keeps with no
 * lock and no compare-and-set.
 */
public final class RateLimits {

    private RateLimits() {
    }

    /** A full bucket safe to take from on any thread (bucket4j's lock-free bucket). */
    public static Bucket shared(double perSecond, long burst) {
        return bucket(perSecond, burst, SynchronizationStrategy.LOCK_FREE, TimeMeter.SYSTEM_NANOTIME);
    }

    /**
     * A full bucket for one thread only (bucket4j's unsynchronized bucket): the caller guarantees no other thread
     * ever uses it, as a channel's event loop does for its connection's state.
     */
    public static Bucket confined(double perSecond, long burst) {
        return bucket(perSecond, burst, SynchronizationStrategy.NONE, TimeMeter.SYSTEM_NANOTIME);
    }

    /** A full bucket on {@code clock}; tests pass a clock of their own. */
    static Bucket bucket(double perSecond, long burst, SynchronizationStrategy synchronization, TimeMeter clock) {
        if (!(perSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("rate must be positive and burst at least 1");
        }
        // One token per 1/perSecond seconds, refilled greedily (a fraction of a token as soon as a fraction of that
        // time has passed): the same continuous refill at any rate, fractional ones included.
        Duration perToken = Duration.ofNanos(Math.max(1, Math.round(1e9 / perSecond)));
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(burst).refillGreedy(1, perToken))
                .withCustomTimePrecision(clock)
                .withSynchronizationStrategy(synchronization)
                .build();
    }
}
