package io.ora.relay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.ora.core.identity.PeerId;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connections share one {@link EdgeContext} and one (sharable) dispatcher, as on a real listener; what one peer sends
 * affects only its own connection.
 */
class ConnectionIsolationTest {

    @RegisterExtension
    final TestEdge edge = TestEdge.start();

    @Test
    void garbageOnOneConnectionClosesOnlyThatConnection() {
        PeerConnection noisy = edge.open(new PeerId.Hub(UUID.randomUUID())).connected(MqttVersion.MQTT_5);
        PeerConnection quiet = edge.open(new PeerId.Hub(UUID.randomUUID())).connected(MqttVersion.MQTT_3_1_1);

        noisy.send(new byte[] {0x00, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F, 0x13, 0x37});
        quiet.send(MqttBytes.pingReq());

        assertThat(noisy.isOpen()).isFalse();
        assertThat(quiet.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PINGRESP);
        assertThat(quiet.isOpen()).isTrue();
        assertThat(edge.closeReasons()).isEqualTo(Map.of("malformed_packet", 1L));
    }

    @Test
    void garbageBeforeConnectOnOneConnectionLeavesAnotherConnecting() {
        PeerId hub = new PeerId.Hub(UUID.randomUUID());
        PeerConnection noisy = edge.open(new PeerId.Hub(UUID.randomUUID()));
        PeerConnection connecting = edge.open(hub);

        noisy.send("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        connecting.connected(MqttVersion.MQTT_5).send(MqttBytes.pingReq());

        assertThat(noisy.isOpen()).isFalse();
        assertThat(connecting.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PINGRESP);
        assertThat(edge.router().attached()).containsExactly(hub);
    }
}
