package io.ora.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ora.load.scenario.RelayBenchmark;
import io.ora.load.scenario.Sweep;
import io.ora.load.scenario.TelemetryBenchmark;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {

    private static final List<String> TARGET = List.of("--host", "127.0.0.1", "--port", "18883", "--certs", "certs");

    @Test
    void telemetryDefaultsToTenSamplesAMinuteMeasuredAfterTenSecondsAndNoProbes() {
        Options options = LoadGenerator.telemetryOptions(args("--rate", "2000"));

        TelemetryBenchmark.Load load = LoadGenerator.telemetryLoad(options);
        TelemetryBenchmark.Settings settings = LoadGenerator.telemetrySettings(options, 1000, "");

        assertThat(load).isEqualTo(new TelemetryBenchmark.Load(2000, Duration.ofSeconds(10), Duration.ofSeconds(60),
                10));
        assertThat(load.sampleRate()).isEqualTo(20_000);
        assertThat(settings.target().port()).isEqualTo(18883);
        assertThat(settings.certs()).isEqualTo(Path.of("certs"));
        assertThat(settings.hubs()).isEqualTo(1000);
        assertThat(settings.limits().drain()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.serverPid()).isEmpty();
        assertThat(settings.table()).isEmpty();
    }

    @Test
    void telemetryTakesProbesAndItsOwnSizes() {
        Options options = LoadGenerator.telemetryOptions(args("--rate", "1500.5", "--samples", "25", "--warmup",
                "2.5", "--duration", "90", "--server-pid", "4242", "--jdbc-url",
                "jdbc:postgresql://127.0.0.1:5432/postgres", "--jdbc-user", "ora", "--drain", "45"));

        TelemetryBenchmark.Load load = LoadGenerator.telemetryLoad(options);
        TelemetryBenchmark.Settings settings = LoadGenerator.telemetrySettings(options, 10, "secret");

        assertThat(load).isEqualTo(new TelemetryBenchmark.Load(1500.5, Duration.ofMillis(2500),
                Duration.ofSeconds(90), 25));
        assertThat(settings.serverPid()).hasValue(4242);
        assertThat(settings.table()).hasValueSatisfying(table -> {
            assertThat(table.url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/postgres");
            assertThat(table.user()).isEqualTo("ora");
            assertThat(table.toString()).doesNotContain("secret");
        });
        assertThat(settings.limits().drain()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void relayAddsUpTheServerCpuOfEveryNodeAndMayMeasureTheRoundTrip() {
        RelayBenchmark.Settings plain = LoadGenerator.relaySettings(LoadGenerator.relayOptions(args("--hubs", "4",
                "--apps", "2", "--rate", "100")));
        RelayBenchmark.Settings cluster = LoadGenerator.relaySettings(LoadGenerator.relayOptions(args("--hubs", "4",
                "--apps", "2", "--rate", "100", "--server-pid", "11, 12,13", "--round-trip", "--hub-ports",
                "1001,1002", "--app-port", "1003")));

        assertThat(plain.serverPids()).isEmpty();
        assertThat(plain.roundTrip()).isFalse();
        assertThat(cluster.serverPids()).containsExactly(11L, 12L, 13L);
        assertThat(cluster.roundTrip()).isTrue();
        assertThat(cluster.appTarget().port()).isEqualTo(1003);
        assertThatThrownBy(() -> LoadGenerator.relaySettings(LoadGenerator.relayOptions(args("--hubs", "4",
                "--apps", "2", "--server-pid", "11,x")))).hasMessageContaining("process ids separated by commas: 'x'");
        assertThatThrownBy(() -> LoadGenerator.relaySettings(LoadGenerator.relayOptions(args("--hubs", "4",
                "--apps", "2", "--server-pid", "11,11")))).hasMessageContaining("names a process twice");
        assertThatThrownBy(() -> LoadGenerator.relaySettings(LoadGenerator.relayOptions(args("--hubs", "4",
                "--apps", "2", "--server-pid", "0")))).hasMessageContaining("process ids");
    }

    @Test
    void telemetrySweepHasLongerStepsThanTheRelaySweepAndChoosesItsOwnRates() {
        Sweep.Plan plan = LoadGenerator.telemetrySweep(LoadGenerator.telemetryOptions(args("--find-max",
                "--max-rate", "4000")));

        assertThat(plan.startRate()).isEqualTo(500);
        assertThat(plan.maxRate()).isEqualTo(4000);
        assertThat(plan.warmup()).isEqualTo(Duration.ofSeconds(5));
        assertThat(plan.duration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(plan.p99LimitMs()).isEqualTo(200);
        assertThatThrownBy(() -> LoadGenerator.telemetrySweep(LoadGenerator.telemetryOptions(args("--find-max",
                "--rate", "100")))).hasMessageContaining("chooses its own rates");
    }

    @Test
    void telemetryRefusesWhatCannotBeSentOrMeasured() {
        assertThatThrownBy(() -> LoadGenerator.telemetryLoad(LoadGenerator.telemetryOptions(args())))
                .hasMessageContaining("--rate is required");
        assertThatThrownBy(() -> LoadGenerator.telemetryLoad(LoadGenerator.telemetryOptions(args("--rate", "10",
                "--samples", "1000")))).hasMessageContaining("--samples must be within 1..");
        assertThatThrownBy(() -> LoadGenerator.telemetryLoad(LoadGenerator.telemetryOptions(args("--rate", "10",
                "--duration", "0")))).hasMessageContaining("duration > 0");
        assertThatThrownBy(() -> LoadGenerator.telemetryOptions(args("--payload", "256")))
                .hasMessageContaining("unknown option --payload");
        assertThat(LoadGenerator.run(List.of("telemetry", "--rate", "1"))).isEqualTo(2);
    }

    private static List<String> args(String... extra) {
        return Stream.concat(TARGET.stream(), Arrays.stream(extra)).toList();
    }
}
