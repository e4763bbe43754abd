package io.ora.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    void aStalledSendDoesNotMoveTheSchedule() throws InterruptedException {
        FakeClock clock = new FakeClock(0);
        OpenLoopPacer pacer = new OpenLoopPacer(0, 1000, 10);
        List<long[]> releases = new ArrayList<>();

        long released = pacer.drive(clock, Long.MAX_VALUE, (index, due, at) -> {
            releases.add(new long[] {index, due, at});
            if (index == 2) {
                clock.advance(5 * MS);
            }
        });

        assertThat(released).isEqualTo(10);
        for (long[] release : releases) {
            assertThat(release[1]).as("due time of %d", release[0]).isEqualTo(release[0] * MS);
        }
        // Messages 3..7 fell due during the 5 ms stall: released at once, late, with their original due times.
        assertThat(releases.subList(3, 8)).allSatisfy(release -> assertThat(release[2]).isEqualTo(7 * MS));
        assertThat(releases.get(8)[2]).isEqualTo(8 * MS);
        assertThat(releases.get(9)[2]).isEqualTo(9 * MS);
    }

    @Test
    void waitsForEachDueTimeWhenAhead() throws InterruptedException {
        FakeClock clock = new FakeClock(0);
        OpenLoopPacer pacer = new OpenLoopPacer(10 * MS, 100, 3);
        List<Long> releasedAt = new ArrayList<>();

        pacer.drive(clock, Long.MAX_VALUE, (index, due, at) -> releasedAt.add(at));

        assertThat(releasedAt).containsExactly(10 * MS, 20 * MS, 30 * MS);
    }

    @Test
    void stopsWhenTheGeneratorFallsTooFarBehind() throws InterruptedException {
        FakeClock clock = new FakeClock(0);
        OpenLoopPacer pacer = new OpenLoopPacer(0, 1000, 100);

        long released = pacer.drive(clock, 3 * MS, (index, due, at) -> {
            if (index == 10) {
                clock.advance(50 * MS);
            }
        });

        // Message 11 is due at 11 ms but released at 60 ms: more than 3 ms late, so the run stops there.
        assertThat(released).isEqualTo(11);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new OpenLoopPacer(0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OpenLoopPacer(0, Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OpenLoopPacer(0, 1, 5).scheduledAt(5))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** Time that moves only when the pacer sleeps or a test says so. */
    private static final class FakeClock implements OpenLoopPacer.Clock {
        private long now;

        FakeClock(long now) {
            this.now = now;
        }

        void advance(long nanos) {
            now += nanos;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepNanos(long nanos) {
            now += nanos;
        }
    }
}
