package io.ora.relay.edge;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.ora.relay.tls.TlsReloader;

/**
 * The one place the relay pipeline is assembled, in order: accept guard, TLS (with its handshake timeout), the
 * handshake-to-session step, the MQTT codec, and the packet dispatcher. The keep-alive handler joins after CONNECT.
 */
final class RelayChannelInitializer extends ChannelInitializer<SocketChannel> {

    /**
     * Client id limit handed to the decoder. Netty 4.2 no longer enforces it for MQTT 3.1.1 and 5; a long id is
     * refused anyway because it cannot equal the certificate's identity.
     */
    private static final int MAX_CLIENT_ID_LENGTH = 256;

    private final EdgeContext edge;
    private final TlsReloader tls;
    private final AcceptGuard acceptGuard;
    private final HandshakeHandler handshake;
    private final MqttPacketDispatcher packets = new MqttPacketDispatcher();

    RelayChannelInitializer(EdgeContext edge, TlsReloader tls, ConnectionRegistry registry) {
        this.edge = edge;
        this.tls = tls;
        this.acceptGuard = new AcceptGuard(edge, registry);
        this.handshake = new HandshakeHandler(edge);
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        SslHandler ssl = tls.current().context().newHandler(channel.alloc());
        ssl.setHandshakeTimeoutMillis(edge.settings().tls().handshakeTimeout().toMillis());
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast(HandlerNames.ACCEPT_GUARD, acceptGuard);
        pipeline.addLast(HandlerNames.TLS, ssl);
        // Between the MQTT handlers' flushes and TLS: a turn of the event loop that writes many packets to one
        // connection flushes once, so TLS seals them into few records and the socket takes them in one write.
        pipeline.addLast(HandlerNames.FLUSH_CONSOLIDATION, new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        pipeline.addLast(HandlerNames.HANDSHAKE, handshake);
        pipeline.addLast(HandlerNames.MQTT_DECODER,
                new MqttDecoder(edge.settings().mqtt().maxPacketSize(), MAX_CLIENT_ID_LENGTH));
        pipeline.addLast(HandlerNames.MQTT_ENCODER, MqttEncoder.INSTANCE);
        pipeline.addLast(HandlerNames.PACKETS, packets);
    }
}
