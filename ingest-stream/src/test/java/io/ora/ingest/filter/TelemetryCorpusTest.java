package io.ora.ingest.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
}
