package io.ora.relay.edge;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
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
 * in the right order into a closed connection (and a counter). Stateless: the connection's state is its
 * {@link Session}.
 *
 * <p>Only this connection is affected by what it sends: a malformed packet, an unexpected packet type or an I/O
 * error closes this channel and nothing else.
 */
@ChannelHandler.Sharable
final class MqttPacketDispatcher extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(MqttPacketDispatcher.class);
    /** Packets a client may send between CONNECT and CONNACK before it counts as a flood. */
    private static final int MAX_EARLY_PACKETS = 32;

    private void read(ChannelHandlerContext ctx, Session session, MqttMessage packet) {
        if (packet.decoderResult().isFailure()) {
            malformed(session, packet);
            return;
        }
        if (session.state() == Session.State.ATTACHING) {
            if (!session.holdUntilAttached(packet, MAX_EARLY_PACKETS)) {
                session.edge().count("protocol_error");
                session.disconnect(MqttReasonCodes.Disconnect.RECEIVE_MAXIMUM_EXCEEDED.byteValue());
            }
            return;
        }
        dispatch(ctx, session, packet);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            Optional<Session> session = Session.of(ctx.channel());
            if (session.isEmpty() || !(msg instanceof MqttMessage packet)) {
                ctx.close();
                return;
            }
            if (session.get().state() == Session.State.CLOSED) {
                return;
            }
            try (Trace.Scope logs = session.get().logContext()) {
                read(ctx, session.get(), packet);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private static void dispatch(ChannelHandlerContext ctx, Session session, MqttMessage packet) {
        MqttMessageType type = packet.fixedHeader().messageType();
        if (type == MqttMessageType.CONNECT) {
            ConnectAdmission.handle(ctx, session, (MqttConnectMessage) packet);
            return;
        }
        if (session.state() != Session.State.CONNECTED) {
            // Nothing but CONNECT may come first, and nothing may come while the session is being attached.
            session.edge().count("protocol_error");
            session.disconnect(MqttReasonCodes.Disconnect.PROTOCOL_ERROR.byteValue());
            return;
        }
        switch (type) {
            case PUBLISH -> PublishRouting.handle(session, (MqttPublishMessage) packet);
            case PUBACK -> session.onPubAck(packet);
            case SUBSCRIBE -> SubscriptionGrants.handle(session, (MqttSubscribeMessage) packet);
            case UNSUBSCRIBE -> SubscriptionRemovals.handle(session, (MqttUnsubscribeMessage) packet);
            case PINGREQ -> session.channel().writeAndFlush(Session.pingResponse());
            case DISCONNECT -> {
                session.markClosed();
                ctx.close();
            }
            default -> {
                // PUBREC/PUBREL/PUBCOMP (QoS 2 is not offered), AUTH, and server-to-client packets.
                session.edge().count("protocol_error");
                session.disconnect(MqttReasonCodes.Disconnect.PROTOCOL_ERROR.byteValue());
            }
        }
    }

    private static void malformed(Session session, MqttMessage packet) {
        Throwable cause = packet.decoderResult().cause();
        if (cause instanceof MqttUnacceptableProtocolVersionException) {
            session.edge().count("protocol_version");
            session.channel().writeAndFlush(MqttMessageBuilders.connAck()
                    .returnCode(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION).build())
                    .addListener(ChannelFutureListener.CLOSE);
            session.markClosed();
        } else if (cause instanceof MqttIdentifierRejectedException) {
            session.edge().count("client_id_mismatch");
            session.channel().writeAndFlush(MqttMessageBuilders.connAck()
                    .returnCode(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED).build())
                    .addListener(ChannelFutureListener.CLOSE);
            session.markClosed();
        } else if (cause instanceof TooLongFrameException && isOverLimit(session, packet)) {
            session.edge().count("packet_too_large");
            session.disconnect(MqttReasonCodes.Disconnect.PACKET_TOO_LARGE.byteValue());
        } else {
            session.edge().count("malformed_packet");
            session.disconnect(MqttReasonCodes.Disconnect.MALFORMED_PACKET.byteValue());
        }
    }

    /**
     * Netty also reports a field running past the end of its packet as too long; only a packet whose announced
     * length exceeds the limit (or could not be read at all) is "too large", the rest is malformed.
     */
    private static boolean isOverLimit(Session session, MqttMessage packet) {
        return packet.fixedHeader() == null
                || packet.fixedHeader().remainingLength() > session.edge().settings().mqtt().maxPacketSize();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            Session.of(ctx.channel()).ifPresent(session -> {
                session.edge().count("keep_alive_timeout");
                session.disconnect(MqttReasonCodes.Disconnect.KEEP_ALIVE_TIMEOUT.byteValue());
            });
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (!ctx.channel().isWritable()) {
            Session.of(ctx.channel()).ifPresent(session -> ctx.executor().schedule(() -> {
                if (ctx.channel().isActive() && !ctx.channel().isWritable()) {
                    session.edge().count("slow_consumer");
                    session.markClosed();
                    ctx.close();
                }
            }, session.edge().settings().limits().slowConsumerTimeout().toMillis(), TimeUnit.MILLISECONDS));
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Session.of(ctx.channel()).ifPresent(Session::closed);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // What a peer sends (bad TLS records, a reset) is its own problem: counted, never logged, so a flood of
        // garbage cannot become a flood of log lines. Anything else is ours, and logged by type only: a message
        // could quote bytes the peer sent.
        String reason = cause instanceof IOException ? "io_error"
                : cause instanceof DecoderException ? "tls_error" : "internal_error";
        Session.of(ctx.channel()).ifPresent(session -> session.edge().count(reason));
        if (reason.equals("internal_error")) {
            LOG.warn("closing a connection after {}", cause.getClass().getName());
        }
        ctx.close();
    }
}
