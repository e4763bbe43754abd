package io.ora.load.measure;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * The send schedule of an open-loop load: message {@code k} is due at {@code start + k / rate}, whatever became of
 * message {@code k - 1}. Latency is measured from that due time, not from when the send happened, so a stall in the
 * system under test (or in the generator) shows up as latency for every message it held back, instead of quietly
 * lowering the offered rate ("coordinated omission").
 *
 * <p>{@link #start} releases the messages from timer tasks on the event loop that owns the connections they go out
 * on: no thread parks per message and no message changes threads on its way to the socket. Each task releases
 * everything due by then and asks for a flush at its end, so messages due close together share one wake-up and one
 * write per connection.
 *
 * @param startNanos    due time of message 0, in {@link System#nanoTime()} units
 * @param ratePerSecond messages per second, above zero
 * @param count         how many messages the schedule holds
 */
public record OpenLoopPacer(long startNanos, double ratePerSecond, long count) {

    private static final double NANOS_PER_SECOND = 1e9;
    /**
     * Shortest wait between two timer tasks. At 50,000 msg/s messages are 20 µs apart; waking for each would cost
     * more than sending it. Messages due within this gap go out together, at most this late (reported as send lag).
     */
    static final long MIN_GAP_NANOS = 100_000;
    /** Most messages one task releases before it lets the loop read and write sockets again. */
    static final int MAX_BATCH = 512;

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
     * Releases the messages {@code mine} accepts to {@code sender} at their due times, or at once when already late,
     * from tasks on {@code timer}, never waiting for a previous send to finish. The future completes with how many
     * were released: all of them, or fewer when one would have gone out more than {@code maxLagNanos} after it was
     * due — the generator itself is then the bottleneck, and carrying on would only measure that.
     *
     * <p>Several pacers may walk one schedule, each on its own loop with its own share ({@code mine}).
     */
    public CompletableFuture<Long> start(Timer timer, long maxLagNanos, LongPredicate mine, Sender sender) {
        Drive drive = new Drive(timer, maxLagNanos, mine, sender);
        timer.schedule(drive, Math.max(0, startNanos - timer.nanoTime()));
        return drive.done;
    }

    /** Receives each message the pacer releases, on the timer's thread; it must not block, or the schedule slips. */
    public interface Sender {
        /** Sends message {@code index}, due at {@code dueNanos} and released at {@code releasedNanos}. */
        void send(long index, long dueNanos, long releasedNanos);

        /** Called after each batch of sends: the moment to flush what they wrote. */
        default void endOfBatch() {
        }
    }

    /** Where the pacer runs its tasks; tests substitute a fake one. */
    public interface Timer {
        /** The current time in {@link System#nanoTime()} units. */
        long nanoTime();

        /** Runs {@code task} after about {@code delayNanos} (0: as soon as possible), on one thread. */
        void schedule(Runnable task, long delayNanos);

        /** The JVM's monotonic clock and a Netty event loop's timer. */
        static Timer on(EventExecutor loop) {
            return new Timer() {
                @Override
                public long nanoTime() {
                    return System.nanoTime();
                }

                @Override
                public void schedule(Runnable task, long delayNanos) {
                    if (delayNanos <= 0) {
                        loop.execute(task);
                    } else {
                        loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
                    }
                }
            };
        }
    }

    /** One walk over the schedule; all its state lives on the timer's thread. */
    private final class Drive implements Runnable {

        private final Timer timer;
        private final long maxLagNanos;
        private final LongPredicate mine;
        private final Sender sender;
        private final CompletableFuture<Long> done = new CompletableFuture<>();
        private long next;
        private long released;

        Drive(Timer timer, long maxLagNanos, LongPredicate mine, Sender sender) {
            this.timer = timer;
            this.maxLagNanos = maxLagNanos;
            this.mine = mine;
            this.sender = sender;
        }

        @Override
        public void run() {
            int batch = 0;
            long now = timer.nanoTime();
            while (true) {
                while (next < count && !mine.test(next)) {
                    next++;
                }
                if (next >= count) {
                    finish();
                    return;
                }
                long due = scheduledAt(next);
                if (due > now) {
                    sender.endOfBatch();
                    timer.schedule(this, Math.max(MIN_GAP_NANOS, due - now));
                    return;
                }
                if (now - due > maxLagNanos) {
                    finish();
                    return;
                }
                sender.send(next, due, now);
                released++;
                next++;
                if (++batch == MAX_BATCH) {
                    sender.endOfBatch();
                    timer.schedule(this, 0);
                    return;
                }
                now = timer.nanoTime();
            }
        }

        private void finish() {
            sender.endOfBatch();
            done.complete(released);
        }
    }
}
