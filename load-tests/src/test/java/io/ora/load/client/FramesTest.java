package io.ora.load.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.ora.load.measure.Payload;
import org.junit.jupiter.api.Test;

/** Hand-written frames must read back through netty-codec-mqtt's decoder exactly as a broker's would. */
class FramesTest {

    private static final String TOPIC = "ora/v1/hub/0b5a3c1e-6f7d-4e2a-9c8b-1d2e3f4a5b6c/in";

    @Test
    void aQos0PublishDecodesWithItsTopicAndPayload() {
        ByteBuf frame = Frames.publish(UnpooledByteBufAllocator.DEFAULT, Frames.topic(TOPIC), 0, 0, 256, true);
        Payload.write(frame, 256, 123, 4, 5);

        MqttPublishMessage publish = decode(frame);

        assertThat(publish.fixedHeader().qosLevel().value()).isZero();
        assertThat(publish.variableHeader().topicName()).isEqualTo(TOPIC);
        assertThat(publish.variableHeader().properties().isEmpty()).isTrue();
        assertThat(publish.payload().readableBytes()).isEqualTo(256);
        assertThat(Payload.decode(publish.payload())).contains(new Payload.Header(123, 4, 5));
        publish.release();
    }

    @Test
    void aQos1PublishCarriesItsPacketIdAndALongRemainingLength() {
        // 20,000 bytes: the remaining length takes three bytes.
        ByteBuf frame = Frames.publish(UnpooledByteBufAllocator.DEFAULT, Frames.topic(TOPIC), 1, 4242, 20_000, true);
        frame.writeZero(20_000);

        MqttPublishMessage publish = decode(frame);

        assertThat(publish.fixedHeader().qosLevel().value()).isEqualTo(1);
        assertThat(publish.variableHeader().packetId()).isEqualTo(4242);
        assertThat(publish.payload().readableBytes()).isEqualTo(20_000);
        assertThat(Frames.varIntSize(20_000 + TOPIC.length() + 5)).isEqualTo(3);
        publish.release();
    }

    @Test
    void aPubAckIsTheFourByteSuccessForm() {
        EmbeddedChannel channel = mqtt5Channel();
        channel.writeInbound(Frames.pubAck(UnpooledByteBufAllocator.DEFAULT, 77));

        MqttMessage ack = channel.readInbound();
        assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        assertThat(((MqttMessageIdVariableHeader) ack.variableHeader()).messageId()).isEqualTo(77);
        assertThat(ack.variableHeader()).isInstanceOfSatisfying(MqttPubReplyMessageVariableHeader.class,
                reply -> assertThat(reply.reasonCode()).isEqualTo((byte) ReasonCodes.SUCCESS));
        assertThat(ByteBufUtil.hexDump(Frames.pubAck(UnpooledByteBufAllocator.DEFAULT, 0x1234))).isEqualTo("40021234");
    }

    @Test
    void refusesWhatItCannotSend() {
        assertThatThrownBy(() -> Frames.publish(UnpooledByteBufAllocator.DEFAULT, Frames.topic(TOPIC), 2, 1, 1, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Frames.topic("x".repeat(70_000))).isInstanceOf(IllegalArgumentException.class);
    }

    private static MqttPublishMessage decode(ByteBuf frame) {
        EmbeddedChannel channel = mqtt5Channel();
        channel.writeInbound(frame);
        return channel.readInbound();
    }

    /** The client's codecs after its CONNECT went out, which is what tells the decoder to read MQTT 5. */
    private static EmbeddedChannel mqtt5Channel() {
        EmbeddedChannel channel = new EmbeddedChannel(new MqttDecoder(1 << 20), MqttEncoder.INSTANCE);
        channel.writeOutbound(MqttMessageBuilders.connect().clientId("test").protocolVersion(MqttVersion.MQTT_5)
                .build());
        ByteBuf connect = channel.readOutbound();
        connect.release();
        return channel;
    }
}
