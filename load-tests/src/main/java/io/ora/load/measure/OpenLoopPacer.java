package io.ora.load.measure;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The send schedule of an open-loop load: message {@code k} is due at {@code start + k / rate}, whatever became of
 * message {@code k - 1}. Latency is measured from that due time, not from when the send happened, so a stall in the
 * system under test (or in the generator) shows up as latency for every message it held back, instead of quietly
 * lowering the offered rate ("coordinated omission").
 *
 * @param startNanos    due time of message 0, in {@link System#nanoTime()} units
 * @param ratePerSecond messages per second, above zero
 * @param count         how many messages the schedule holds
 */
public record OpenLoopPacer(long startNanos, double ratePerSecond, long count) {

    private static final double NANOS_PER_SECOND = 1e9;

    public OpenLoopPacer {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be a positive number: " + ratePerSecond);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
    }

    /** A schedule of {@code rate * duration} messages (rounded) starting at {@code startNanos}. */
    public static OpenLoopPacer of(long startNanos, double ratePerSecond, Duration duration) {
        return new OpenLoopPacer(startNanos, ratePerSecond,
                Math.round(ratePerSecond * duration.toNanos() / NANOS_PER_SECOND));
    }

    /** When message {@code index} is due. */
    public long scheduledAt(long index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("message " + index + " is not in a schedule of " + count);
        }
        return startNanos + Math.round(index * (NANOS_PER_SECOND / ratePerSecond));
    }

    /** When the message after the last one would be due: the end of the schedule. */
    public long endNanos() {
        return startNanos + Math.round(count * (NANOS_PER_SECOND / ratePerSecond));
    }

    /**
     * Releases every message to {@code sender} at its due time, or at once when already late, and never waits for
     * a previous send to finish. Stops early, returning how many were released, when a message would be released
     * more than {@code maxLagNanos} after it was due: the generator itself is then the bottleneck and carrying on
     * would only measure that.
     */
    public long drive(Clock clock, long maxLagNanos, Sender sender) throws InterruptedException {
        for (long index = 0; index < count; index++) {
            long due = scheduledAt(index);
            long now = clock.nanoTime();
            while (now < due) {
                clock.sleepNanos(due - now);
                now = clock.nanoTime();
            }
            if (now - due > maxLagNanos) {
                return index;
            }
            sender.send(index, due, now);
        }
        return count;
    }

    /** Receives each message the pacer releases; it must not block, or the schedule slips. */
    @FunctionalInterface
    public interface Sender {
        /** Sends message {@code index}, due at {@code dueNanos} and released at {@code releasedNanos}. */
        void send(long index, long dueNanos, long releasedNanos);
    }

    /** The time source the pacer waits on; tests substitute a fake one. */
    public interface Clock {
        /** The current time in {@link System#nanoTime()} units. */
        long nanoTime();

        /** Waits about {@code nanos}; may return early. */
        void sleepNanos(long nanos) throws InterruptedException;

        /** The JVM's monotonic clock, parking the thread to wait. */
        static Clock system() {
            return new Clock() {
                @Override
                public long nanoTime() {
                    return System.nanoTime();
                }

                @Override
                public void sleepNanos(long nanos) throws InterruptedException {
                    LockSupport.parkNanos(nanos);
                    if (Thread.interrupted()) {
                        throw new InterruptedException("pacer interrupted");
                    }
                }
            };
        }
    }
}
