package io.ora.relay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import io.ora.core.identity.PeerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * One peer's connection to a {@link TestEdge}, seen from the client's side: raw bytes go in, and what the relay
 * wrote comes back decoded by a client-side {@link MqttDecoder} (so the relay's encoder is exercised as well).
 *
 * <p>Every buffer that went in or was allocated by the pipeline is remembered; after {@link #close()},
 * {@link #unreleased()} lists those the pipeline failed to release.
 */
final class PeerConnection {

    /** Long enough for the connection actor's hop; with the calling-thread dispatcher the first poll succeeds. */
    private static final Duration HOP = Duration.ofSeconds(5);

    private final PeerId identity;
    private final EmbeddedChannel channel;
    private final TrackingAllocator allocator;
    /**
     * The client's decoder: learns the protocol version from the CONNECT this peer sent, as a server would. Its limits
     * are MQTT's own, so it can read back any CONNECT a test sends.
     */
    private final EmbeddedChannel client = new EmbeddedChannel(new MqttDecoder(1 << 20, 0xFFFF));
    private final List<ByteBuf> sent = new ArrayList<>();
    private final List<MqttMessage> received = new ArrayList<>();
    private int read;

    PeerConnection(PeerId identity, EmbeddedChannel channel, TrackingAllocator allocator) {
        this.identity = identity;
        this.channel = channel;
        this.allocator = allocator;
    }

    EmbeddedChannel channel() {
        return channel;
    }

    /** Writes bytes to the relay as if they arrived on the socket (each non-empty array in its own read). */
    PeerConnection send(byte[]... reads) {
        for (byte[] bytes : reads) {
            if (bytes.length == 0) {
                // A socket never delivers an empty read (and Netty's shared empty buffer is never released).
                continue;
            }
            if (!channel.isOpen()) {
                throw new IllegalStateException("the relay has already closed this connection");
            }
            ByteBuf buffer = Unpooled.wrappedBuffer(bytes);
            sent.add(buffer);
            channel.writeInbound(buffer);
        }
        return this;
    }

    /** Sends a well-formed CONNECT, teaching the client-side decoder its protocol version first. */
    PeerConnection sendConnect(byte[] connect) {
        return sendConnect(connect, new byte[0]);
    }

    /** Sends a well-formed CONNECT and, in the same read, the packets a client pipelines behind it. */
    PeerConnection sendConnect(byte[] connect, byte[] pipelined) {
        client.writeInbound(Unpooled.wrappedBuffer(connect.clone()));
        MqttMessage echo = client.readInbound();
        assertThat(echo.decoderResult().isSuccess()).as("the test's own CONNECT decodes").isTrue();
        ReferenceCountUtil.release(echo);
        return send(MqttBytes.concat(connect, pipelined));
    }

    /** Sends CONNECT with this peer's identity as client id and waits for the CONNACK, which must accept. */
    PeerConnection connected(MqttVersion version) {
        String clientId = identity.urn();
        sendConnect(version == MqttVersion.MQTT_5 ? MqttBytes.connect5(clientId, 60)
                : MqttBytes.connect311(clientId, 60));
        MqttConnAckMessage connAck = (MqttConnAckMessage) next();
        assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        return this;
    }

    /**
     * The next packet the relay wrote, waiting for the connection actor's hop onto the event loop if needed. Fails
     * if nothing arrives within {@link #HOP}.
     */
    MqttMessage next() {
        return Awaitility.await("a packet from the relay").atMost(HOP).pollInSameThread()
                .pollInterval(Duration.ofMillis(5)).until(this::poll, Optional::isPresent).orElseThrow();
    }

    /** Packets the relay has written so far and the test has not read, without waiting. */
    List<MqttMessage> drain() {
        List<MqttMessage> all = new ArrayList<>();
        for (Optional<MqttMessage> packet = poll(); packet.isPresent(); packet = poll()) {
            all.add(packet.get());
        }
        return all;
    }

    /** The reason code of the next packet, which must be an MQTT 5 DISCONNECT. */
    int nextDisconnectReason() {
        MqttMessage disconnect = next();
        assertThat(disconnect.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
        return ((MqttReasonCodeAndPropertiesVariableHeader) disconnect.variableHeader()).reasonCode() & 0xFF;
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    /** Waits until the relay has closed the connection, running the event loop's tasks meanwhile. */
    void awaitClosed() {
        Awaitility.await("the relay closes the connection").atMost(HOP).pollInSameThread()
                .pollInterval(Duration.ofMillis(5)).until(() -> {
                    channel.runPendingTasks();
                    return !channel.isOpen();
                });
    }

    /** Lets time pass on this connection's event loop and runs the timers that became due. */
    void advanceTime(Duration duration) {
        channel.advanceTimeBy(duration.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    /** Closes the connection (as a vanished socket would) and releases whatever is still queued. */
    void close() {
        channel.finishAndReleaseAll();
        client.finishAndReleaseAll();
        received.forEach(ReferenceCountUtil::release);
        received.clear();
    }

    /** Buffers sent to or allocated by the pipeline that are still referenced; call after {@link #close()}. */
    List<ByteBuf> unreleased() {
        return Stream.concat(sent.stream().filter(buffer -> buffer.refCnt() > 0), allocator.unreleased().stream())
                .toList();
    }

    private Optional<MqttMessage> poll() {
        channel.runPendingTasks();
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            client.writeInbound(out);
        }
        for (MqttMessage packet = client.readInbound(); packet != null; packet = client.readInbound()) {
            received.add(packet);
        }
        return read < received.size() ? Optional.of(received.get(read++)) : Optional.empty();
    }
}
