package io.ora.load.measure;

import java.time.Duration;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Latencies in nanoseconds on an HdrHistogram with three significant digits (every reported value within 0.1 % of
 * the true one) from 1 ns to an hour; longer values count as an hour, negative ones (a clock step) as zero, so none
 * is lost. Recording never allocates.
 *
 * <p>{@link #create()} is for one thread at a time: the hot paths record on their own event loop and the results are
 * merged ({@link #add}) once the loops are done with them. {@link #threadSafe()} is for the few figures that several
 * threads record into at a low rate (connect latency).
 */
public final class Latency {

    private static final long HIGHEST_NANOS = Duration.ofHours(1).toNanos();
    private static final int SIGNIFICANT_DIGITS = 3;
    private static final double NANOS_PER_MILLI = 1_000_000.0;

    private final Histogram histogram;

    private Latency(Histogram histogram) {
        this.histogram = histogram;
    }

    /** A histogram for one thread at a time. */
    public static Latency create() {
        return new Latency(new Histogram(HIGHEST_NANOS, SIGNIFICANT_DIGITS));
    }

    /** A histogram any thread may record into. */
    public static Latency threadSafe() {
        return new Latency(new SynchronizedHistogram(HIGHEST_NANOS, SIGNIFICANT_DIGITS));
    }

    /** Records one value, clamped to 0..1 h. */
    public void record(long nanos) {
        histogram.recordValue(Math.min(HIGHEST_NANOS, Math.max(0, nanos)));
    }

    /** Adds every value of {@code other}. */
    public void add(Latency other) {
        histogram.add(other.histogram);
    }

    /** Number of recorded values. */
    public long count() {
        return histogram.getTotalCount();
    }

    /** The figures a report prints. */
    public Summary summary() {
        return new Summary(histogram.getTotalCount(), histogram.getValueAtPercentile(50),
                histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9),
                histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue(),
                histogram.getTotalCount() == 0 ? 0 : histogram.getMean());
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
