package io.ora.relay.edge;

import static io.ora.relay.edge.MqttPublishTest.assertPubAck;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.ora.core.identity.PeerId;
import io.ora.core.telemetry.TelemetryIntake.Receipt;
import io.ora.relay.RecordingIntake;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PUBLISH to a hub's telemetry topic: only the hub itself may, the payload goes to the intake byte for byte and is
 * never routed, and a QoS 1 sender's PUBACK waits for the intake's receipt and reports it.
 */
class MqttTelemetryTest {

    private static final byte[] PAYLOAD = {'{', 0, (byte) 0xC3, 0x28, (byte) 0xFF, '}'};

    private final PeerId.Hub hub = new PeerId.Hub(UUID.randomUUID());
    private final String telemetry = "ora/v1/hub/" + hub.uuid() + "/telemetry";
    private final RecordingIntake intake = new RecordingIntake();
    @RegisterExtension
    final TestEdge edge = TestEdge.start();

    @Test
    void mqtt5PubAcksWaitForTheReceiptsAndReportThemInArrivalOrder() throws InterruptedException {
        edge.telemetry(intake);
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, telemetry, 31, new byte[0], PAYLOAD));
        peer.send(MqttBytes.publish(1, false, telemetry, 32, new byte[0], PAYLOAD));
        peer.send(MqttBytes.publish(1, false, telemetry, 33, new byte[0], PAYLOAD));
        RecordingIntake.Submission stored = intake.next(hub.uuid());
        RecordingIntake.Submission rejected = intake.next(hub.uuid());
        RecordingIntake.Submission unavailable = intake.next(hub.uuid());
        assertThat(stored.hub()).isEqualTo(hub.uuid());
        assertThat(stored.payload()).isEqualTo(PAYLOAD);
        unavailable.complete(Receipt.UNAVAILABLE);
        rejected.complete(Receipt.REJECTED);
        assertThat(peer.drain()).as("no PUBACK overtakes the first, still pending").isEmpty();
        stored.complete(Receipt.STORED);

        assertPubAck(peer.next(), 31, MqttReasonCodes.PubAck.SUCCESS);
        assertPubAck(peer.next(), 32, MqttReasonCodes.PubAck.PAYLOAD_FORMAT_INVALID);
        assertPubAck(peer.next(), 33, MqttReasonCodes.PubAck.QUOTA_EXCEEDED);
        assertThat(peer.isOpen()).isTrue();
        assertThat(edge.router().deliveries()).isEmpty();
        assertThat(edge.metrics().value("ora_relay_messages_routed_total")).isZero();
        assertThat(telemetryCount("stored")).isEqualTo(1);
        assertThat(telemetryCount("rejected")).isEqualTo(1);
        assertThat(telemetryCount("unavailable")).isEqualTo(1);
    }

    @Test
    void aReceiptArrivingAfterItsPublishTimedOutDoesNotAcknowledgeANewerPublishWithTheSamePacketId()
            throws InterruptedException {
        edge.telemetry(intake);
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, telemetry, 41, new byte[0], PAYLOAD));
        RecordingIntake.Submission late = intake.next(hub.uuid());
        peer.advanceTime(edge.settings().limits().deliveryTimeout().multipliedBy(2).plusMillis(1));
        assertPubAck(peer.next(), 41, MqttReasonCodes.PubAck.UNSPECIFIED_ERROR);
        // The hub reuses the packet id, as it may once the first publish was answered.
        peer.send(MqttBytes.publish(1, false, telemetry, 41, new byte[0], PAYLOAD));
        RecordingIntake.Submission newer = intake.next(hub.uuid());

        late.complete(Receipt.STORED);
        peer.advanceTime(java.time.Duration.ZERO);
        assertThat(peer.drain()).as("the late receipt settles nothing").isEmpty();
        newer.complete(Receipt.REJECTED);
        assertPubAck(peer.next(), 41, MqttReasonCodes.PubAck.PAYLOAD_FORMAT_INVALID);
    }

    @Test
    void mqtt311RejectedPayloadIsAcknowledged() throws InterruptedException {
        edge.telemetry(intake);
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.publish(1, false, telemetry, 8, null, PAYLOAD));
        assertThat(peer.drain()).isEmpty();
        intake.next(hub.uuid()).complete(Receipt.REJECTED);

        MqttMessage pubAck = peer.next();
        assertThat(pubAck.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        assertThat(((MqttMessageIdVariableHeader) pubAck.variableHeader()).messageId()).isEqualTo(8);
        assertThat(peer.isOpen()).isTrue();
    }

    @Test
    void mqtt311UnavailableIntakeClosesTheConnectionInsteadOfAcknowledging() throws InterruptedException {
        edge.telemetry(intake);
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.publish(1, false, telemetry, 8, null, PAYLOAD));
        intake.next(hub.uuid()).complete(Receipt.UNAVAILABLE);

        peer.awaitClosed();
        assertThat(peer.drain()).isEmpty();
    }

    @Test
    void anIntakeThatFailsDespiteItsContractCountsAsUnavailable() {
        edge.telemetry((sender, payload) -> CompletableFuture.failedFuture(new IllegalStateException("broken")));
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, telemetry, 5, new byte[0], PAYLOAD));

        assertPubAck(peer.next(), 5, MqttReasonCodes.PubAck.QUOTA_EXCEEDED);
        assertThat(telemetryCount("unavailable")).isEqualTo(1);
    }

    @Test
    void qos0IsSubmittedWithoutAnyAnswerAndItsReceiptCounted() throws InterruptedException {
        edge.telemetry(intake);
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(0, false, telemetry, 0, new byte[0], PAYLOAD));
        RecordingIntake.Submission submission = intake.next(hub.uuid());
        assertThat(submission.payload()).isEqualTo(PAYLOAD);
        submission.complete(Receipt.REJECTED);

        assertThat(peer.drain()).isEmpty();
        assertThat(peer.isOpen()).isTrue();
        assertThat(telemetryCount("rejected")).isEqualTo(1);
    }

    @Test
    void nobodyButTheHubItselfMayPublishItsTelemetry() {
        edge.telemetry(intake);
        PeerConnection app = edge.open(new PeerId.App("app-" + UUID.randomUUID())).connected(MqttVersion.MQTT_5);
        PeerConnection otherHub = edge.open(new PeerId.Hub(UUID.randomUUID())).connected(MqttVersion.MQTT_5);

        app.send(MqttBytes.publish(1, false, telemetry, 1, new byte[0], PAYLOAD));
        otherHub.send(MqttBytes.publish(1, false, telemetry, 2, new byte[0], PAYLOAD));
        assertPubAck(app.next(), 1, MqttReasonCodes.PubAck.NOT_AUTHORIZED);
        assertPubAck(otherHub.next(), 2, MqttReasonCodes.PubAck.NOT_AUTHORIZED);
        otherHub.send(MqttBytes.publish(0, false, telemetry, 0, new byte[0], PAYLOAD));

        assertThat(otherHub.nextDisconnectReason())
                .isEqualTo(MqttReasonCodes.Disconnect.NOT_AUTHORIZED.byteValue() & 0xFF);
        assertThat(intake.submitted(hub.uuid())).isZero();
        assertThat(edge.refusedPublishes("not_authorized")).isEqualTo(3);
    }

    @Test
    void theSendersRateLimitAppliesToTelemetry() {
        AtomicInteger submitted = new AtomicInteger();
        try (TestEdge limited = TestEdge.start(Map.of("ora.relay.limits.publish-rate", 2,
                "ora.relay.limits.publish-burst", 3))) {
            limited.telemetry((sender, payload) -> {
                submitted.incrementAndGet();
                return CompletableFuture.completedFuture(Receipt.STORED);
            });
            PeerConnection peer = limited.open(hub).connected(MqttVersion.MQTT_5);
            List<Byte> codes = new ArrayList<>();
            for (int packetId = 1; packetId <= 10; packetId++) {
                peer.send(MqttBytes.publish(1, false, telemetry, packetId, new byte[0], PAYLOAD));
                codes.add(((MqttPubReplyMessageVariableHeader) peer.next().variableHeader()).reasonCode());
            }

            assertThat(codes).contains(MqttReasonCodes.PubAck.QUOTA_EXCEEDED.byteValue());
            assertThat(limited.refusedPublishes("rate_limited")).isPositive()
                    .isEqualTo(Collections.frequency(codes, MqttReasonCodes.PubAck.QUOTA_EXCEEDED.byteValue()));
            assertThat(submitted.get())
                    .isEqualTo(Collections.frequency(codes, MqttReasonCodes.PubAck.SUCCESS.byteValue()));
        }
    }

    private long telemetryCount(String receipt) {
        return edge.metrics().value("ora_relay_telemetry_total", "receipt", receipt);
    }
}
