package io.ora.relay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Well-formed packets in the wrong order, and features the relay does not offer (QoS 2, retain, topic aliases):
 * each ends the connection with the DISCONNECT reason docs/mqtt.md names (MQTT 5) or a plain close (3.1.1).
 */
class MqttProtocolErrorTest {

    private final PeerId app = new PeerId.App("app-" + UUID.randomUUID());
    private final String hubInbox = Topics.hubInbox(UUID.randomUUID());
    @RegisterExtension
    final TestEdge edge = TestEdge.start();

    @Test
    void packetOtherThanConnectFirstClosesTheConnection() {
        PeerConnection peer = edge.open(app);

        peer.send(MqttBytes.pingReq());

        assertThat(peer.isOpen()).isFalse();
        assertThat(peer.drain()).isEmpty();
        assertThat(edge.closed("protocol_error")).isEqualTo(1);
        assertThat(edge.router().attached()).isEmpty();
    }

    @Test
    void publishBeforeConnectIsNeverRouted() {
        PeerConnection peer = edge.open(app);

        peer.send(MqttBytes.publish(0, false, hubInbox, 0, null, new byte[] {1}));

        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.router().deliveries()).isEmpty();
        assertThat(edge.closed("protocol_error")).isEqualTo(1);
    }

    @Test
    void mqtt5SecondConnectIsAProtocolError() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.connect5(app.urn(), 60));

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.PROTOCOL_ERROR));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("protocol_error")).isEqualTo(1);
        assertThat(edge.router().attached()).hasSize(1);
    }

    @Test
    void mqtt311SecondConnectClosesTheConnection() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.connect311(app.urn(), 60));

        assertThat(peer.isOpen()).isFalse();
        assertThat(peer.drain()).isEmpty();
        assertThat(edge.closed("protocol_error")).isEqualTo(1);
    }

    @Test
    void mqtt5PubrelIsAProtocolError() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(new byte[] {0x62, 0x02, 0x00, 0x01});

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.PROTOCOL_ERROR));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("protocol_error")).isEqualTo(1);
    }

    @Test
    void mqtt5Qos2PublishIsRefusedAsQosNotSupported() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(2, false, hubInbox, 1, new byte[0], new byte[] {1}));

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.QOS_NOT_SUPPORTED));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("qos_not_supported")).isEqualTo(1);
        assertThat(edge.refusedPublishes("qos_not_supported")).isEqualTo(1);
        assertThat(edge.router().deliveries()).isEmpty();
    }

    @Test
    void mqtt311Qos2PublishClosesTheConnection() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.publish(2, false, hubInbox, 1, null, new byte[] {1}));

        assertThat(peer.isOpen()).isFalse();
        assertThat(peer.drain()).isEmpty();
        assertThat(edge.closed("qos_not_supported")).isEqualTo(1);
        assertThat(edge.refusedPublishes("qos_not_supported")).isEqualTo(1);
    }

    @Test
    void mqtt5RetainedPublishIsRefusedAsRetainNotSupported() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(0, true, hubInbox, 0, new byte[0], new byte[] {1}));

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.RETAIN_NOT_SUPPORTED));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("retain_not_supported")).isEqualTo(1);
        assertThat(edge.refusedPublishes("retain_not_supported")).isEqualTo(1);
        assertThat(edge.router().deliveries()).isEmpty();
    }

    @Test
    void mqtt311RetainedPublishIsRelayedAsANormalMessage() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.publish(0, true, hubInbox, 0, null, new byte[] {1}));

        assertThat(peer.isOpen()).isTrue();
        assertThat(edge.router().deliveries()).hasSize(1);
    }

    @Test
    void mqtt5TopicAliasIsRefused() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(0, false, hubInbox, 0, MqttBytes.topicAlias(1), new byte[] {1}));

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.TOPIC_ALIAS_INVALID));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("protocol_error")).isEqualTo(1);
        assertThat(edge.router().deliveries()).isEmpty();
    }

    @Test
    void packetsPipelinedBehindConnectAreServedOnceTheSessionIsAttached() {
        PeerConnection peer = edge.open(app);

        peer.sendConnect(MqttBytes.connect5(app.urn(), 60), MqttBytes.pingReq());

        assertThat(peer.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
        assertThat(peer.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PINGRESP);
        assertThat(peer.isOpen()).isTrue();
    }

    private static int reason(MqttReasonCodes.Disconnect code) {
        return code.byteValue() & 0xFF;
    }
}
