package io.ora.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ora.ingest.filter.TelemetryFilter;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class TelemetryPayloadTest {

    /** The ingest role's limits (ingest-stream reference.conf, ora.ingest.filter). */
    private static final TelemetryFilter FILTER = new TelemetryFilter(new TelemetryFilter.Limits(65_536, 16, 4096,
            1000));
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long NOW = 1_764_237_600_000L;

    @Test
    void tenSamplesAreAnArrayOfRealisticSizeWithDistinctTimestamps() {
        byte[] body = TelemetryPayload.encode(10, NOW, 42);

        assertThat(body.length).isBetween(500, 800).isLessThanOrEqualTo(TelemetryPayload.maxBytes(10));
        JsonNode root = JSON.readTree(body);
        assertThat(root.isArray()).isTrue();
        assertThat(root.size()).isEqualTo(10);
        Set<Long> timestamps = new HashSet<>();
        for (JsonNode sample : root) {
            assertThat(sample.propertyNames()).containsExactly("ts", "fw", "cpu", "ram", "rssi");
            timestamps.add(sample.get("ts").asLong());
        }
        assertThat(timestamps).hasSize(10).contains(NOW, NOW - 9 * TelemetryPayload.SAMPLE_INTERVAL_MILLIS);
    }

    @Test
    void oneSampleIsAnObject() {
        JsonNode root = JSON.readTree(TelemetryPayload.encode(1, NOW, 7));

        assertThat(root.isObject()).isTrue();
        assertThat(root.get("ts").asLong()).isEqualTo(NOW);
        assertThat(root.get("fw").asString()).isEqualTo(TelemetryPayload.FIRMWARE);
    }

    @Test
    void theIngestFilterKeepsEverySampleWithEveryMetric() {
        for (long variation = 0; variation < 2000; variation += 37) {
            TelemetryFilter.Outcome outcome = FILTER.filter(TelemetryPayload.encode(10, NOW, variation));

            assertThat(outcome).isInstanceOf(TelemetryFilter.Kept.class);
            List<TelemetryFilter.Sample> samples = ((TelemetryFilter.Kept) outcome).samples();
            assertThat(samples).hasSize(10).allSatisfy(sample -> {
                assertThat(sample.ts()).isPresent();
                assertThat(sample.firmware()).contains(TelemetryPayload.FIRMWARE);
                assertThat(sample.cpu()).isPresent();
                assertThat(sample.ram()).isPresent();
                assertThat(sample.rssi()).isPresent();
            });
            assertThat(samples.get(9).ts()).contains(Instant.ofEpochMilli(NOW));
        }
    }

    @Test
    void valuesVaryWithinTheirRanges() {
        Set<String> distinct = new HashSet<>();
        for (long variation = 0; variation < 1000; variation++) {
            for (JsonNode sample : JSON.readTree(TelemetryPayload.encode(3, NOW, variation))) {
                assertThat(sample.get("cpu").asDouble()).isBetween(0.0, 100.0);
                assertThat(sample.get("ram").asDouble()).isBetween(0.0, 100.0);
                assertThat(sample.get("rssi").asDouble()).isBetween(-130.0, 0.0);
                distinct.add(sample.get("cpu") + "/" + sample.get("ram") + "/" + sample.get("rssi"));
            }
        }
        assertThat(distinct).hasSizeGreaterThan(100);
    }

    @Test
    void theLargestAllowedReportStaysWithinTheFilterAndPacketLimits() {
        int most = 1;
        while (TelemetryPayload.maxBytes(most + 1) <= TelemetryPayload.MAX_BYTES) {
            most++;
        }
        byte[] body = TelemetryPayload.encode(most, NOW, 999);

        assertThat(body.length).isLessThanOrEqualTo(TelemetryPayload.maxBytes(most))
                .isLessThanOrEqualTo(TelemetryPayload.MAX_BYTES);
        assertThat(FILTER.filter(body)).isInstanceOf(TelemetryFilter.Kept.class);
    }

    @Test
    void refusesWhatTheIngestRoleWouldDrop() {
        assertThatThrownBy(() -> TelemetryPayload.encode(0, NOW, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TelemetryPayload.encode(TelemetryPayload.MAX_SAMPLES + 1, NOW, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TelemetryPayload.encode(TelemetryPayload.MAX_SAMPLES, NOW, 0))
                .hasMessageContaining("bytes");
        assertThatThrownBy(() -> TelemetryPayload.encode(10, 5000, 0)).hasMessageContaining("epoch");
    }

    @Test
    void topicIsTheHubsOwnTelemetryChannel() {
        UUID hub = UUID.fromString("0b5a3c1e-6f7d-4e2a-9c8b-1d2e3f4a5b6c");

        assertThat(TelemetryPayload.topic(hub)).isEqualTo("ora/v1/hub/0b5a3c1e-6f7d-4e2a-9c8b-1d2e3f4a5b6c/telemetry");
    }
}
