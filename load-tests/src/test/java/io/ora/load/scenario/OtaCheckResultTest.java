package io.ora.load.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.load.measure.CpuUse;
import io.ora.load.measure.Latency;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OtaCheckResultTest {

    private static final Latency.Summary LATENCY = new Latency.Summary(60_000, 4_000_000, 30_000_000, 45_000_000,
            80_000_000, 6_000_000);
    private static final Latency.Summary NONE = new Latency.Summary(0, 0, 0, 0, 0, 0);
    private static final Latency.Summary LAG = new Latency.Summary(60_000, 50_000, 400_000, 900_000, 2_000_000,
            60_000);
    private static final CpuUse CPU = new CpuUse(30_000_000_000L, OptionalLong.of(9_000_000_000L),
            OptionalLong.of(30_000_000_000L), 3, 12);

    @Test
    void answersAreKnownByTheirFirstBytes() {
        assertThat(OtaCheckRun.kind("{\"ota\":\"offer\",\"rollout\":\"" + UUID.randomUUID(), 2100)).isEqualTo("offer");
        assertThat(kind("{\"ota\":\"none\"}")).isEqualTo("none");
        assertThat(kind("{\"ota\":\"none\",\"reason\":\"invalid_check\"}")).isEqualTo("none/invalid_check");
        assertThat(kind("{\"ota\":\"wait\",\"reason\":\"rate_limited\"}")).isEqualTo("wait/rate_limited");
        assertThat(OtaCheckRun.kind("{\"ota\":\"wait\",\"reason\":\"rate_limited\"}", 400))
                .as("only the head of a longer answer").isEqualTo("other");
        assertThat(kind("not json")).isEqualTo("other");
    }

    private static String kind(String whole) {
        return OtaCheckRun.kind(whole, whole.length());
    }

    @Test
    void theCheckIsTheDocumentOfTheContractOnTheHubsOwnTopic() {
        UUID hub = UUID.randomUUID();
        assertThat(OtaCheckBenchmark.checkTopic(hub)).isEqualTo("ora/v1/hub/" + hub + "/ota");
        assertThat(new String(OtaCheckBenchmark.check("ora-hub-1", "1.2.0"), StandardCharsets.UTF_8))
                .isEqualTo("{\"model\":\"ora-hub-1\",\"version\":\"1.2.0\"}");
    }

    @Test
    void aRunOfOffersAndRateLimitedAnswersWithinTheLimitIsSustained() {
        OtaCheckResult result = result(answers(Map.of("offer", 50_000L, "wait/rate_limited", 10_000L), Map.of()), 0);

        assertThat(result.answeredPerSecond()).isEqualTo(2000);
        assertThat(result.meanAnswerBytes()).isEqualTo(1000);
        assertThat(result.problems(50)).isEmpty();
        assertThat(result.lines(50)).last().asString().startsWith("RESULT ota-check run=1 hubs=10000 target=2000")
                .contains("kinds=offer:50000,wait/rate_limited:10000", "offers=50000", "failures=0",
                        "sustained=true");
    }

    @Test
    void unavailableAnswersRefusalsLossAndTheTailEachFailARun() {
        assertThat(result(answers(Map.of("offer", 59_000L, "wait/unavailable", 1000L), Map.of()), 0).problems(50))
                .containsExactly("1000 failure answers");
        assertThat(result(answers(Map.of("offer", 60_000L), Map.of("PUBACK QUOTA_EXCEEDED", 3L)), 0).problems(50))
                .hasSize(1).first().asString().startsWith("3 refused");
        assertThat(result(answers(Map.of("offer", 60_000L), Map.of()), 7).problems(50))
                .containsExactly("7 without answer");
        assertThat(result(answers(Map.of("offer", 60_000L), Map.of()), 0).problems(25))
                .containsExactly("p99 30.0 ms >= 25.0 ms");
    }

    private static OtaCheckResult.Answers answers(Map<String, Long> kinds, Map<String, Long> refused) {
        long answered = kinds.values().stream().mapToLong(Long::longValue).sum();
        return new OtaCheckResult.Answers(answered, kinds, answered * 1000, 0, refused);
    }

    private static OtaCheckResult result(OtaCheckResult.Answers measured, long lost) {
        OtaCheckResult.Answers warmup = new OtaCheckResult.Answers(0, Map.of(), 0, 0, Map.of());
        return new OtaCheckResult(1, 2000, 10_000, 80_000, 80_000, 0, warmup, measured, lost, 0,
                Duration.ofSeconds(30), Instant.EPOCH, 2000, LATENCY, LATENCY, NONE, LAG, Duration.ofSeconds(75),
                CPU, 60_000);
    }
}
