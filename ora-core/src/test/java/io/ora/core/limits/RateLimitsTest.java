package io.ora.core.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The buckets every rate limit uses: full when made, then {@code rate} tokens a second up to {@code burst}, refilled
 * continuously, whichever synchronization they are made with. Checked against a model over random sequences of
 * waits and takes, on a clock the test moves.
 */
class RateLimitsTest {

    /** A clock only the test moves. */
    private static final class TestClock implements TimeMeter {
        private long nanos = 1_000_000_000L;

        @Override
        public long currentTimeNanos() {
            return nanos;
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    }

    /** Rates whose token period is a whole, even number of nanoseconds, so half a period is exact. */
    @Provide
    Arbitrary<Double> rates() {
        return Arbitraries.of(0.5, 1.0, 2.0, 4.0, 5.0, 8.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 250.0, 500.0,
                1000.0, 2000.0, 5000.0);
    }

    @Provide
    Arbitrary<SynchronizationStrategy> strategies() {
        return Arbitraries.of(SynchronizationStrategy.NONE, SynchronizationStrategy.LOCK_FREE,
                SynchronizationStrategy.SYNCHRONIZED);
    }

    /**
     * Operations: a positive number waits that many half token periods, 0 takes a token. The model counts half
     * tokens: a take needs two, and the bucket never holds more than {@code burst} tokens.
     */
    @Property
    void behavesLikeAContinuousTokenBucket(@ForAll("rates") double rate, @ForAll @IntRange(min = 1, max = 50) int burst,
                                           @ForAll("strategies") SynchronizationStrategy strategy,
                                           @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 5) Integer> ops) {
        TestClock clock = new TestClock();
        Bucket bucket = RateLimits.bucket(rate, burst, strategy, clock);
        long halfPeriod = Math.round(1e9 / rate) / 2;
        long halves = 2L * burst;
        for (int op : ops) {
            if (op == 0) {
                boolean expected = halves >= 2;
                if (expected) {
                    halves -= 2;
                }
                assertThat(bucket.tryConsume(1)).isEqualTo(expected);
            } else {
                clock.nanos += op * halfPeriod;
                halves = Math.min(2L * burst, halves + op);
            }
        }
    }

    @Test
    void aNewBucketHoldsItsBurstAndRefillsAtItsRate() {
        TestClock clock = new TestClock();
        Bucket bucket = RateLimits.bucket(0.5, 3, SynchronizationStrategy.NONE, clock);
        for (int i = 0; i < 3; i++) {
            assertThat(bucket.tryConsume(1)).isTrue();
        }
        assertThat(bucket.tryConsume(1)).isFalse();
        clock.nanos += TimeUnit.MILLISECONDS.toNanos(1999);
        assertThat(bucket.tryConsume(1)).isFalse();
        clock.nanos += TimeUnit.MILLISECONDS.toNanos(1);
        assertThat(bucket.tryConsume(1)).isTrue();
        clock.nanos += TimeUnit.HOURS.toNanos(1);
        assertThat(bucket.getAvailableTokens()).isEqualTo(3);
    }

    @Test
    void aSharedBucketHandsOutItsBurstOnceAcrossThreads() throws InterruptedException {
        Bucket bucket = RateLimits.shared(0.001, 1000);
        AtomicInteger taken = new AtomicInteger();
        int threads = 4;
        CountDownLatch done = new CountDownLatch(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                pool.execute(() -> {
                    for (int i = 0; i < 500; i++) {
                        if (bucket.tryConsume(1)) {
                            taken.incrementAndGet();
                        }
                    }
                    done.countDown();
                });
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
        assertThat(taken.get()).isEqualTo(1000);
    }

    @Test
    void refusesARateOrBurstThatCannotLimit() {
        assertThatThrownBy(() -> RateLimits.confined(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RateLimits.shared(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RateLimits.shared(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
