package io.ora.load.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.load.measure.CpuUse;
import io.ora.load.measure.Latency;
import io.ora.load.measure.ProcessMemory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TelemetryResultTest {

    private static final Latency.Summary LATENCY = new Latency.Summary(120_000, 40_000_000,
            90_000_000, 150_000_000, 180_000_000, 45_000_000);
    private static final Latency.Summary LAG = new Latency.Summary(120_000, 50_000, 400_000,
            900_000, 2_000_000, 60_000);
    private static final long MIB = 1024 * 1024;
    private static final CpuUse CPU = new CpuUse(60_000_000_000L, OptionalLong.of(24_000_000_000L),
            OptionalLong.of(51_000_000_000L), 3, 12);

    @Test
    void committedSamplesPerSecondAreMeasuredSuccessesTimesSamplesOverTheWindow() {
        TelemetryResult result = clean();

        assertThat(result.ackedPerSecond()).isEqualTo(2000);
        assertThat(result.committedSamplesPerSecond()).isEqualTo(20_000);
        assertThat(result.ackedSamples()).isEqualTo(1_400_000);
        assertThat(result.rowsAdded()).hasValue(1_400_000);
        assertThat(result.quotaExceededShare()).isZero();
        assertThat(result.problems(200)).isEmpty();
        assertThat(result.meets(200)).isTrue();
        assertThat(result.generatorBound()).isFalse();
    }

    @Test
    void aLateTailLengthensTheWindowAndLowersTheRate() {
        TelemetryResult result = with(clean(), Duration.ofSeconds(80), clean().warmup(), clean().measured(), 0,
                OptionalLong.of(1_400_000));

        assertThat(result.ackedPerSecond()).isEqualTo(1500);
        assertThat(result.committedSamplesPerSecond()).isEqualTo(15_000);
    }

    @Test
    void anyMeasuredRefusalAnyLossOrASlowTailIsNotSustained() {
        TelemetryResult refused = with(clean(), Duration.ofSeconds(60), clean().warmup(),
                new TelemetryResult.Outcomes(118_400, 1400, 0, Map.of("PUBACK UNSPECIFIED_ERROR", 3L)), 2,
                OptionalLong.of(1_384_000));

        assertThat(refused.quotaExceededShare()).isEqualTo(0.01);
        assertThat(refused.otherTotal()).isEqualTo(3);
        assertThat(refused.problems(200)).containsExactly("1400 x 0x97", "3 other outcomes", "2 without outcome");
        assertThat(clean().problems(50)).containsExactly("p99 90.0 ms >= 50.0 ms");
    }

    @Test
    void quotaExceededInTheWarmUpIsReportedButNotWhatTheRunMeasures() {
        TelemetryResult coldStart = with(clean(), Duration.ofSeconds(60),
                new TelemetryResult.Outcomes(19_000, 1000, 0, Map.of()), clean().measured(), 0,
                OptionalLong.of(1_390_000));

        assertThat(coldStart.quotaExceeded()).isEqualTo(1000);
        assertThat(coldStart.problems(200)).isEmpty();
        assertThat(coldStart.lines(200)).anyMatch(line -> line.contains("0x97 quota exceeded 1000 (0.71 %; 1000 of"
                + " them in the warm-up)"));
        assertThat(with(clean(), Duration.ofSeconds(60), new TelemetryResult.Outcomes(19_999, 0, 1, Map.of()),
                clean().measured(), 0, OptionalLong.of(1_399_990)).problems(200)).containsExactly("1 x 0x99");
    }

    @Test
    void fewerRowsThanAcknowledgedSamplesIsALoss() {
        TelemetryResult result = with(clean(), Duration.ofSeconds(60), clean().warmup(), clean().measured(), 0,
                OptionalLong.of(1_399_990));

        assertThat(result.problems(200)).containsExactly("10 acknowledged samples not in the table");
        assertThat(result.lines(200)).anyMatch(line -> line.contains("MISSING 10"));
    }

    @Test
    void linesEndWithOneResultLineForScripts() {
        assertThat(clean().lines(200)).last().asString()
                .startsWith("RESULT telemetry run=1 hubs=1000 samples=10 payload=668 target=2000")
                .contains(" samples_per_s=20000 success=140000 quota_exceeded=0 warmup_quota_exceeded=0 ")
                .contains(" p99_ms=90.000 ")
                .contains(" rss_start_mib=500.0 rss_peak_mib=640.0 rss_end_mib=620.0 rows_added=1400000 ")
                .contains(" window_start_ms=1764237600000 window_s=60.00 sustained=true ")
                // 24 s of CPU in 60 s for 120,000 messages; the node's 51 s likewise.
                .endsWith(" gen_cpu_pct=40.0 gen_us_per_msg=200.0 server_cpu_pct=85.0 server_us_per_msg=425.0"
                        + " gc_count=3 gc_ms=12");
    }

    private static TelemetryResult clean() {
        return new TelemetryResult(1, 2000, 1000, 10, 668, 140_000, 140_000, 0,
                new TelemetryResult.Outcomes(20_000, 0, 0, Map.of()),
                new TelemetryResult.Outcomes(120_000, 0, 0, Map.of()), 0, Duration.ofSeconds(60),
                Instant.ofEpochMilli(1_764_237_600_000L), 2000, LATENCY, LAG,
                Optional.of(new ProcessMemory.Span(500 * MIB, 640 * MIB, 620 * MIB, 72)), OptionalLong.of(100),
                OptionalLong.of(1_400_100), Duration.ofSeconds(75), CPU, 120_000);
    }

    private static TelemetryResult with(TelemetryResult base, Duration window, TelemetryResult.Outcomes warmup,
                                        TelemetryResult.Outcomes measured, long timedOut, OptionalLong rowsAdded) {
        return new TelemetryResult(base.run(), base.targetRate(), base.hubs(), base.samples(), base.payloadBytes(),
                base.planned(), base.sent(), base.unsent(), warmup, measured, timedOut, window, base.windowStart(),
                base.sendRate(), base.latency(), base.sendLag(),
                base.serverRss(), OptionalLong.of(0), rowsAdded, base.elapsed(), base.cpu(), base.measuredSent());
    }
}
