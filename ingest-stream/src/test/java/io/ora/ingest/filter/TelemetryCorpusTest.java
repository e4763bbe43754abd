package io.ora.ingest.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A fixed corpus of tricky payloads (test resource {@code telemetry-corpus.txt}) and what each must become. */
class TelemetryCorpusTest {

    static Stream<Arguments> corpus() throws IOException {
        try (InputStream in = TelemetryCorpusTest.class.getResourceAsStream("/telemetry-corpus.txt")) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
            return lines.stream().map(line -> line.split("\t", 2)).map(parts -> Arguments.of(parts[0], parts[1]));
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("corpus")
    void eachCaseIsDecidedAsWritten(String expected, String payload) {
        TelemetryFilter.Outcome outcome = TelemetryFilterPropertiesTest.FILTER.filter(
                payload.getBytes(StandardCharsets.UTF_8));
        if (expected.equals("KEPT")) {
            assertThat(outcome).isInstanceOf(TelemetryFilter.Kept.class);
        } else {
            assertThat(outcome).isEqualTo(new TelemetryFilter.Dropped(TelemetryFilter.Reason.valueOf(expected)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\"+999999999-12-31T23:59:59Z\"", "\"3000-01-01T00:00:00Z\"",
                            "\"1969-12-31T23:59:59Z\"", "0", "-5", "32503680000000", "9223372036854775807",
                            "\"2026-13-01T00:00:00Z\"", "\"yesterday\"", "1.5e12", "true"})
    void aTimestampOutsideTheEpochToTheYear3000OrNotOfEitherFormIsDiscardedAndTheSampleKept(String ts) {
        TelemetryFilter.Outcome outcome = TelemetryFilterPropertiesTest.FILTER.filter(
                ("{\"ts\":" + ts + ",\"cpu\":5}").getBytes(StandardCharsets.UTF_8));
        assertThat(outcome).isInstanceOfSatisfying(TelemetryFilter.Kept.class, kept ->
                assertThat(kept.samples()).singleElement().satisfies(sample -> {
                    assertThat(sample.ts()).isEmpty();
                    assertThat(sample.cpu()).hasValue(5);
                }));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\"2026-11-27T10:15:30Z\"", "\"2026-11-27T20:15:30+10:00\"", "1795774530000"})
    void bothTimestampFormsAreKept(String ts) {
        TelemetryFilter.Outcome outcome = TelemetryFilterPropertiesTest.FILTER.filter(
                ("{\"ts\":" + ts + ",\"cpu\":5}").getBytes(StandardCharsets.UTF_8));
        assertThat(outcome).isInstanceOfSatisfying(TelemetryFilter.Kept.class, kept ->
                assertThat(kept.samples().get(0).ts()).contains(Instant.parse("2026-11-27T10:15:30Z")));
    }
}
