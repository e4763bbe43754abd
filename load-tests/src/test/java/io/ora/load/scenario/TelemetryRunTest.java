package io.ora.load.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.internal.mqtt.datatypes.MqttUserPropertiesImpl;
import com.hivemq.client.internal.mqtt.message.publish.MqttPublish;
import com.hivemq.client.internal.mqtt.message.publish.MqttPublishResult;
import com.hivemq.client.internal.mqtt.message.publish.puback.MqttPubAck;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.exceptions.ConnectionClosedException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class TelemetryRunTest {

    private static final MqttPublish PUBLISH = (MqttPublish) Mqtt5Publish.builder()
            .topic("ora/v1/hub/0b5a3c1e-6f7d-4e2a-9c8b-1d2e3f4a5b6c/telemetry").qos(MqttQos.AT_LEAST_ONCE).build();

    @Test
    void successIsOnlyAPubAckWithReasonCodeSuccess() {
        assertThat(TelemetryRun.classify(result(Mqtt5PubAckReasonCode.SUCCESS), null))
                .isEqualTo(TelemetryRun.Outcome.SUCCESS);
        assertThat(TelemetryRun.classify(result(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS), null))
                .isEqualTo(TelemetryRun.Outcome.OTHER);
        assertThat(TelemetryRun.describeOther(result(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS), null))
                .isEqualTo("PUBACK NO_MATCHING_SUBSCRIBERS");
    }

    @Test
    void errorCodesCountTheSameWhetherTheClientReportsThemAsResultOrAsFailure() {
        assertThat(TelemetryRun.classify(result(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED), null))
                .isEqualTo(TelemetryRun.Outcome.QUOTA_EXCEEDED);
        assertThat(TelemetryRun.classify(null, failure(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED)))
                .isEqualTo(TelemetryRun.Outcome.QUOTA_EXCEEDED);
        assertThat(TelemetryRun.classify(null, new CompletionException(failure(
                Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID)))).isEqualTo(TelemetryRun.Outcome.PAYLOAD_REJECTED);
        assertThat(TelemetryRun.classify(null, failure(Mqtt5PubAckReasonCode.NOT_AUTHORIZED)))
                .isEqualTo(TelemetryRun.Outcome.OTHER);
        assertThat(TelemetryRun.describeOther(null, failure(Mqtt5PubAckReasonCode.UNSPECIFIED_ERROR)))
                .isEqualTo("PUBACK UNSPECIFIED_ERROR");
    }

    @Test
    void aLostConnectionIsAnotherOutcomeNamedByItsCause() {
        ConnectionClosedException closed = new ConnectionClosedException("Server closed connection");

        assertThat(TelemetryRun.classify(null, closed)).isEqualTo(TelemetryRun.Outcome.OTHER);
        assertThat(TelemetryRun.describeOther(null, closed)).startsWith("ConnectionClosedException");
    }

    private static MqttPublishResult.MqttQos1Result result(Mqtt5PubAckReasonCode code) {
        return new MqttPublishResult.MqttQos1Result(PUBLISH, null, pubAck(code));
    }

    private static Mqtt5PubAckException failure(Mqtt5PubAckReasonCode code) {
        return new Mqtt5PubAckException(pubAck(code), "PUBACK contained an Error Code");
    }

    private static MqttPubAck pubAck(Mqtt5PubAckReasonCode code) {
        return new MqttPubAck(1, code, null, MqttUserPropertiesImpl.NO_USER_PROPERTIES);
    }
}
