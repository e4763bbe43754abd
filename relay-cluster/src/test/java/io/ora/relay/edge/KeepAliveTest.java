package io.ora.relay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.ora.core.identity.PeerId;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keep-alive: a peer silent for 1.5 times its keep-alive is disconnected (MQTT 5: 0x8D) and counted; any packet,
 * PINGREQ included, restarts the clock. Time is the embedded event loop's, advanced by the test.
 */
class KeepAliveTest {

    private final PeerId hub = new PeerId.Hub(UUID.randomUUID());
    @RegisterExtension
    final TestEdge edge = TestEdge.start();

    @Test
    void pingReqGetsPingResp() {
        PeerConnection peer = connect5(2);

        peer.send(MqttBytes.pingReq());

        assertThat(peer.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PINGRESP);
        assertThat(peer.isOpen()).isTrue();
    }

    @Test
    void mqtt5PeerSilentForOneAndAHalfKeepAlivesIsDisconnected() {
        PeerConnection peer = connect5(2);

        peer.advanceTime(Duration.ofMillis(2900));
        assertThat(peer.isOpen()).isTrue();
        peer.advanceTime(Duration.ofMillis(200));

        assertThat(peer.nextDisconnectReason())
                .isEqualTo(MqttReasonCodes.Disconnect.KEEP_ALIVE_TIMEOUT.byteValue() & 0xFF);
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("keep_alive_timeout")).isEqualTo(1);
    }

    @Test
    void mqtt311PeerSilentForOneAndAHalfKeepAlivesIsClosed() {
        PeerConnection peer = edge.open(hub);
        peer.sendConnect(MqttBytes.connect311(hub.urn(), 2));
        assertThat(peer.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);

        peer.advanceTime(Duration.ofMillis(3001));

        assertThat(peer.isOpen()).isFalse();
        assertThat(peer.drain()).isEmpty();
        assertThat(edge.closed("keep_alive_timeout")).isEqualTo(1);
    }

    @Test
    void pingReqWithinTheKeepAliveRestartsTheClock() {
        PeerConnection peer = connect5(2);

        peer.advanceTime(Duration.ofSeconds(2));
        peer.send(MqttBytes.pingReq());
        assertThat(peer.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PINGRESP);
        peer.advanceTime(Duration.ofSeconds(2));
        assertThat(peer.isOpen()).as("3 s after the PINGREQ, not after CONNECT").isTrue();
        peer.advanceTime(Duration.ofMillis(1100));

        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("keep_alive_timeout")).isEqualTo(1);
    }

    @Test
    void keepAliveOfZeroBecomesTheMaximumAndIsAnnounced() {
        PeerConnection peer = edge.open(hub);
        peer.sendConnect(MqttBytes.connect5(hub.urn(), 0));
        MqttConnAckMessage connAck = (MqttConnAckMessage) peer.next();
        assertThat(connAck.variableHeader().properties().getProperty(MqttPropertyType.SERVER_KEEP_ALIVE.value())
                .value()).isEqualTo(300);

        peer.advanceTime(Duration.ofSeconds(449));
        assertThat(peer.isOpen()).isTrue();
        peer.advanceTime(Duration.ofSeconds(2));

        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("keep_alive_timeout")).isEqualTo(1);
    }

    @Test
    void connectionEndedByTheRelayIsDetachedFromThePeersEntity() {
        PeerConnection peer = connect5(2);

        peer.advanceTime(Duration.ofSeconds(4));

        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.router().detached()).containsExactly(hub);
    }

    private PeerConnection connect5(int keepAliveSeconds) {
        PeerConnection peer = edge.open(hub);
        peer.sendConnect(MqttBytes.connect5(hub.urn(), keepAliveSeconds));
        assertThat(peer.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
        return peer;
    }
}
