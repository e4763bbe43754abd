package io.ora.relay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import io.ora.relay.access.Scope;
import io.ora.relay.delivery.DeliveryResult;
import io.ora.relay.delivery.Envelope;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PUBLISH from a peer: what passes reaches the receiver's entity (the router) with the exact payload, the verified
 * sender and none of the sender's {@code ora-} user properties; QoS 1 senders learn the receiver's outcome in their
 * PUBACK; what the relay refuses is counted and answered as docs/mqtt.md says.
 */
class MqttPublishTest {

    private static final byte[] PAYLOAD = {0, 1, (byte) 0xC3, 0x28, (byte) 0xFF, 0x7F, 0};

    private final PeerId.App app = new PeerId.App("app-" + UUID.randomUUID());
    private final PeerId.Hub hub = new PeerId.Hub(UUID.randomUUID());
    private final String hubInbox = Topics.inbox(hub);
    @RegisterExtension
    final TestEdge edge = TestEdge.start();

    @Test
    void mqtt5PublishReachesTheReceiverWithTheVerifiedSenderAndWithoutReservedProperties() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);
        byte[] properties = MqttBytes.concat(MqttBytes.userProperty("ora-sender", "urn:ora:app:impostor"),
                MqttBytes.userProperty("trace", "t-1"), MqttBytes.userProperty("ora-anything", "x"));

        peer.send(MqttBytes.publish(0, false, hubInbox, 0, properties, PAYLOAD));

        assertThat(edge.router().deliveries()).hasSize(1);
        RecordingRouter.Delivery delivery = edge.router().deliveries().get(0);
        assertThat(delivery.receiver()).isEqualTo(hub);
        Envelope envelope = delivery.envelope();
        assertThat(envelope.topic()).isEqualTo(hubInbox);
        assertThat(envelope.payload()).isEqualTo(PAYLOAD);
        assertThat(envelope.sender()).isEqualTo(app.urn());
        assertThat(envelope.userProperties()).containsExactly(new Envelope.UserProperty("trace", "t-1"));
        assertThat(envelope.qos()).isZero();
        assertThat(edge.metrics().value("ora_relay_messages_routed_total")).isEqualTo(1);
        assertThat(peer.drain()).as("QoS 0 is not acknowledged").isEmpty();
        assertThat(peer.isOpen()).isTrue();
    }

    @Test
    void mqtt311PublishBelowTheInboxReachesTheReceiverWithTheVerifiedSender() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.publish(0, false, hubInbox + "/lights", 0, null, PAYLOAD));

        assertThat(edge.router().deliveries()).hasSize(1);
        Envelope envelope = edge.router().deliveries().get(0).envelope();
        assertThat(envelope.topic()).isEqualTo(hubInbox + "/lights");
        assertThat(envelope.payload()).isEqualTo(PAYLOAD);
        assertThat(envelope.sender()).isEqualTo(app.urn());
        assertThat(envelope.userProperties()).isEmpty();
    }

    @Test
    void hubPublishReachesABoundApp() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(0, false, Topics.inbox(app), 0, new byte[0], PAYLOAD));

        assertThat(edge.router().deliveries()).hasSize(1);
        assertThat(edge.router().deliveries().get(0).receiver()).isEqualTo(app);
        assertThat(edge.router().deliveries().get(0).envelope().sender()).isEqualTo(hub.urn());
    }

    @Test
    void mqtt5Qos1PublishIsAcknowledgedWithTheReceiversOutcome() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, hubInbox, 42, new byte[0], PAYLOAD));
        assertThat(peer.drain()).as("no PUBACK before the outcome is known").isEmpty();
        edge.router().deliveries().get(0).envelope().reply(DeliveryResult.DELIVERED);
        MqttMessage delivered = peer.next();
        peer.send(MqttBytes.publish(1, false, hubInbox, 43, new byte[0], PAYLOAD));
        edge.router().deliveries().get(1).envelope().reply(DeliveryResult.NO_SUBSCRIBERS);
        MqttMessage noSubscribers = peer.next();

        assertPubAck(delivered, 42, MqttReasonCodes.PubAck.SUCCESS);
        assertPubAck(noSubscribers, 43, MqttReasonCodes.PubAck.NO_MATCHING_SUBSCRIBERS);
        assertThat(peer.isOpen()).isTrue();
    }

    @Test
    void mqtt311Qos1PublishWithNoSubscribersIsStillAcknowledged() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.publish(1, false, hubInbox, 7, null, PAYLOAD));
        edge.router().deliveries().get(0).envelope().reply(DeliveryResult.NO_SUBSCRIBERS);

        MqttMessage pubAck = peer.next();
        assertThat(pubAck.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        assertThat(((MqttMessageIdVariableHeader) pubAck.variableHeader()).messageId()).isEqualTo(7);
        assertThat(peer.isOpen()).isTrue();
    }

    @Test
    void mqtt311Qos1PublishThatWasNotDeliveredClosesTheConnectionInsteadOfAcknowledging() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.publish(1, false, hubInbox, 7, null, PAYLOAD));
        edge.router().deliveries().get(0).envelope().reply(DeliveryResult.QUOTA_EXCEEDED);

        peer.awaitClosed();
        assertThat(peer.drain()).isEmpty();
    }

    @Test
    void mqtt5UnboundQos0PublishIsNotAuthorised() {
        edge.bound(false);
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(0, false, hubInbox, 0, new byte[0], PAYLOAD));

        assertThat(peer.nextDisconnectReason()).isEqualTo(MqttReasonCodes.Disconnect.NOT_AUTHORIZED.byteValue() & 0xFF);
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.refusedPublishes("not_authorized")).isEqualTo(1);
        assertThat(edge.closed("not_authorized")).isEqualTo(1);
        assertThat(edge.router().deliveries()).isEmpty();
    }

    @Test
    void mqtt311UnboundQos0PublishClosesTheConnection() {
        edge.bound(false);
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.publish(0, false, hubInbox, 0, null, PAYLOAD));

        assertThat(peer.isOpen()).isFalse();
        assertThat(peer.drain()).isEmpty();
        assertThat(edge.closed("not_authorized")).isEqualTo(1);
        assertThat(edge.router().deliveries()).isEmpty();
    }

    @Test
    void mqtt5UnboundQos1PublishGetsNotAuthorisedInItsPuback() {
        edge.bound(false);
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, hubInbox, 9, new byte[0], PAYLOAD));

        assertPubAck(peer.next(), 9, MqttReasonCodes.PubAck.NOT_AUTHORIZED);
        assertThat(peer.isOpen()).isTrue();
        assertThat(edge.refusedPublishes("not_authorized")).isEqualTo(1);
        assertThat(edge.router().deliveries()).isEmpty();
    }

    @Test
    void aHandoverOnlyBindingReachesTheHandoverLevelOfTheInboxAndNothingElse() {
        edge.scope(Scope.HANDOVER);
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, hubInbox + "/handover", 1, new byte[0], PAYLOAD));
        peer.send(MqttBytes.publish(1, false, hubInbox + "/handover/key-check", 2, new byte[0], PAYLOAD));
        peer.send(MqttBytes.publish(1, false, hubInbox, 3, new byte[0], PAYLOAD));
        peer.send(MqttBytes.publish(1, false, hubInbox + "/lights", 4, new byte[0], PAYLOAD));
        peer.send(MqttBytes.publish(1, false, hubInbox + "/handovers", 5, new byte[0], PAYLOAD));
        peer.send(MqttBytes.publish(1, false, hubInbox + "/lights/handover", 6, new byte[0], PAYLOAD));

        assertThat(edge.router().deliveries()).extracting(delivery -> delivery.envelope().topic())
                .containsExactly(hubInbox + "/handover", hubInbox + "/handover/key-check");
        edge.router().deliveries().forEach(delivery -> delivery.envelope().reply(DeliveryResult.DELIVERED));
        assertPubAck(peer.next(), 1, MqttReasonCodes.PubAck.SUCCESS);
        assertPubAck(peer.next(), 2, MqttReasonCodes.PubAck.SUCCESS);
        for (int refused = 3; refused <= 6; refused++) {
            assertPubAck(peer.next(), refused, MqttReasonCodes.PubAck.NOT_AUTHORIZED);
        }
        assertThat(edge.refusedPublishes("not_authorized")).isEqualTo(4);
    }

    @Test
    void aHandoverOnlyBindingLetsTheHubAnswerOnTheAppsHandoverLevelOnly() {
        edge.scope(Scope.HANDOVER);
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);
        String appInbox = Topics.inbox(app);

        peer.send(MqttBytes.publish(0, false, appInbox + "/handover", 0, new byte[0], PAYLOAD));
        assertThat(edge.router().deliveries()).hasSize(1);
        assertThat(edge.router().deliveries().get(0).receiver()).isEqualTo(app);

        peer.send(MqttBytes.publish(0, false, appInbox, 0, new byte[0], PAYLOAD));
        assertThat(peer.nextDisconnectReason()).isEqualTo(MqttReasonCodes.Disconnect.NOT_AUTHORIZED.byteValue() & 0xFF);
        assertThat(edge.router().deliveries()).hasSize(1);
    }

    @Test
    void aFailedBindingLookUpRefusesThePublish() {
        edge.lookupsFail();
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, hubInbox, 9, new byte[0], PAYLOAD));

        assertPubAck(peer.next(), 9, MqttReasonCodes.PubAck.NOT_AUTHORIZED);
        assertThat(edge.router().deliveries()).isEmpty();
    }

    @Test
    void mqtt5PublishIntoItsOwnInboxIsNotAuthorised() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, Topics.inbox(app), 3, new byte[0], PAYLOAD));

        assertPubAck(peer.next(), 3, MqttReasonCodes.PubAck.NOT_AUTHORIZED);
        assertThat(edge.router().deliveries()).isEmpty();
    }

    @Test
    void mqtt5PublishOutsideTheNamespaceIsTopicNameInvalid() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, "somewhere/else", 5, new byte[0], PAYLOAD));

        assertPubAck(peer.next(), 5, MqttReasonCodes.PubAck.TOPIC_NAME_INVALID);
        assertThat(peer.isOpen()).isTrue();
        assertThat(edge.refusedPublishes("topic_invalid")).isEqualTo(1);
        assertThat(edge.router().deliveries()).isEmpty();
    }

    @Test
    void aHubPublishingToItsOwnOtaTopicAsksForItsOtaStatusInsteadOfBeingRelayed() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, "ora/v1/hub/" + hub.uuid() + "/ota", 21, new byte[0], PAYLOAD));

        assertThat(edge.router().otaChecks()).hasSize(1);
        RecordingRouter.OtaCheck check = edge.router().otaChecks().get(0);
        assertThat(check.hub()).isEqualTo(hub);
        assertThat(check.qos()).isEqualTo(1);
        assertThat(check.packetId()).isEqualTo(21);
        assertThat(edge.router().deliveries()).isEmpty();
        assertThat(edge.metrics().value("ora_relay_messages_routed_total")).isZero();
        assertThat(peer.drain()).as("the PUBACK waits for the answer").isEmpty();
        assertThat(peer.isOpen()).isTrue();
    }

    @Test
    void mqtt311HubAsksForItsOtaStatusAtQos0() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.publish(0, false, "ora/v1/hub/" + hub.uuid() + "/ota", 0, null, new byte[0]));

        assertThat(edge.router().otaChecks()).singleElement()
                .satisfies(check -> assertThat(check.qos()).isZero());
        assertThat(peer.isOpen()).isTrue();
    }

    @Test
    void anAppPublishingToAHubsOtaTopicIsNotAuthorised() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, "ora/v1/hub/" + hub.uuid() + "/ota", 4, new byte[0], PAYLOAD));

        assertPubAck(peer.next(), 4, MqttReasonCodes.PubAck.NOT_AUTHORIZED);
        assertThat(edge.router().otaChecks()).isEmpty();
        assertThat(edge.refusedPublishes("not_authorized")).isEqualTo(1);
    }

    @Test
    void aHubPublishingToAnotherHubsOtaTopicAtQos0IsDisconnectedAsNotAuthorised() {
        PeerConnection peer = edge.open(new PeerId.Hub(UUID.randomUUID())).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(0, false, "ora/v1/hub/" + hub.uuid() + "/ota", 0, new byte[0], PAYLOAD));

        assertThat(peer.nextDisconnectReason()).isEqualTo(MqttReasonCodes.Disconnect.NOT_AUTHORIZED.byteValue() & 0xFF);
        assertThat(edge.router().otaChecks()).isEmpty();
        assertThat(edge.closed("not_authorized")).isEqualTo(1);
    }

    @Test
    void levelsBelowTheTelemetryAndOtaTopicsAreNotRouted() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, "ora/v1/hub/" + hub.uuid() + "/telemetry/x", 5, new byte[0], PAYLOAD));
        peer.send(MqttBytes.publish(1, false, "ora/v1/hub/" + hub.uuid() + "/ota/x", 6, new byte[0], PAYLOAD));
        peer.send(MqttBytes.publish(1, false, "ora/v1/hub/" + hub.uuid() + "/ota/report/x", 7, new byte[0], PAYLOAD));

        assertPubAck(peer.next(), 5, MqttReasonCodes.PubAck.TOPIC_NAME_INVALID);
        assertPubAck(peer.next(), 6, MqttReasonCodes.PubAck.TOPIC_NAME_INVALID);
        assertPubAck(peer.next(), 7, MqttReasonCodes.PubAck.TOPIC_NAME_INVALID);
        assertThat(edge.router().otaChecks()).isEmpty();
        assertThat(edge.router().deliveries()).isEmpty();
    }

    static void assertPubAck(MqttMessage packet, int packetId, MqttReasonCodes.PubAck reason) {
        assertThat(packet.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        MqttPubReplyMessageVariableHeader header = (MqttPubReplyMessageVariableHeader) packet.variableHeader();
        assertThat(header.messageId()).isEqualTo(packetId);
        assertThat(header.reasonCode()).isEqualTo(reason.byteValue());
    }
}
