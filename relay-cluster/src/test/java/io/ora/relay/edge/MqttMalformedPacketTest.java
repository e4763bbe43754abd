package io.ora.relay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bytes that are not a well-formed MQTT packet end the connection: MQTT 5 peers first get DISCONNECT 0x81
 * (malformed) or 0x95 (packet too large), MQTT 3.1.1 peers are simply closed, and every case is counted.
 */
class MqttMalformedPacketTest {

    private static final int MAX_PACKET_SIZE = 1024;
    private static final byte[] INVALID_UTF8 = {(byte) 0xC3, 0x28};

    private final PeerId app = new PeerId.App("app-" + UUID.randomUUID());
    private final String hubInbox = Topics.hubInbox(UUID.randomUUID());
    @RegisterExtension
    final TestEdge edge = TestEdge.start(Map.of("ora.relay.mqtt.max-packet-size", MAX_PACKET_SIZE));

    @Test
    void remainingLengthOfFiveBytesClosesTheConnection() {
        PeerConnection peer = edge.open(app);

        peer.send(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F});

        assertThat(peer.isOpen()).isFalse();
        assertThat(peer.drain()).isEmpty();
        assertThat(edge.closed("malformed_packet")).isEqualTo(1);
    }

    @Test
    void mqtt5RemainingLengthOfFiveBytesIsAMalformedPacket() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(new byte[] {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F});

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.MALFORMED_PACKET));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("malformed_packet")).isEqualTo(1);
    }

    @Test
    void truncatedConnectFollowedByEndOfInputClosesWithoutAnswer() {
        PeerConnection peer = edge.open(app);
        byte[] connect = MqttBytes.connect311(app.urn(), 60);

        peer.send(Arrays.copyOf(connect, connect.length - 4));
        assertThat(peer.isOpen()).as("waiting for the rest of the packet").isTrue();
        peer.close();

        assertThat(peer.isOpen()).isFalse();
        assertThat(peer.drain()).isEmpty();
        assertThat(edge.router().attached()).isEmpty();
    }

    @Test
    void truncatedPublishCompletedByGarbageIsAMalformedPacket() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);
        // A QoS 1 PUBLISH of 30 bytes whose 20-byte topic is cut short after "ora/v1/"; what follows is garbage.
        byte[] truncated = MqttBytes.concat(new byte[] {0x32, 30, 0x00, 20},
                "ora/v1/".getBytes(StandardCharsets.UTF_8));
        byte[] garbage = new byte[23];
        Arrays.fill(garbage, (byte) 0xFF);

        peer.send(truncated);
        assertThat(peer.isOpen()).as("waiting for the rest of the packet").isTrue();
        peer.send(garbage);

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.MALFORMED_PACKET));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("malformed_packet")).isEqualTo(1);
        assertThat(edge.router().deliveries()).isEmpty();
    }

    @Test
    void topicLongerThanItsPacketIsAMalformedPacket() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        // Remaining length 10, but the topic claims 0x7FFF bytes: the packet would end inside its own topic.
        peer.send(new byte[] {0x30, 10, 0x7F, (byte) 0xFF, 'o', 'r', 'a'});

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.MALFORMED_PACKET));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("malformed_packet")).isEqualTo(1);
    }

    @Test
    void mqtt5InvalidUtf8InAPublishTopicIsAMalformedPacket() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(0, false, topicWith(INVALID_UTF8), 0, new byte[0], new byte[] {1}));

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.MALFORMED_PACKET));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("malformed_packet")).isEqualTo(1);
        assertThat(edge.router().deliveries()).isEmpty();
    }

    @Test
    void mqtt311InvalidUtf8InAPublishTopicClosesTheConnection() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.publish(0, false, topicWith(INVALID_UTF8), 0, null, new byte[] {1}));

        assertThat(peer.isOpen()).isFalse();
        assertThat(peer.drain()).isEmpty();
        assertThat(edge.closed("malformed_packet")).isEqualTo(1);
        assertThat(edge.router().deliveries()).isEmpty();
    }

    @Test
    void nulCharacterInAPublishTopicIsAMalformedPacket() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(0, false, topicWith(new byte[] {0}), 0, new byte[0], new byte[] {1}));

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.MALFORMED_PACKET));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("malformed_packet")).isEqualTo(1);
    }

    @Test
    void mqtt5InvalidUtf8InASubscribeFilterIsAMalformedPacket() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);
        byte[] filter = MqttBytes.lengthPrefixed(MqttBytes.concat(
                (Topics.inbox(app) + "/").getBytes(StandardCharsets.UTF_8), INVALID_UTF8));

        peer.send(MqttBytes.subscribe(1, filter, 1, true));

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.MALFORMED_PACKET));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("malformed_packet")).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/+/b", "#", "ora/v1/hub/+/in"})
    void mqtt5WildcardInAPublishTopicIsAMalformedPacket(String topic) {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, topic, 7, new byte[0], new byte[] {1}));

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.MALFORMED_PACKET));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("malformed_packet")).isEqualTo(1);
        assertThat(edge.router().deliveries()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/+/b", "#"})
    void mqtt311WildcardInAPublishTopicClosesTheConnection(String topic) {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.publish(0, false, topic, 0, null, new byte[] {1}));

        assertThat(peer.isOpen()).isFalse();
        assertThat(peer.drain()).isEmpty();
        assertThat(edge.closed("malformed_packet")).isEqualTo(1);
    }

    @Test
    void reservedPacketTypeZeroFirstClosesTheConnection() {
        PeerConnection peer = edge.open(app);

        peer.send(new byte[] {0x00, 0x00});

        assertThat(peer.isOpen()).isFalse();
        assertThat(peer.drain()).isEmpty();
        assertThat(edge.closed("malformed_packet")).isEqualTo(1);
    }

    @Test
    void mqtt5ReservedPacketTypeZeroIsAMalformedPacket() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(new byte[] {0x00, 0x00});

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.MALFORMED_PACKET));
        assertThat(peer.isOpen()).isFalse();
    }

    @Test
    void mqtt311PacketTypeFifteenClosesTheConnection() {
        // Reserved in 3.1.1 (AUTH in MQTT 5): either way not a packet a 3.1.1 client may send.
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_3_1_1);

        peer.send(new byte[] {(byte) 0xF0, 0x00});

        assertThat(peer.isOpen()).isFalse();
        assertThat(peer.drain()).isEmpty();
        assertThat(edge.closed("malformed_packet")).isEqualTo(1);
    }

    @Test
    void mqtt5AuthIsAProtocolError() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(new byte[] {(byte) 0xF0, 0x00});

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.PROTOCOL_ERROR));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("protocol_error")).isEqualTo(1);
    }

    @Test
    void mqtt5PublishLargerThanTheMaximumPacketSizeIsTooLarge() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);

        peer.send(MqttBytes.publish(1, false, hubInbox, 1, new byte[0], new byte[MAX_PACKET_SIZE + 1]));

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.PACKET_TOO_LARGE));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("packet_too_large")).isEqualTo(1);
        assertThat(edge.router().deliveries()).isEmpty();
    }

    @Test
    void mqtt311PublishLargerThanTheMaximumPacketSizeClosesTheConnection() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_3_1_1);

        peer.send(MqttBytes.publish(0, false, hubInbox, 0, null, new byte[MAX_PACKET_SIZE + 1]));

        assertThat(peer.isOpen()).isFalse();
        assertThat(peer.drain()).isEmpty();
        assertThat(edge.closed("packet_too_large")).isEqualTo(1);
    }

    @Test
    void oversizedPacketIsRefusedBeforeItsPayloadArrives() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);
        // Announces the largest remaining length MQTT allows (256 MiB) and sends only the topic and a few bytes:
        // the relay must not wait for (and buffer) the rest.
        byte[] start = MqttBytes.concat(new byte[] {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F},
                MqttBytes.utf8(hubInbox), new byte[] {0}, new byte[64]);

        peer.send(start);

        assertThat(peer.nextDisconnectReason()).isEqualTo(reason(MqttReasonCodes.Disconnect.PACKET_TOO_LARGE));
        assertThat(peer.isOpen()).isFalse();
        assertThat(edge.closed("packet_too_large")).isEqualTo(1);
    }

    @Test
    void bytesAfterAMalformedPacketAreIgnored() {
        PeerConnection peer = edge.open(app).connected(MqttVersion.MQTT_5);
        byte[] garbageThenPing = MqttBytes.concat(new byte[] {0x00, 0x00}, MqttBytes.pingReq());

        peer.send(garbageThenPing);

        assertThat(peer.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
        assertThat(peer.drain()).as("no PINGRESP after the connection was refused").isEmpty();
        assertThat(edge.closed("malformed_packet")).isEqualTo(1);
    }

    private static byte[] topicWith(byte[] bad) {
        return MqttBytes.lengthPrefixed(MqttBytes.concat("ora/v1/hub/".getBytes(StandardCharsets.UTF_8), bad));
    }

    private static int reason(MqttReasonCodes.Disconnect code) {
        return code.byteValue() & 0xFF;
    }
}
