package io.ora.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class OpenLoopPacerTest {

    private static final long MS = 1_000_000;

    @Test
    void messagesAreEvenlySpacedFromTheStart() {
        OpenLoopPacer pacer = OpenLoopPacer.of(5_000, 1000, Duration.ofSeconds(2));

        assertThat(pacer.count()).isEqualTo(2000);
        assertThat(pacer.scheduledAt(0)).isEqualTo(5_000);
        assertThat(pacer.scheduledAt(1)).isEqualTo(5_000 + MS);
        assertThat(pacer.scheduledAt(1999)).isEqualTo(5_000 + 1999 * MS);
        assertThat(pacer.endNanos()).isEqualTo(5_000 + 2000 * MS);
    }

    @Test
    void fractionalRatesDoNotDrift() {
        OpenLoopPacer pacer = OpenLoopPacer.of(0, 3, Duration.ofSeconds(1000));

        assertThat(pacer.count()).isEqualTo(3000);
        assertThat(pacer.scheduledAt(2999)).isEqualTo(Math.round(2999 * (1e9 / 3)));
        assertThat(pacer.endNanos()).isEqualTo(1_000_000_000_000L);
    }

    @Test
    void aStalledSendDoesNotMoveTheSchedule() {
        FakeTimer timer = new FakeTimer(0);
        OpenLoopPacer pacer = new OpenLoopPacer(0, 1000, 10);
        List<long[]> releases = new ArrayList<>();

        CompletableFuture<Long> released = pacer.start(timer, Long.MAX_VALUE, index -> true, (index, due, at) -> {
            releases.add(new long[] {index, due, at});
            if (index == 2) {
                timer.advance(5 * MS);
            }
        });
        timer.runAll();

        assertThat(released).isCompletedWithValue(10L);
        for (long[] release : releases) {
            assertThat(release[1]).as("due time of %d", release[0]).isEqualTo(release[0] * MS);
        }
        // Messages 3..7 fell due during the 5 ms stall: released at once, late, with their original due times.
        assertThat(releases.subList(3, 8)).allSatisfy(release -> assertThat(release[2]).isEqualTo(7 * MS));
        assertThat(releases.get(8)[2]).isEqualTo(8 * MS);
        assertThat(releases.get(9)[2]).isEqualTo(9 * MS);
    }

    @Test
    void waitsForEachDueTimeWhenAheadWithoutATaskPerMessageWhenTheyAreClose() {
        FakeTimer timer = new FakeTimer(0);
        List<Long> releasedAt = new ArrayList<>();

        new OpenLoopPacer(10 * MS, 100, 3).start(timer, Long.MAX_VALUE, index -> true,
                (index, due, at) -> releasedAt.add(at));
        timer.runAll();

        assertThat(releasedAt).containsExactly(10 * MS, 20 * MS, 30 * MS);

        // 100,000/s: messages 10 µs apart go out in batches at most MIN_GAP late, a task per batch.
        FakeTimer fast = new FakeTimer(0);
        List<Long> lag = new ArrayList<>();
        new OpenLoopPacer(0, 100_000, 1000).start(fast, Long.MAX_VALUE, index -> true,
                (index, due, at) -> lag.add(at - due));
        fast.runAll();

        assertThat(lag).hasSize(1000).allSatisfy(late -> assertThat(late).isBetween(0L,
                OpenLoopPacer.MIN_GAP_NANOS));
        assertThat(fast.tasksRun).isLessThanOrEqualTo(1 + (int) (10 * MS / OpenLoopPacer.MIN_GAP_NANOS) + 1);
    }

    @Test
    void eachBatchEndsWithAFlushAndABatchIsBounded() {
        FakeTimer timer = new FakeTimer(0);
        List<String> calls = new ArrayList<>();

        // Everything is due at once (a stalled start): it goes out in bounded batches, each flushed.
        new OpenLoopPacer(0, 1e9, OpenLoopPacer.MAX_BATCH + 10).start(timer, Long.MAX_VALUE, index -> true,
                new OpenLoopPacer.Sender() {
                    @Override
                    public void send(long index, long dueNanos, long releasedNanos) {
                        calls.add("send");
                    }

                    @Override
                    public void endOfBatch() {
                        calls.add("flush");
                    }
                });
        timer.advance(10 * MS);
        timer.runAll();

        assertThat(calls.indexOf("flush")).isEqualTo(OpenLoopPacer.MAX_BATCH);
        assertThat(calls).filteredOn("send"::equals).hasSize(OpenLoopPacer.MAX_BATCH + 10);
        assertThat(calls).last().isEqualTo("flush");
    }

    @Test
    void severalPacersShareOneScheduleEachSendingItsOwnPart() {
        FakeTimer timer = new FakeTimer(0);
        OpenLoopPacer pacer = new OpenLoopPacer(0, 1000, 10);
        List<Long> even = new ArrayList<>();
        List<Long> odd = new ArrayList<>();

        CompletableFuture<Long> first = pacer.start(timer, Long.MAX_VALUE, index -> index % 2 == 0,
                (index, due, at) -> even.add(index));
        CompletableFuture<Long> second = pacer.start(timer, Long.MAX_VALUE, index -> index % 2 == 1,
                (index, due, at) -> odd.add(index));
        timer.runAll();

        assertThat(even).containsExactly(0L, 2L, 4L, 6L, 8L);
        assertThat(odd).containsExactly(1L, 3L, 5L, 7L, 9L);
        assertThat(first).isCompletedWithValue(5L);
        assertThat(second).isCompletedWithValue(5L);
    }

    @Test
    void stopsWhenTheGeneratorFallsTooFarBehind() {
        FakeTimer timer = new FakeTimer(0);
        OpenLoopPacer pacer = new OpenLoopPacer(0, 1000, 100);

        CompletableFuture<Long> released = pacer.start(timer, 3 * MS, index -> true, (index, due, at) -> {
            if (index == 10) {
                timer.advance(50 * MS);
            }
        });
        timer.runAll();

        // Message 11 is due at 11 ms but released at 60 ms: more than 3 ms late, so the run stops there.
        assertThat(released).isCompletedWithValue(11L);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new OpenLoopPacer(0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OpenLoopPacer(0, Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OpenLoopPacer(0, 1, 5).scheduledAt(5))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** Virtual time: tasks run in order of their time, which moves only to theirs or when a test says so. */
    private static final class FakeTimer implements OpenLoopPacer.Timer {

        private record Task(long at, long order, Runnable task) {
        }

        private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.at != b.at
                ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
        private long now;
        private long order;
        private int tasksRun;

        FakeTimer(long now) {
            this.now = now;
        }

        void advance(long nanos) {
            now += nanos;
        }

        /** Runs tasks until none is left; a pacer always ends, so this does too. */
        void runAll() {
            while (!tasks.isEmpty()) {
                Task next = tasks.poll();
                now = Math.max(now, next.at);
                tasksRun++;
                next.task.run();
            }
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void schedule(Runnable task, long delayNanos) {
            tasks.add(new Task(now + Math.max(0, delayNanos), order++, task));
        }
    }
}
