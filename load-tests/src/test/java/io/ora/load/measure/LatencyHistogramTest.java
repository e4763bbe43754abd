package io.ora.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void smallValuesAreExact() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (long value = 1; value <= 100; value++) {
            histogram.record(value);
        }

        assertThat(histogram.count()).isEqualTo(100);
        assertThat(histogram.valueAtPercentile(50)).isEqualTo(50);
        assertThat(histogram.valueAtPercentile(99)).isEqualTo(99);
        assertThat(histogram.valueAtPercentile(100)).isEqualTo(100);
        assertThat(histogram.valueAtPercentile(0)).isEqualTo(1);
    }

    @Test
    void percentilesOfAUniformSpreadAreWithinBucketPrecision() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (long micros = 1; micros <= 100_000; micros++) {
            histogram.record(micros * 1_000);
        }

        LatencyHistogram.Summary summary = histogram.summary();
        assertThat((double) summary.p50()).isCloseTo(50_000_000, within(50_000_000 / 128.0));
        assertThat((double) summary.p99()).isCloseTo(99_000_000, within(99_000_000 / 128.0));
        assertThat((double) summary.p999()).isCloseTo(99_900_000, within(99_900_000 / 128.0));
        assertThat(summary.max()).isEqualTo(100_000_000);
        assertThat(summary.mean()).isCloseTo(50_000_500, within(1.0));
    }

    @Test
    void aPercentileNeverUnderstatesAndOverstatesByAtMostOneIn128() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 100_000; i++) {
            long value = random.nextLong(1, Long.MAX_VALUE >>> random.nextInt(0, 62));
            long reported = LatencyHistogram.highestEquivalentValue(LatencyHistogram.indexOf(value));
            assertThat(reported).isGreaterThanOrEqualTo(value);
            assertThat((double) reported - value).isLessThanOrEqualTo(value / 128.0);
        }
        assertThat(LatencyHistogram.highestEquivalentValue(LatencyHistogram.indexOf(Long.MAX_VALUE)))
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aTailOutlierShowsInTheHighPercentilesOnly() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int i = 0; i < 999; i++) {
            histogram.record(1_000_000);
        }
        histogram.record(500_000_000);

        assertThat(histogram.valueAtPercentile(99)).isBetween(1_000_000L, 1_008_000L);
        assertThat(histogram.valueAtPercentile(99.95)).isEqualTo(500_000_000);
        assertThat(histogram.max()).isEqualTo(500_000_000);
    }

    @Test
    void emptyHistogramReportsZeros() {
        LatencyHistogram.Summary summary = new LatencyHistogram().summary();

        assertThat(summary).isEqualTo(new LatencyHistogram.Summary(0, 0, 0, 0, 0, 0));
    }

    @Test
    void negativeValuesCountAsZero() {
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.record(-5);

        assertThat(histogram.count()).isEqualTo(1);
        assertThat(histogram.valueAtPercentile(100)).isZero();
    }

    @Test
    void refusesPercentilesOutsideZeroToHundred() {
        assertThatThrownBy(() -> new LatencyHistogram().valueAtPercentile(100.1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentRecordingLosesNothing() throws InterruptedException {
        LatencyHistogram histogram = new LatencyHistogram();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 1; i <= 100_000; i++) {
                    histogram.record(i);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(30_000);
        }

        assertThat(histogram.count()).isEqualTo(400_000);
        assertThat(histogram.max()).isEqualTo(100_000);
    }
}
