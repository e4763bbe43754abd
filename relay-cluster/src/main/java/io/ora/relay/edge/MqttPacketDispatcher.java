package io.ora.relay.edge;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.ora.core.trace.Trace;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each decoded MQTT packet to the handler for its type, and turns everything that is not a well-formed packet
 * in the right order into a closed connection (and a counter). Stateless: a connection's state is its
 * {@link MqttConnection} (lifecycle) and that connection's {@link Session} (subscriptions, windows, limits).
 *
 * <p>Only this connection is affected by what it sends: a malformed packet, an unexpected packet type or an I/O
 * error closes this channel and nothing else.
 */
@ChannelHandler.Sharable
final class MqttPacketDispatcher extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(MqttPacketDispatcher.class);
    /** Packets a client may send between CONNECT and CONNACK before it counts as a flood. */
    private static final int MAX_EARLY_PACKETS = 32;

    private void read(ChannelHandlerContext ctx, MqttConnection connection, MqttMessage packet) {
        if (packet.decoderResult().isFailure()) {
            malformed(connection, packet);
            return;
        }
        if (connection.state() == MqttConnection.State.ATTACHING) {
            if (!connection.holdUntilAttached(packet, MAX_EARLY_PACKETS)) {
                connection.close(CloseReason.EARLY_PACKET_FLOOD);
            }
            return;
        }
        dispatch(ctx, connection, packet);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            Optional<MqttConnection> connection = MqttConnection.of(ctx.channel());
            if (connection.isEmpty() || !(msg instanceof MqttMessage packet)) {
                ctx.close();
                return;
            }
            if (connection.get().state() == MqttConnection.State.CLOSED) {
                return;
            }
            try (Trace.Scope logs = connection.get().logContext()) {
                read(ctx, connection.get(), packet);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private static void dispatch(ChannelHandlerContext ctx, MqttConnection connection, MqttMessage packet) {
        MqttMessageType type = packet.fixedHeader().messageType();
        if (type == MqttMessageType.CONNECT) {
            ConnectAdmission.handle(ctx, connection, (MqttConnectMessage) packet);
            return;
        }
        if (connection.state() != MqttConnection.State.CONNECTED) {
            // Nothing but CONNECT may come first, and nothing may come while the session is being attached.
            connection.close(CloseReason.PROTOCOL_ERROR);
            return;
        }
        switch (type) {
            case PUBLISH -> PublishRouting.handle(connection, (MqttPublishMessage) packet);
            case PUBACK -> connection.session().onPubAck(packet);
            case SUBSCRIBE -> SubscriptionGrants.handle(connection, (MqttSubscribeMessage) packet);
            case UNSUBSCRIBE -> SubscriptionRemovals.handle(connection, (MqttUnsubscribeMessage) packet);
            case PINGREQ -> connection.channel().writeAndFlush(MqttConnection.pingResponse());
            case DISCONNECT -> {
                connection.markClosed();
                ctx.close();
            }
            default -> {
                // PUBREC/PUBREL/PUBCOMP (QoS 2 is not offered), AUTH, and server-to-client packets.
                connection.close(CloseReason.PROTOCOL_ERROR);
            }
        }
    }

    private static void malformed(MqttConnection connection, MqttMessage packet) {
        Throwable cause = packet.decoderResult().cause();
        // The CONNECT that failed to decode gave no version the refusal could be written in: 3.1.1's CONNACK.
        if (cause instanceof MqttUnacceptableProtocolVersionException) {
            connection.close(CloseReason.PROTOCOL_VERSION, MqttVersion.MQTT_3_1_1);
        } else if (cause instanceof MqttIdentifierRejectedException) {
            connection.close(CloseReason.CLIENT_ID_REJECTED, MqttVersion.MQTT_3_1_1);
        } else if (cause instanceof TooLongFrameException && isOverLimit(connection, packet)) {
            connection.close(CloseReason.PACKET_TOO_LARGE);
        } else {
            connection.close(CloseReason.MALFORMED_PACKET);
        }
    }

    /**
     * Netty also reports a field running past the end of its packet as too long; only a packet whose announced
     * length exceeds the limit (or could not be read at all) is "too large", the rest is malformed.
     */
    private static boolean isOverLimit(MqttConnection connection, MqttMessage packet) {
        return packet.fixedHeader() == null
                || packet.fixedHeader().remainingLength() > connection.edge().settings().mqtt().maxPacketSize();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            MqttConnection.of(ctx.channel()).ifPresent(connection -> connection.close(CloseReason.KEEP_ALIVE_TIMEOUT));
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (!ctx.channel().isWritable()) {
            MqttConnection.of(ctx.channel()).ifPresent(connection -> ctx.executor().schedule(() -> {
                if (ctx.channel().isActive() && !ctx.channel().isWritable()) {
                    connection.close(CloseReason.SLOW_CONSUMER);
                }
            }, connection.edge().settings().limits().slowConsumerTimeout().toMillis(), TimeUnit.MILLISECONDS));
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        MqttConnection.of(ctx.channel()).ifPresent(MqttConnection::closed);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // What a peer sends (bad TLS records, a reset) is its own problem: counted, never logged, so a flood of
        // garbage cannot become a flood of log lines. Anything else is ours, and logged by type only: a message
        // could quote bytes the peer sent.
        CloseReason reason = cause instanceof IOException ? CloseReason.IO_ERROR
                : cause instanceof DecoderException ? CloseReason.TLS_ERROR : CloseReason.INTERNAL_ERROR;
        if (reason == CloseReason.INTERNAL_ERROR) {
            LOG.warn("closing a connection after {}", cause.getClass().getName());
        }
        Optional<MqttConnection> connection = MqttConnection.of(ctx.channel());
        if (connection.isPresent()) {
            connection.get().close(reason);
        } else {
            ctx.close();
        }
    }
}
