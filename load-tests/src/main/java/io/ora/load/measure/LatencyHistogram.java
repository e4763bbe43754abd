package io.ora.load.measure;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram in nanoseconds that many threads record into at once, with log-linear buckets: exact below
 * 128 ns, and above that every value is reported as at most 1/128 (0.8 %) above its true value, up to
 * {@link Long#MAX_VALUE}. It takes a fixed 57 KiB and recording never allocates or blocks, so it can sit on a Netty
 * event loop.
 *
 * <p>HdrHistogram does the same with more options, but it is not in the build's dependency management; this is the
 * subset the load generator needs. Percentiles read while other threads still record are approximate.
 */
public final class LatencyHistogram {

    private static final int SUB_BUCKET_BITS = 7;
    private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    /** One row of sub-buckets per power of two above {@code SUB_BUCKETS}, plus the exact row below it. */
    private static final int BUCKETS = (Long.SIZE - SUB_BUCKET_BITS) * SUB_BUCKETS;
    private static final double NANOS_PER_MILLI = 1_000_000.0;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final LongAdder sum = new LongAdder();
    private final AtomicLong max = new AtomicLong();

    /** Records one value; negative values (a clock step) count as zero rather than being lost. */
    public void record(long nanos) {
        long value = Math.max(0, nanos);
        counts.incrementAndGet(indexOf(value));
        sum.add(value);
        max.accumulateAndGet(value, Math::max);
    }

    /** Number of recorded values. */
    public long count() {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            total += counts.get(i);
        }
        return total;
    }

    /** The largest recorded value, exactly. */
    public long max() {
        return max.get();
    }

    /**
     * The smallest recorded value {@code v} such that {@code percentile} % of values are at or below {@code v}, as
     * the top of its bucket (never above the true maximum); 0 when nothing was recorded.
     */
    public long valueAtPercentile(double percentile) {
        if (percentile < 0 || percentile > 100) {
            throw new IllegalArgumentException("percentile must be within 0..100: " + percentile);
        }
        long total = count();
        if (total == 0) {
            return 0;
        }
        long target = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= target) {
                return Math.min(highestEquivalentValue(i), max());
            }
        }
        return max();
    }

    /** The figures a report prints. */
    public Summary summary() {
        long total = count();
        double mean = total == 0 ? 0 : sum.doubleValue() / total;
        return new Summary(total, valueAtPercentile(50), valueAtPercentile(99), valueAtPercentile(99.9), max(), mean);
    }

    static int indexOf(long value) {
        if (value < SUB_BUCKETS) {
            return (int) value;
        }
        int shift = (Long.SIZE - 1 - Long.numberOfLeadingZeros(value)) - SUB_BUCKET_BITS;
        return ((shift + 1) << SUB_BUCKET_BITS) + (int) ((value >>> shift) - SUB_BUCKETS);
    }

    static long highestEquivalentValue(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int shift = (index >>> SUB_BUCKET_BITS) - 1;
        long subBucket = (index & (SUB_BUCKETS - 1)) + SUB_BUCKETS;
        long next = (subBucket + 1) << shift;
        // The top bucket's upper bound is 2^63, which wraps; its last value is Long.MAX_VALUE.
        return next <= 0 ? Long.MAX_VALUE : next - 1;
    }

    /** Percentiles of a histogram in nanoseconds, with millisecond views for reports. */
    public record Summary(long count, long p50, long p99, long p999, long max, double mean) {

        /** Below a millisecond of send lag the generator is not worth suspecting. */
        private static final long GENERATOR_BOUND_FLOOR_NANOS = 1_000_000;

        /**
         * Whether this, a generator's send lag, explains much of the tail of {@code latency}, measured on the same
         * messages: its p99 is above a millisecond and at least half the latency's. Then the figures describe the
         * generator or the machine (CPU shared with the server, GC pauses), not the server.
         */
        public boolean explainsTailOf(Summary latency) {
            return p99 > GENERATOR_BOUND_FLOOR_NANOS && p99 * 2 >= latency.p99();
        }

        /** A nanosecond figure in milliseconds. */
        public static double millis(long nanos) {
            return nanos / NANOS_PER_MILLI;
        }

        /** {@code p50=… p99=… p99.9=… max=… ms}, the line every report uses. */
        public String toMillisString() {
            return String.format(Locale.ROOT, "p50=%.3f p99=%.3f p99.9=%.3f max=%.3f mean=%.3f ms (n=%d)",
                    millis(p50), millis(p99), millis(p999), millis(max), mean / NANOS_PER_MILLI, count);
        }
    }
}
