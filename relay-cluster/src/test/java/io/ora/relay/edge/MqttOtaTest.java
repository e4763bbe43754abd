package io.ora.relay.edge;

import static io.ora.relay.edge.MqttPublishTest.assertPubAck;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.ora.core.identity.PeerId;
import io.ora.core.ota.OtaDesk;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hub's firmware traffic at the edge: its check goes to its entity with the payload byte for byte (the relay reads
 * none of it), and its reports go to the OTA desk, a QoS 1 report acknowledged with the desk's receipt. Only the hub
 * itself may do either.
 */
class MqttOtaTest {

    private static final byte[] CHECK = {'{', 0, (byte) 0xC3, 0x28, (byte) 0xFF, '}'};

    private final PeerId.Hub hub = new PeerId.Hub(UUID.randomUUID());
    private final String report = "ora/v1/hub/" + hub.uuid() + "/ota/report";
    /** Each report's payload, as text, and its hub; the receipt is the payload's text. */
    private final List<String> reports = new CopyOnWriteArrayList<>();
    @RegisterExtension
    final TestEdge edge = TestEdge.start();

    private final OtaDesk desk = new OtaDesk() {
        @Override
        public CompletionStage<byte[]> check(UUID from, byte[] payload) {
            throw new AssertionError("the edge hands checks to the hub's entity, not to the desk");
        }

        @Override
        public CompletionStage<Receipt> report(UUID from, byte[] payload) {
            String text = new String(payload, StandardCharsets.UTF_8);
            reports.add(from + " " + text);
            return CompletableFuture.completedFuture(Receipt.valueOf(text));
        }
    };

    @Test
    void aCheckReachesTheHubsEntityWithItsPayloadUnread() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, "ora/v1/hub/" + hub.uuid() + "/ota", 21, new byte[0], CHECK));

        assertThat(edge.router().otaChecks()).singleElement().satisfies(check -> {
            assertThat(check.hub()).isEqualTo(hub);
            assertThat(check.payload()).isEqualTo(CHECK);
        });
    }

    @Test
    void reportsGoToTheDeskAndEachQos1PubAckIsItsReceipt() {
        edge.ota(desk);
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, report, 31, new byte[0], bytes("STORED")));
        assertPubAck(peer.next(), 31, MqttReasonCodes.PubAck.SUCCESS);
        peer.send(MqttBytes.publish(1, false, report, 32, new byte[0], bytes("REJECTED")));
        assertPubAck(peer.next(), 32, MqttReasonCodes.PubAck.PAYLOAD_FORMAT_INVALID);
        peer.send(MqttBytes.publish(1, false, report, 33, new byte[0], bytes("UNAVAILABLE")));
        assertPubAck(peer.next(), 33, MqttReasonCodes.PubAck.QUOTA_EXCEEDED);

        assertThat(reports).containsExactly(hub.uuid() + " STORED", hub.uuid() + " REJECTED",
                hub.uuid() + " UNAVAILABLE");
        assertThat(peer.isOpen()).isTrue();
        assertThat(edge.router().deliveries()).isEmpty();
        assertThat(edge.router().otaChecks()).isEmpty();
        assertThat(edge.metrics().value("ora_relay_ota_reports_total", "receipt", "stored")).isEqualTo(1);
        assertThat(edge.metrics().value("ora_relay_ota_reports_total", "receipt", "rejected")).isEqualTo(1);
        assertThat(edge.metrics().value("ora_relay_ota_reports_total", "receipt", "unavailable")).isEqualTo(1);
    }

    @Test
    void withoutADeskAReportIsNotTakenNow() {
        PeerConnection peer = edge.open(hub).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, report, 34, new byte[0], bytes("STORED")));

        assertPubAck(peer.next(), 34, MqttReasonCodes.PubAck.QUOTA_EXCEEDED);
    }

    @Test
    void anotherHubOrAnAppReportingForAHubIsNotAuthorisedAndTheDeskHearsNothing() {
        edge.ota(desk);
        PeerConnection other = edge.open(new PeerId.Hub(UUID.randomUUID())).connected(MqttVersion.MQTT_5);
        PeerConnection app = edge.open(new PeerId.App("app-1")).connected(MqttVersion.MQTT_5);

        other.send(MqttBytes.publish(1, false, report, 41, new byte[0], bytes("STORED")));
        app.send(MqttBytes.publish(1, false, report, 42, new byte[0], bytes("STORED")));

        assertPubAck(other.next(), 41, MqttReasonCodes.PubAck.NOT_AUTHORIZED);
        assertPubAck(app.next(), 42, MqttReasonCodes.PubAck.NOT_AUTHORIZED);
        assertThat(reports).isEmpty();
    }

    @Test
    void nobodyMaySubscribeToAReportTopic() {
        assertThat(io.ora.core.topic.Topics.maySubscribe(hub, report)).isFalse();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
