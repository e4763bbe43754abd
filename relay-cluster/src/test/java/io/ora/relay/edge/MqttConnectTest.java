package io.ora.relay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.ora.core.identity.PeerId;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CONNECT: the identity comes from the certificate, CONNECT may only confirm it; wills and unsupported protocol
 * versions are refused with the CONNACK codes of docs/mqtt.md, and each refusal is counted and closes the connection.
 */
class MqttConnectTest {

    private final PeerId hub = new PeerId.Hub(UUID.randomUUID());
    @RegisterExtension
    final TestEdge edge = TestEdge.start();

    @Test
    void mqtt311ConnectWithTheIdentityIsAccepted() {
        PeerConnection peer = edge.open(hub);

        MqttConnAckMessage connAck = connAck(peer.sendConnect(MqttBytes.connect311(hub.urn(), 60)));

        assertThat(connAck.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(connAck.variableHeader().isSessionPresent()).isFalse();
        assertThat(peer.isOpen()).isTrue();
        assertThat(edge.router().attached()).containsExactly(hub);
    }

    @Test
    void mqtt5ConnackAdvertisesTheRelaysLimits() {
        PeerConnection peer = edge.open(hub);

        MqttConnAckMessage connAck = connAck(peer.sendConnect(MqttBytes.connect5(hub.urn(), 60)));

        assertThat(connAck.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        MqttProperties properties = connAck.variableHeader().properties();
        assertThat(property(properties, MqttPropertyType.MAXIMUM_QOS)).isEqualTo(1);
        assertThat(property(properties, MqttPropertyType.RETAIN_AVAILABLE)).isEqualTo(0);
        assertThat(property(properties, MqttPropertyType.RECEIVE_MAXIMUM))
                .isEqualTo(edge.settings().limits().senderWindow());
        assertThat(property(properties, MqttPropertyType.MAXIMUM_PACKET_SIZE))
                .isEqualTo(edge.settings().mqtt().maxPacketSize());
        assertThat(property(properties, MqttPropertyType.TOPIC_ALIAS_MAXIMUM)).isEqualTo(0);
        assertThat(property(properties, MqttPropertyType.SESSION_EXPIRY_INTERVAL)).isEqualTo(0);
        assertThat(property(properties, MqttPropertyType.SERVER_KEEP_ALIVE)).isEqualTo(60);
        assertThat(properties.getProperty(MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value()))
                .as("the client sent its id, so none is assigned").isNull();
        assertThat(peer.isOpen()).isTrue();
    }

    @Test
    void mqtt5EmptyClientIdIsAssignedTheIdentity() {
        PeerConnection peer = edge.open(hub);

        MqttConnAckMessage connAck = connAck(peer.sendConnect(MqttBytes.connect5("", 60)));

        assertThat(connAck.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(connAck.variableHeader().properties()
                .getProperty(MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value()).value()).isEqualTo(hub.urn());
    }

    @Test
    void mqtt311ClientIdOtherThanTheIdentityIsNotAuthorised() {
        PeerConnection peer = edge.open(hub);

        MqttConnAckMessage connAck = connAck(peer.sendConnect(MqttBytes.connect311("someone-else", 60)));

        assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("client_id_mismatch")).isEqualTo(1);
        assertThat(edge.router().attached()).isEmpty();
    }

    @Test
    void mqtt5ClientIdOfAnotherPeerIsNotAuthorised() {
        PeerConnection peer = edge.open(hub);
        String otherHub = new PeerId.Hub(UUID.randomUUID()).urn();

        MqttConnAckMessage connAck = connAck(peer.sendConnect(MqttBytes.connect5(otherHub, 60)));

        assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5);
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("client_id_mismatch")).isEqualTo(1);
        assertThat(edge.router().attached()).isEmpty();
    }

    @Test
    void mqtt5OverlongClientIdIsNotAuthorised() {
        PeerConnection peer = edge.open(hub);

        MqttConnAckMessage connAck = connAck(peer.sendConnect(MqttBytes.connect5("x".repeat(300), 60)));

        assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5);
        assertThat(peer.isOpen()).isFalse();
    }

    @Test
    void mqtt311OverlongClientIdIsNotAuthorised() {
        PeerConnection peer = edge.open(hub);

        MqttConnAckMessage connAck = connAck(peer.sendConnect(MqttBytes.connect311("x".repeat(300), 60)));

        assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("client_id_mismatch")).isEqualTo(1);
    }

    @Test
    void mqtt311WillIsRefused() {
        PeerConnection peer = edge.open(hub);
        byte[] connect = MqttBytes.connect("MQTT", 4, MqttBytes.CLEAN | MqttBytes.WILL, 60, null,
                MqttBytes.utf8(hub.urn()), MqttBytes.utf8("last/words"), MqttBytes.utf8("bye"));

        MqttConnAckMessage connAck = connAck(peer.sendConnect(connect));

        assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("will_refused")).isEqualTo(1);
    }

    @Test
    void mqtt5WillIsRefused() {
        PeerConnection peer = edge.open(hub);
        byte[] connect = MqttBytes.connect("MQTT", 5, MqttBytes.CLEAN | MqttBytes.WILL, 60, new byte[0],
                MqttBytes.utf8(hub.urn()), MqttBytes.properties(new byte[0]), MqttBytes.utf8("last/words"),
                MqttBytes.utf8("bye"));

        MqttConnAckMessage connAck = connAck(peer.sendConnect(connect));

        assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5);
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("will_refused")).isEqualTo(1);
        assertThat(edge.router().attached()).isEmpty();
    }

    @Test
    void unsupportedProtocolLevelGetsUnacceptableProtocolVersionThenClose() {
        PeerConnection peer = edge.open(hub);

        peer.send(MqttBytes.connect("MQTT", 7, MqttBytes.CLEAN, 60, null, MqttBytes.utf8(hub.urn())));

        MqttConnAckMessage connAck = (MqttConnAckMessage) peer.next();
        assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("protocol_version")).isEqualTo(1);
    }

    @Test
    void mqtt31IsAnUnsupportedProtocolLevel() {
        PeerConnection peer = edge.open(hub);

        peer.send(MqttBytes.connect("MQIsdp", 3, MqttBytes.CLEAN, 60, null, MqttBytes.utf8(hub.urn())));

        MqttConnAckMessage connAck = (MqttConnAckMessage) peer.next();
        assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("protocol_version")).isEqualTo(1);
    }

    @Test
    void clientDisconnectClosesTheConnectionQuietly() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.disconnect());

        assertThat(peer.isOpen()).isFalse();
        assertThat(peer.drain()).isEmpty();
        assertThat(edge.closeReasons()).isEmpty();
    }

    @Test
    void droppedSocketDetachesTheSessionFromThePeersEntity() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.close();

        assertThat(edge.router().detached()).containsExactly(hub);
    }

    @Test
    void clientDisconnectDetachesTheSessionFromThePeersEntity() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.disconnect());

        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.router().detached()).containsExactly(hub);
    }

    private static MqttConnAckMessage connAck(PeerConnection peer) {
        MqttMessage packet = peer.next();
        assertThat(packet.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
        return (MqttConnAckMessage) packet;
    }

    private static Object property(MqttProperties properties, MqttPropertyType type) {
        MqttProperties.MqttProperty<?> property = properties.getProperty(type.value());
        assertThat(property).as(type.name()).isNotNull();
        return property.value();
    }
}
