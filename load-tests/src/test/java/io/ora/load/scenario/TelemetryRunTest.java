package io.ora.load.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.load.client.ReasonCodes;
import org.junit.jupiter.api.Test;

class TelemetryRunTest {

    @Test
    void successIsOnlyAPubAckWithReasonCodeSuccess() {
        assertThat(TelemetryRun.classify(ReasonCodes.SUCCESS)).isEqualTo(TelemetryRun.Outcome.SUCCESS);
        assertThat(TelemetryRun.classify(ReasonCodes.NO_MATCHING_SUBSCRIBERS)).isEqualTo(TelemetryRun.Outcome.OTHER);
        assertThat(ReasonCodes.name(ReasonCodes.NO_MATCHING_SUBSCRIBERS)).isEqualTo("NO_MATCHING_SUBSCRIBERS");
    }

    @Test
    void theIngestRolesRefusalsHaveTheirOwnOutcomes() {
        assertThat(TelemetryRun.classify(0x97)).isEqualTo(TelemetryRun.Outcome.QUOTA_EXCEEDED);
        assertThat(TelemetryRun.classify(0x99)).isEqualTo(TelemetryRun.Outcome.PAYLOAD_REJECTED);
        assertThat(TelemetryRun.classify(0x87)).isEqualTo(TelemetryRun.Outcome.OTHER);
        assertThat(ReasonCodes.name(0x80)).isEqualTo("UNSPECIFIED_ERROR");
        assertThat(ReasonCodes.name(0x7F)).isEqualTo("0x7F");
    }
}
