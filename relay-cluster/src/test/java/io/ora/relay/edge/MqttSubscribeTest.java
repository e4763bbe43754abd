package io.ora.relay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import io.ora.relay.delivery.Connection;
import io.ora.relay.delivery.DeliveryResult;
import io.ora.relay.delivery.Envelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SUBSCRIBE: a peer may subscribe to its own inbox and below, at QoS 1 at most; anything else is refused in the
 * SUBACK without ending the connection. Deliveries then carry the verified sender in the receiver's protocol form.
 */
class MqttSubscribeTest {

    private static final byte[] PAYLOAD = {9, 8, 7, (byte) 0xFF};

    private final PeerId.Hub hub = new PeerId.Hub(UUID.randomUUID());
    private final PeerId.App app = new PeerId.App("app-" + UUID.randomUUID());
    private final String inbox = Topics.inbox(hub);
    @RegisterExtension
    final TestEdge edge = TestEdge.start();

    @Test
    void mqtt5SubscribeToItsOwnInboxIsGranted() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.subscribe(11, inbox + "/#", 1, true));

        MqttSubAckMessage subAck = subAck(peer.next(), 11);
        assertThat(subAck.payload().reasonCodes()).containsExactly(1);
        assertThat(peer.isOpen()).isTrue();
    }

    @Test
    void mqtt311SubscribeToItsOwnInboxIsGranted() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.subscribe(12, inbox + "/#", 0, false));

        assertThat(subAck(peer.next(), 12).payload().reasonCodes()).containsExactly(0);
    }

    @Test
    void subscriptionAskingForQos2IsGrantedQos1() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.subscribe(13, inbox, 2, true));

        assertThat(subAck(peer.next(), 13).payload().reasonCodes()).containsExactly(1);
    }

    @Test
    void mqtt5SubscribeToAnotherHubsInboxIsNotAuthorised() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.subscribe(14, Topics.hubInbox(UUID.randomUUID()) + "/#", 1, true));

        assertThat(subAck(peer.next(), 14).payload().reasonCodes())
                .containsExactly(MqttReasonCodes.SubAck.NOT_AUTHORIZED.byteValue() & 0xFF);
        assertThat(peer.isOpen()).isTrue();
        assertThat(edge.refusedSubscriptions("not_authorized")).isEqualTo(1);
    }

    @Test
    void mqtt311SubscribeToAnotherHubsInboxFails() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.subscribe(15, Topics.hubInbox(UUID.randomUUID()) + "/#", 1, false));

        assertThat(subAck(peer.next(), 15).payload().reasonCodes()).containsExactly(0x80);
        assertThat(peer.isOpen()).isTrue();
        assertThat(edge.refusedSubscriptions("not_authorized")).isEqualTo(1);
    }

    @Test
    void mqtt5SubscribeToEverythingIsNotAuthorised() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.subscribe(16, "#", 1, true));

        assertThat(subAck(peer.next(), 16).payload().reasonCodes())
                .containsExactly(MqttReasonCodes.SubAck.NOT_AUTHORIZED.byteValue() & 0xFF);
    }

    @Test
    void mqtt5DeliveryCarriesTheVerifiedSenderAsAUserProperty() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);
        peer.send(MqttBytes.subscribe(17, inbox + "/#", 1, true));
        subAck(peer.next(), 17);

        deliver(peer, new Envelope(inbox, PAYLOAD, 0, app.urn(), List.of(new Envelope.UserProperty("trace", "t-1")),
                0, Optional.empty()));

        MqttPublishMessage publish = publish(peer.next());
        assertThat(publish.variableHeader().topicName()).isEqualTo(inbox);
        assertThat(ByteBufUtil.getBytes(publish.payload())).isEqualTo(PAYLOAD);
        assertThat(userProperties(publish)).containsExactly("trace=t-1", "ora-sender=" + app.urn());
    }

    @Test
    void mqtt311DeliveryAppendsTheSenderAsATopicLevel() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_3_1_1);
        peer.send(MqttBytes.subscribe(18, inbox + "/#", 1, false));
        subAck(peer.next(), 18);

        deliver(peer, new Envelope(inbox, PAYLOAD, 0, app.urn(), List.of(), 0, Optional.empty()));

        MqttPublishMessage publish = publish(peer.next());
        assertThat(publish.variableHeader().topicName()).isEqualTo(inbox + "/" + app.urn());
        assertThat(ByteBufUtil.getBytes(publish.payload())).isEqualTo(PAYLOAD);
    }

    private static void deliver(PeerConnection peer, Envelope envelope) {
        MqttConnection.of(peer.channel()).orElseThrow().actor().tell(new Connection.Deliver(envelope));
    }

    private static MqttSubAckMessage subAck(MqttMessage packet, int packetId) {
        assertThat(packet.fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
        MqttSubAckMessage subAck = (MqttSubAckMessage) packet;
        assertThat(subAck.variableHeader().messageId()).isEqualTo(packetId);
        return subAck;
    }

    private static MqttPublishMessage publish(MqttMessage packet) {
        assertThat(packet.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBLISH);
        return (MqttPublishMessage) packet;
    }

    private static List<String> userProperties(MqttPublishMessage publish) {
        List<String> pairs = new ArrayList<>();
        for (MqttProperties.MqttProperty<?> property : publish.variableHeader().properties()
                .getProperties(MqttProperties.MqttPropertyType.USER_PROPERTY.value())) {
            if (property instanceof MqttProperties.UserProperties list) {
                list.value().forEach(pair -> pairs.add(pair.key + "=" + pair.value));
            } else if (property instanceof MqttProperties.UserProperty single) {
                pairs.add(single.value().key + "=" + single.value().value);
            }
        }
        return pairs;
    }

    @Test
    void qos1DeliveriesNeverAcknowledgedTimeOutEachAtItsOwnDeadline() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);
        peer.send(MqttBytes.subscribe(19, inbox + "/#", 1, true));
        subAck(peer.next(), 19);
        TestProbe<Connection.Command> sender = edge.sender();
        Duration timeout = edge.settings().limits().deliveryTimeout();
        for (int packet = 1; packet <= 3; packet++) {
            deliver(peer, new Envelope(inbox, PAYLOAD, 1, app.urn(), List.of(), packet,
                    Optional.of(sender.getRef())));
            assertThat(publish(peer.next()).fixedHeader().qosLevel().value()).isEqualTo(1);
            peer.advanceTime(Duration.ofSeconds(1));
        }
        // The hub acknowledges nothing. Now 3 s after the first delivery: each times out on its own deadline.
        for (int packet = 1; packet <= 3; packet++) {
            peer.advanceTime(packet == 1 ? timeout.minusSeconds(3).plusMillis(1) : Duration.ofSeconds(1));
            assertThat(sender.receiveMessage()).isEqualTo(new Connection.Outcome(packet, DeliveryResult.TIMED_OUT));
            sender.expectNoMessage(Duration.ZERO);
        }
    }
}
