package io.ora.load.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One MQTT 5 client over TLS 1.3 with a client certificate, for one identity, on one event loop. It connects with a
 * clean start, subscribes, publishes messages the run frames ({@link Framer}) at QoS 0 or 1, answers the broker's
 * QoS 1 deliveries, keeps the connection alive with PINGREQs and disconnects cleanly; everything it receives goes
 * to its {@link Listener}, on its loop. No reconnects: a connection lost during a run is a result, not something to
 * hide.
 *
 * <p>{@link #connect}, {@link #subscribe} and {@link #disconnect} may be called from any thread; {@link #publish}
 * and {@link #flush} only on {@link #loop()}, where the pacer runs. A publish is written, not flushed: the pacer
 * flushes every connection it wrote to once per batch.
 */
public final class MqttClient {

    /** Keep-alive asked for in the CONNECT; PINGREQs go out at half of it (or of the server's keep-alive). */
    public static final int KEEP_ALIVE_SECONDS = 60;
    /**
     * Most unacknowledged QoS 1 messages per connection when the broker sets no lower Receive Maximum (MQTT 5 lets
     * it leave it at 65,535): enough for any rate a benchmark runs, and the slots stay small.
     */
    static final int MAX_IN_FLIGHT = 1024;
    /** Largest packet the decoder accepts: a 1 MiB payload and its headers. */
    private static final int MAX_PACKET_BYTES = (1 << 20) + 65_536;
    private static final String TLS = "tls";
    private static final String MQTT_DECODER = "mqtt-decoder";
    private static final String MQTT_ENCODER = "mqtt-encoder";
    private static final String SESSION = "session";
    private static final Listener IGNORE = new Listener() { };

    private final String clientId;
    private final SslContext tls;
    private final InetSocketAddress remote;
    private final Optional<InetSocketAddress> local;
    private final Duration connectTimeout;
    private final EventLoop loop;
    private final int loopIndex;
    private final ClientLoops loops;
    private final int tag;

    private volatile Channel channel;
    private volatile boolean connected;
    private volatile Listener listener = IGNORE;
    private volatile Framer framer;
    // Confined to the loop from here on.
    private Outbox outbox;
    private boolean unflushed;
    private CompletableFuture<Void> connecting;
    private CompletableFuture<Void> subscribing;
    private String closeCause;
    private ScheduledFuture<?> keepAlive;

    /**
     * A client, not yet connected.
     *
     * @param clientId       the MQTT client identifier (the identity's URN: the relay requires it to match the
     *                       certificate)
     * @param tls            the identity's TLS context, built beforehand
     * @param remote         the broker
     * @param local          a local address to connect from, or empty for the system's choice
     * @param connectTimeout bound on the TCP connect, on the TLS handshake and on the CONNACK, each
     * @param loops          the loops, of which this client uses {@code loopIndex}
     * @param tag            the caller's number for this client (its position in a population), for listeners
     */
    public MqttClient(String clientId, SslContext tls, InetSocketAddress remote, Optional<InetSocketAddress> local,
                      Duration connectTimeout, ClientLoops loops, int loopIndex, int tag) {
        this.clientId = clientId;
        this.tls = tls;
        this.remote = remote;
        this.local = local;
        this.connectTimeout = connectTimeout;
        this.loop = loops.loop(loopIndex);
        this.loopIndex = loopIndex;
        this.loops = loops;
        this.tag = tag;
    }

    /** What a client receives, called on its loop; the messages are released when the call returns. */
    public interface Listener {
        /** A PUBLISH from the broker (a delivery to a subscriber), read at {@code receivedNanos}. */
        default void published(MqttClient receiver, MqttPublishMessage message, long receivedNanos) {
        }

        /** The PUBACK of our QoS 1 message {@code index}, with its MQTT 5 reason code. */
        default void acknowledged(MqttClient sender, long index, long dueNanos, int reasonCode, long nowNanos) {
        }

        /** Message {@code index} was not sent, or will never be acknowledged, for {@code cause}. */
        default void abandoned(MqttClient sender, long index, long dueNanos, String cause) {
        }
    }

    /** Builds the PUBLISH of message {@code index} in a buffer from {@code alloc} (see {@link Frames#publish}). */
    @FunctionalInterface
    public interface Framer {
        ByteBuf frame(ByteBufAllocator alloc, long index, long dueNanos, int qos, int packetId);
    }

    /** The caller's number for this client. */
    public int tag() {
        return tag;
    }

    /** The loop this client's connection, timers and callbacks run on. */
    public EventLoop loop() {
        return loop;
    }

    /** Which of the loops that is. */
    public int loopIndex() {
        return loopIndex;
    }

    /** Whether the broker accepted the connection and it is still open. */
    public boolean isConnected() {
        Channel current = channel;
        return connected && current != null && current.isActive();
    }

    /** The negotiated TLS protocol, e.g. {@code TLSv1.3}, once connected. */
    public Optional<String> tlsProtocol() {
        Channel current = channel;
        SslHandler handler = current == null ? null : (SslHandler) current.pipeline().get(TLS);
        return handler == null ? Optional.empty() : Optional.ofNullable(handler.engine().getSession().getProtocol());
    }

    /** Sends what this client receives to {@code next} from now on, and frames its publishes with {@code frames}. */
    public void use(Listener next, Framer frames) {
        framer = frames;
        listener = next == null ? IGNORE : next;
    }

    /**
     * Connects: TCP, the TLS handshake, then CONNECT with a clean start. Completes on a successful CONNACK; fails
     * with the cause ({@link MqttRefusal} for a CONNACK with an error code), each step bounded by the connect timeout.
     */
    public CompletableFuture<Void> connect() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        Bootstrap bootstrap = loops.tlsBootstrap(loop, tls, remote, connectTimeout, TLS, (ch, handler) ->
                ch.pipeline().addLast(MQTT_DECODER, new MqttDecoder(MAX_PACKET_BYTES))
                        .addLast(MQTT_ENCODER, MqttEncoder.INSTANCE)
                        .addLast(SESSION, new Session(result, handler)));
        ChannelFuture attempt = local.isPresent() ? bootstrap.connect(remote, local.get()) : bootstrap.connect(remote);
        channel = attempt.channel();
        attempt.addListener(done -> {
            if (!done.isSuccess()) {
                result.completeExceptionally(done.cause());
            }
        });
        return result;
    }

    /** Subscribes to one filter at {@code qos}; fails with {@link MqttRefusal} for a SUBACK error code. */
    public CompletableFuture<Void> subscribe(String filter, int qos) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        loop.execute(() -> {
            if (!isConnected() || subscribing != null) {
                result.completeExceptionally(new IllegalStateException(subscribing != null
                        ? "one subscription at a time" : "not connected"));
                return;
            }
            subscribing = result;
            channel.writeAndFlush(MqttMessageBuilders.subscribe().messageId(1)
                    .addSubscription(MqttQoS.valueOf(qos), filter).build(), channel.voidPromise());
        });
        return result;
    }

    /**
     * Publishes message {@code index} (due at {@code dueNanos}) at {@code qos}, framed by the current framer; at
     * QoS 1 it waits in the outbox while the broker's Receive Maximum is reached. On the loop only. Returns whether
     * this made the connection need a {@link #flush}, so the caller knows which connections to flush.
     */
    public boolean publish(long index, long dueNanos, int qos) {
        if (!isConnected()) {
            listener.abandoned(this, index, dueNanos, closeCause != null ? closeCause : "not connected");
            return false;
        }
        if (qos > 0) {
            if (!outbox.hasRoom()) {
                outbox.enqueue(index, dueNanos);
                return false;
            }
            return write(index, dueNanos, qos, outbox.take(index, dueNanos));
        }
        return write(index, dueNanos, 0, 0);
    }

    /** Flushes what {@link #publish} wrote. On the loop only. */
    public void flush() {
        if (unflushed) {
            unflushed = false;
            channel.flush();
        }
    }

    /** Unacknowledged QoS 1 messages and those waiting for room. On the loop only. */
    public int outstanding() {
        return outbox == null ? 0 : outbox.inFlight() + outbox.queued();
    }

    /** Sends DISCONNECT and closes; completes when the connection is closed. */
    public CompletableFuture<Void> disconnect() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        Channel current = channel;
        if (current == null) {
            result.complete(null);
            return result;
        }
        current.closeFuture().addListener(closed -> result.complete(null));
        loop.execute(() -> {
            closeCause = "disconnected by the generator";
            if (current.isActive() && connected) {
                current.writeAndFlush(MqttMessage.DISCONNECT).addListener(written -> current.close());
            } else {
                current.close();
            }
        });
        return result;
    }

    private boolean write(long index, long dueNanos, int qos, int packetId) {
        channel.write(framer.frame(channel.alloc(), index, dueNanos, qos, packetId), channel.voidPromise());
        boolean first = !unflushed;
        unflushed = true;
        return first;
    }

    /** The protocol of one connection: the last handler of its pipeline. */
    private final class Session extends ChannelInboundHandlerAdapter {

        private final SslHandler tlsHandler;
        private boolean ackPending;

        Session(CompletableFuture<Void> connected, SslHandler tlsHandler) {
            connecting = connected;
            this.tlsHandler = tlsHandler;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            tlsHandler.handshakeFuture().addListener(handshake -> {
                if (!handshake.isSuccess()) {
                    fail(ctx, handshake.cause());
                    return;
                }
                ctx.writeAndFlush(MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_5)
                        .cleanSession(true).keepAlive(KEEP_ALIVE_SECONDS).build(), ctx.voidPromise());
                ctx.executor().schedule(() -> {
                    if (!connecting.isDone()) {
                        fail(ctx, new MqttRefusal("no CONNACK within " + connectTimeout.toMillis() + " ms"));
                    }
                }, connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
            });
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!(msg instanceof MqttMessage message)) {
                    return;
                }
                if (message.decoderResult().isFailure()) {
                    fail(ctx, message.decoderResult().cause());
                    return;
                }
                switch (message.fixedHeader().messageType()) {
                    case PUBLISH -> onPublish(ctx, (MqttPublishMessage) message);
                    case PUBACK -> onPubAck(ctx, message);
                    case CONNACK -> onConnAck(ctx, (MqttConnAckMessage) message);
                    case SUBACK -> onSubAck((MqttSubAckMessage) message);
                    case DISCONNECT -> onDisconnect(ctx, message);
                    default -> {
                        // PINGRESP, and nothing else a broker sends to a QoS 0/1 client without a session.
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (ackPending || unflushed) {
                ackPending = false;
                unflushed = false;
                ctx.flush();
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connected = false;
            if (keepAlive != null) {
                keepAlive.cancel(false);
            }
            String cause = closeCause != null ? closeCause : "connection closed by the server";
            if (!connecting.isDone()) {
                connecting.completeExceptionally(new MqttRefusal(cause));
            }
            if (subscribing != null) {
                subscribing.completeExceptionally(new MqttRefusal(cause));
            }
            if (outbox != null) {
                Listener current = listener;
                outbox.abandonAll((index, due) -> current.abandoned(MqttClient.this, index, due, cause));
            }
            ctx.fireChannelInactive();
        }

        private void onConnAck(ChannelHandlerContext ctx, MqttConnAckMessage ack) {
            int code = ack.variableHeader().connectReturnCode().byteValue() & 0xFF;
            if (code != ReasonCodes.SUCCESS) {
                fail(ctx, new MqttRefusal("CONNACK " + ReasonCodes.name(code)));
                return;
            }
            MqttProperties properties = ack.variableHeader().properties();
            outbox = new Outbox(Math.min(MAX_IN_FLIGHT,
                    intProperty(properties, MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM, 0xFFFF)));
            int keepAliveSeconds = intProperty(properties, MqttProperties.MqttPropertyType.SERVER_KEEP_ALIVE,
                    KEEP_ALIVE_SECONDS);
            if (keepAliveSeconds > 0) {
                // Spread over the period: a thousand clients connected in one second must not ping in one burst.
                long periodMillis = keepAliveSeconds * 1000L / 2;
                keepAlive = ctx.executor().scheduleAtFixedRate(
                        () -> ctx.writeAndFlush(MqttMessage.PINGREQ, ctx.voidPromise()),
                        periodMillis / 2 + ThreadLocalRandom.current().nextLong(periodMillis / 2 + 1), periodMillis,
                        TimeUnit.MILLISECONDS);
            }
            connected = true;
            connecting.complete(null);
        }

        private void onSubAck(MqttSubAckMessage ack) {
            CompletableFuture<Void> pending = subscribing;
            subscribing = null;
            if (pending == null) {
                return;
            }
            List<Integer> codes = ack.payload().reasonCodes();
            if (codes.stream().anyMatch(code -> code >= ReasonCodes.FIRST_ERROR)) {
                pending.completeExceptionally(new MqttRefusal("SUBACK "
                        + codes.stream().map(ReasonCodes::name).toList()));
            } else {
                pending.complete(null);
            }
        }

        private void onPublish(ChannelHandlerContext ctx, MqttPublishMessage publish) {
            listener.published(MqttClient.this, publish, System.nanoTime());
            if (publish.fixedHeader().qosLevel().value() > 0) {
                ctx.write(Frames.pubAck(ctx.alloc(), publish.variableHeader().packetId()), ctx.voidPromise());
                ackPending = true;
            }
        }

        private void onPubAck(ChannelHandlerContext ctx, MqttMessage ack) {
            long now = System.nanoTime();
            Object header = ack.variableHeader();
            int packetId = ((MqttMessageIdVariableHeader) header).messageId();
            int code = header instanceof MqttPubReplyMessageVariableHeader reply ? reply.reasonCode() & 0xFF
                    : ReasonCodes.SUCCESS;
            if (outbox == null || !outbox.outstanding(packetId)) {
                fail(ctx, new MqttRefusal("PUBACK for packet " + packetId + ", which is not outstanding"));
                return;
            }
            long index = outbox.index(packetId);
            long due = outbox.due(packetId);
            outbox.release(packetId);
            listener.acknowledged(MqttClient.this, index, due, code, now);
            // A slot is free: the oldest waiting message goes out now, flushed with this read.
            while (outbox.hasRoom() && outbox.queued() > 0) {
                long waiting = outbox.peekIndex();
                long waitingDue = outbox.peekDue();
                outbox.dequeue();
                write(waiting, waitingDue, 1, outbox.take(waiting, waitingDue));
            }
        }

        private void onDisconnect(ChannelHandlerContext ctx, MqttMessage disconnect) {
            int code = disconnect.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader reason
                    ? reason.reasonCode() & 0xFF : ReasonCodes.SUCCESS;
            closeCause = "DISCONNECT from server " + ReasonCodes.name(code);
            ctx.close();
        }

        private void fail(ChannelHandlerContext ctx, Throwable cause) {
            if (closeCause == null) {
                closeCause = describe(cause);
            }
            connecting.completeExceptionally(cause);
            ctx.close();
        }
    }

    private static int intProperty(MqttProperties properties, MqttProperties.MqttPropertyType type, int absent) {
        MqttProperties.MqttProperty<?> property = properties.getProperty(type.value());
        return property != null && property.value() instanceof Integer value ? value : absent;
    }

    /** The cause of a closed connection as failures are counted: the refusal, or the exception's type. */
    private static String describe(Throwable cause) {
        if (cause instanceof MqttRefusal refusal) {
            return refusal.getMessage();
        }
        return "connection lost: " + cause.getClass().getSimpleName();
    }
}
