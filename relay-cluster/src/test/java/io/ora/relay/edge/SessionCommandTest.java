package io.ora.relay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.ora.core.identity.PeerId;
import io.ora.relay.delivery.Connection;
import java.time.Duration;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the cluster tells a connection, through its actor: the peer's entity accepting it late (or never) and a newer
 * connection taking the session over.
 */
class SessionCommandTest {

    private final PeerId hub = new PeerId.Hub(UUID.randomUUID());
    @RegisterExtension
    final TestEdge edge = TestEdge.start();

    @Test
    void mqtt5ConnectTheEntityNeverAcceptsGetsServerBusy() {
        edge.router().stopAnsweringAttach();
        PeerConnection peer = edge.open(hub);
        peer.sendConnect(MqttBytes.connect5(hub.urn(), 60));
        assertThat(peer.drain()).as("no CONNACK before the entity answers").isEmpty();

        peer.advanceTime(edge.settings().sessions().attachTimeout().plus(Duration.ofMillis(1)));

        MqttConnAckMessage connAck = (MqttConnAckMessage) peer.next();
        assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY);
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("attach_timeout")).isEqualTo(1);
    }

    @Test
    void mqtt311ConnectTheEntityNeverAcceptsGetsServerUnavailable() {
        edge.router().stopAnsweringAttach();
        PeerConnection peer = edge.open(hub);
        peer.sendConnect(MqttBytes.connect311(hub.urn(), 60));

        peer.advanceTime(edge.settings().sessions().attachTimeout().plus(Duration.ofMillis(1)));

        MqttConnAckMessage connAck = (MqttConnAckMessage) peer.next();
        assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("attach_timeout")).isEqualTo(1);
    }

    @Test
    void mqtt5SessionTakenOverGetsDisconnectSessionTakenOver() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        actor(peer).tell(new Connection.TakenOver());

        assertThat(peer.nextDisconnectReason())
                .isEqualTo(MqttReasonCodes.Disconnect.SESSION_TAKEN_OVER.byteValue() & 0xFF);
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("taken_over")).isEqualTo(1);
    }

    @Test
    void mqtt311SessionTakenOverIsClosed() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_3_1_1);

        actor(peer).tell(new Connection.TakenOver());

        peer.awaitClosed();
        assertThat(peer.drain()).isEmpty();
        assertThat(edge.closed("taken_over")).isEqualTo(1);
    }

    private static ActorRef<Connection.Command> actor(PeerConnection peer) {
        return MqttConnection.of(peer.channel()).orElseThrow().actor();
    }
}
