package io.ora.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyTest {

    @Test
    void smallValuesAreExact() {
        Latency latency = Latency.create();
        for (long value = 1; value <= 100; value++) {
            latency.record(value);
        }

        Latency.Summary summary = latency.summary();
        assertThat(summary.count()).isEqualTo(100);
        assertThat(summary.p50()).isEqualTo(50);
        assertThat(summary.p99()).isEqualTo(99);
        assertThat(summary.max()).isEqualTo(100);
    }

    @Test
    void percentilesOfAUniformSpreadAreWithinATenthOfAPercent() {
        Latency latency = Latency.create();
        for (long micros = 1; micros <= 100_000; micros++) {
            latency.record(micros * 1_000);
        }

        Latency.Summary summary = latency.summary();
        assertThat((double) summary.p50()).isCloseTo(50_000_000, within(50_000_000 * 0.001));
        assertThat((double) summary.p99()).isCloseTo(99_000_000, within(99_000_000 * 0.001));
        assertThat((double) summary.p999()).isCloseTo(99_900_000, within(99_900_000 * 0.001));
        assertThat((double) summary.max()).isCloseTo(100_000_000, within(100_000_000 * 0.001));
        assertThat(summary.mean()).isCloseTo(50_000_500, within(50_000_500 * 0.001));
    }

    @Test
    void aTailIsSeenAtTheRightPercentile() {
        Latency latency = Latency.create();
        for (int i = 0; i < 990; i++) {
            latency.record(1_000_000);
        }
        for (int i = 0; i < 10; i++) {
            latency.record(80_000_000);
        }

        Latency.Summary summary = latency.summary();
        assertThat(Latency.Summary.millis(summary.p99())).isCloseTo(1.0, within(0.001));
        assertThat(Latency.Summary.millis(summary.p999())).isCloseTo(80.0, within(0.08));
    }

    @Test
    void nothingIsLostAtTheEdgesAndMergedHistogramsAddUp() {
        Latency one = Latency.create();
        one.record(-5);
        one.record(Duration.ofHours(2).toNanos());
        Latency other = Latency.threadSafe();
        other.record(1_000);

        one.add(other);

        Latency.Summary summary = one.summary();
        assertThat(summary.count()).isEqualTo(3);
        assertThat(summary.p50()).isEqualTo(1_000);
        assertThat((double) summary.max()).isCloseTo(Duration.ofHours(1).toNanos(),
                within(Duration.ofHours(1).toNanos() * 0.001));
        assertThat(Latency.create().summary()).isEqualTo(new Latency.Summary(0, 0, 0, 0, 0, 0));
    }

    @Test
    void sendLagExplainsTheTailOnlyWhenItIsLargeAndComparable() {
        Latency.Summary latency = new Latency.Summary(100, 1_000_000, 10_000_000, 20_000_000, 30_000_000, 2e6);

        assertThat(new Latency.Summary(100, 0, 6_000_000, 0, 0, 0).explainsTailOf(latency)).isTrue();
        assertThat(new Latency.Summary(100, 0, 4_000_000, 0, 0, 0).explainsTailOf(latency)).isFalse();
        assertThat(new Latency.Summary(100, 0, 900_000, 0, 0, 0)
                .explainsTailOf(new Latency.Summary(100, 0, 1_000_000, 0, 0, 0))).isFalse();
        assertThat(latency.toMillisString()).isEqualTo("p50=1.000 p99=10.000 p99.9=20.000 max=30.000 mean=2.000 ms"
                + " (n=100)");
    }
}
