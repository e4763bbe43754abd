package io.ora.relay.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.ora.core.identity.PeerId;
import io.ora.core.trace.Attribute;
import io.ora.core.trace.Trace;
import io.ora.relay.delivery.Connection;
import io.ora.relay.delivery.DeliveryResult;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One MQTT connection: its channel and verified identity, its lifecycle from the TLS handshake through CONNECT to
 * the close, the keep-alive agreed at CONNECT, the connection actor the cluster reaches it by, and how it ends
 * ({@link #close(CloseReason)}). What the peer and the relay exchange over it (subscriptions, the two QoS 1
 * windows, rate limits) is its {@link Session}. Reached from a channel by one typed accessor, {@link #of(Channel)}.
 *
 * <p>Confined to the channel's event loop: packet handlers run there, and commands from the cluster arrive there via
 * the connection actor, so nothing here needs a lock.
 */
final class MqttConnection {

    private static final AttributeKey<MqttConnection> KEY = AttributeKey.valueOf("ora.connection");

    /** Lifecycle of a connection. */
    enum State { AWAITING_CONNECT, ATTACHING, CONNECTED, CLOSED }

    private final Channel channel;
    private final EdgeContext edge;
    private final PeerId identity;
    private final String serial;
    private final Session session;
    private State state = State.AWAITING_CONNECT;
    private MqttVersion version = MqttVersion.MQTT_3_1_1;
    private ActorRef<Connection.Command> actor;
    private ScheduledFuture<?> pendingTimer;
    private int keepAliveSeconds;
    private boolean idAssigned;
    /** Set once the peer's entity was asked to attach this connection: it must then be told when it closes. */
    private boolean attachRequested;
    /** Packets a client sent after CONNECT without waiting for CONNACK (MQTT allows it), served once attached. */
    private final ArrayDeque<MqttMessage> earlyPackets = new ArrayDeque<>();

    /** The CONNECT span, from the TCP connection to the CONNACK; its ids stay on the connection's log lines. */
    private final Trace connecting;
    private boolean connectEnded;

    private MqttConnection(Channel channel, EdgeContext edge, PeerId identity, String serial, Trace connecting) {
        this.channel = channel;
        this.connecting = connecting;
        this.edge = edge;
        this.identity = identity;
        this.serial = serial;
        this.session = new Session(this);
    }

    /** Creates the connection of a channel whose TLS handshake verified {@code identity}. */
    static MqttConnection open(Channel channel, EdgeContext edge, PeerId identity, String serial, Trace connecting) {
        MqttConnection connection = new MqttConnection(channel, edge, identity, serial, connecting);
        channel.attr(KEY).set(connection);
        return connection;
    }

    /** The connection of a channel, if its handshake has completed. */
    static Optional<MqttConnection> of(Channel channel) {
        return Optional.ofNullable(channel.attr(KEY).get());
    }

    /** What the peer and the relay exchange over this connection. */
    Session session() {
        return session;
    }

    PeerId identity() {
        return identity;
    }

    String serial() {
        return serial;
    }

    State state() {
        return state;
    }

    boolean isMqtt5() {
        return version == MqttVersion.MQTT_5;
    }

    Channel channel() {
        return channel;
    }

    EdgeContext edge() {
        return edge;
    }

    /** The connection's cluster address; set once CONNECT is accepted locally. */
    ActorRef<Connection.Command> actor() {
        return actor;
    }

    /** Records the keep-alive in force and whether the client id was assigned by the relay (it sent none). */
    void keepAlive(int seconds, boolean assigned) {
        keepAliveSeconds = seconds;
        idAssigned = assigned;
    }

    int keepAliveSeconds() {
        return keepAliveSeconds;
    }

    boolean idAssigned() {
        return idAssigned;
    }

    /** The connection is being closed by the peer, or by a handler that already wrote its last packet. */
    void markClosed() {
        state = State.CLOSED;
        endConnect("closed");
    }

    /** Records on the CONNECT span; nothing once it has ended. */
    void tagConnect(Attribute attribute, long value) {
        if (!connectEnded) {
            connecting.tag(attribute, value);
        }
    }

    /** Ends the CONNECT span: {@code accepted}, or why not (the reason the metrics count). */
    void endConnect(String outcome) {
        if (connectEnded) {
            return;
        }
        if (outcome.equals("accepted")) {
            connecting.tag(Attribute.OUTCOME, outcome);
        } else {
            connecting.fail(outcome);
        }
        connecting.finish();
        connectEnded = true;
    }

    /**
     * Puts this connection's trace ids (its CONNECT span's) in the MDC while a handler works on it, so a log line
     * written for this connection can be found with its connection's trace; closing takes them out again.
     */
    Trace.Scope logContext() {
        return Trace.logContext(connecting.traceId(), connecting.spanId());
    }

    /** CONNECT was accepted locally: spawn the connection actor and attach it to the peer's entity. */
    void attach(MqttVersion connectVersion, int clientReceiveMaximum) {
        version = connectVersion;
        session.limitInflight(clientReceiveMaximum);
        state = State.ATTACHING;
        actor = edge.spawnConnection(this::onCommandFromCluster);
        edge.routes().register(session);
        attachRequested = true;
        edge.router().attach(identity, actor);
        pendingTimer = channel.eventLoop().schedule(() -> {
            if (state == State.ATTACHING) {
                endConnect("refused");
                close(CloseReason.ATTACH_TIMEOUT);
            }
        }, edge.settings().sessions().attachTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The connection actor's commands, moved onto this channel's event loop. */
    private void onCommandFromCluster(Connection.Command command) {
        try {
            channel.eventLoop().execute(() -> handle(command));
        } catch (RejectedExecutionException stopping) {
            // The listener is shutting down and its event loops are gone: a message still on its way is answered.
            if (command instanceof Connection.Deliver deliver) {
                deliver.envelope().reply(DeliveryResult.NO_SUBSCRIBERS);
            } else if (command instanceof Connection.Forward forward) {
                forward.envelope().reply(DeliveryResult.NO_SUBSCRIBERS);
            }
        }
    }

    private void handle(Connection.Command command) {
        if (command instanceof Connection.Attached) {
            onAttached();
        } else if (command instanceof Connection.Deliver deliver) {
            session.receive(deliver.envelope(), false);
        } else if (command instanceof Connection.Forward forward) {
            session.receive(forward.envelope(), true);
        } else if (command instanceof Connection.Outcome outcome) {
            session.resolve(outcome.packetId(), outcome.result());
        } else if (command instanceof Connection.TakenOver) {
            close(CloseReason.TAKEN_OVER);
        } else if (command instanceof Connection.Reattach && state == State.CONNECTED) {
            edge.router().attach(identity, actor);
        }
    }

    private void onAttached() {
        if (state != State.ATTACHING) {
            return;
        }
        pendingTimer.cancel(false);
        state = State.CONNECTED;
        ConnectAdmission.accept(this);
        endConnect("accepted");
        channel.config().setAutoRead(true);
        while (!earlyPackets.isEmpty() && state == State.CONNECTED) {
            // Back through the pipeline just after the decoder, so the packet meets keep-alive and the dispatcher
            // exactly as if it had arrived now.
            channel.pipeline().context(HandlerNames.MQTT_DECODER).fireChannelRead(earlyPackets.removeFirst());
        }
        earlyPackets.forEach(ReferenceCountUtil::release);
        earlyPackets.clear();
    }

    /**
     * Holds a packet that arrived while the connection is attaching; reading pauses meanwhile, so at most one read's
     * worth is held, and beyond {@code limit} the client is sending a flood, not a pipeline.
     */
    boolean holdUntilAttached(MqttMessage packet, int limit) {
        channel.config().setAutoRead(false);
        if (earlyPackets.size() >= limit) {
            return false;
        }
        earlyPackets.addLast(ReferenceCountUtil.retain(packet));
        return true;
    }

    /** Closes the connection for {@code reason}: counts it, and ends the connection as the reason says. */
    void close(CloseReason reason) {
        close(reason, version);
    }

    /**
     * {@link #close(CloseReason)}, with a CONNACK refusal written in {@code connectVersion}: the CONNECT's own, which
     * is not the connection's until the CONNECT is accepted.
     */
    void close(CloseReason reason, MqttVersion connectVersion) {
        reason.label().ifPresent(edge::count);
        switch (reason.ending()) {
            case CONNACK -> {
                MqttConnectReturnCode code = connectVersion == MqttVersion.MQTT_5
                        ? MqttConnectReturnCode.valueOf(reason.reasonCode()) : reason.legacyRefusal();
                channel.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
                        .addListener(ChannelFutureListener.CLOSE);
                markClosed();
            }
            case DISCONNECT -> disconnect(reason.reasonCode());
            case SOCKET -> {
                markClosed();
                channel.close();
            }
            default -> throw new IllegalStateException("unknown ending " + reason.ending());
        }
    }

    /**
     * Ends the connection: MQTT 5 peers get a DISCONNECT with the reason first; MQTT 3.1.1 has no server DISCONNECT,
     * so the socket is simply closed.
     */
    private void disconnect(byte mqtt5ReasonCode) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (isMqtt5() && channel.isActive()) {
            channel.writeAndFlush(MqttMessageBuilders.disconnect().reasonCode(mqtt5ReasonCode).build())
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    /** The channel closed: tell everyone waiting on it, leave the peer's entity, stop the actor. */
    void closed() {
        state = State.CLOSED;
        endConnect("closed");
        // Before anything else: from now on no sender on this node routes here.
        edge.routes().unregister(session);
        earlyPackets.forEach(ReferenceCountUtil::release);
        earlyPackets.clear();
        if (pendingTimer != null) {
            pendingTimer.cancel(false);
        }
        session.closed();
        if (actor != null) {
            if (attachRequested) {
                edge.router().detach(identity, actor);
            }
            actor.tell(new Connection.Stop());
        }
    }

    /** A PINGRESP, for PINGREQ. */
    static MqttMessage pingResponse() {
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0));
    }
}
