package io.ora.relay.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.AttributeKey;
import io.ora.core.identity.PeerId;
import io.ora.core.pki.PeerCertificates;
import io.ora.core.trace.Attribute;
import io.ora.core.trace.Operation;
import io.ora.core.trace.Trace;
import io.ora.core.trace.Traces;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Turns a finished TLS handshake into a {@link MqttConnection}: the identity comes from the verified client
 * certificate and from nowhere else. Starts the CONNECT timer, then leaves the pipeline. A failed or timed-out
 * handshake is counted and the connection closed.
 */
@ChannelHandler.Sharable
final class HandshakeHandler extends ChannelInboundHandlerAdapter {

    /** From the TCP connection to the end of its handshake, where the {@link MqttConnection} takes the span over. */
    private static final AttributeKey<Connecting> CONNECTING = AttributeKey.valueOf("ora-connecting");

    private record Connecting(Trace trace, long startedNanos) {
    }

    private final EdgeContext edge;
    private final Counter succeeded;
    private final Counter failed;
    private final Counter timedOut;
    private final Timer succeededIn;
    private final Timer failedIn;
    private final Timer timedOutIn;

    HandshakeHandler(EdgeContext edge) {
        this.edge = edge;
        String help = "TLS handshakes, by result";
        this.succeeded = edge.metrics().counter("ora_relay_handshakes_total", help, "result", "ok");
        this.failed = edge.metrics().counter("ora_relay_handshakes_total", help, "result", "failed");
        this.timedOut = edge.metrics().counter("ora_relay_handshakes_total", help, "result", "timeout");
        String took = "TLS handshake duration, from the connection's start, by result";
        this.succeededIn = edge.metrics().timer("ora_relay_handshake_seconds", took, "result", "ok");
        this.failedIn = edge.metrics().timer("ora_relay_handshake_seconds", took, "result", "failed");
        this.timedOutIn = edge.metrics().timer("ora_relay_handshake_seconds", took, "result", "timeout");
    }

    /** The connection's CONNECT span starts with its TCP connection: the handshake is most of its cost. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.channel().attr(CONNECTING).set(new Connecting(Traces.start(Operation.MQTT_CONNECT), System.nanoTime()));
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (!(event instanceof SslHandshakeCompletionEvent completion)) {
            super.userEventTriggered(ctx, event);
            return;
        }
        Connecting connecting = ctx.channel().attr(CONNECTING).getAndSet(null);
        if (connecting == null) {
            // No handshake began here: the accept guard refused the connection in channelActive (and counted it),
            // and TLS reports the handshake failed as the socket closes. Not a failed handshake and not a fault:
            // counting or logging it would do so once more for every refused connection of a flood.
            return;
        }
        if (!completion.isSuccess()) {
            boolean late = completion.cause() instanceof SslHandshakeTimeoutException;
            (late ? timedOut : failed).increment();
            end(connecting, late ? timedOutIn : failedIn, late ? "handshake_timeout" : "handshake_failed");
            ctx.close();
            return;
        }
        Optional<X509Certificate> leaf = peerCertificate(ctx);
        Optional<PeerId> identity = leaf.flatMap(PeerCertificates::identity);
        if (identity.isEmpty()) {
            failed.increment();
            end(connecting, failedIn, "no_identity");
            ctx.close();
            return;
        }
        succeeded.increment();
        succeededIn.record(System.nanoTime() - connecting.startedNanos(), TimeUnit.NANOSECONDS);
        connecting.trace().tag(Attribute.PEER_KIND, identity.get().kind());
        MqttConnection connection = MqttConnection.open(ctx.channel(), edge, identity.get(),
                PeerCertificates.serial(leaf.get()), connecting.trace());
        ctx.executor().schedule(() -> {
            if (connection.state() == MqttConnection.State.AWAITING_CONNECT) {
                connection.close(CloseReason.CONNECT_TIMEOUT);
            }
        }, edge.settings().mqtt().connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ctx.pipeline().remove(this);
    }

    private static void end(Connecting connecting, Timer took, String outcome) {
        took.record(System.nanoTime() - connecting.startedNanos(), TimeUnit.NANOSECONDS);
        connecting.trace().fail(outcome);
        connecting.trace().finish();
    }

    private static Optional<X509Certificate> peerCertificate(ChannelHandlerContext ctx) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? Optional.of(x509) : Optional.empty();
        } catch (SSLPeerUnverifiedException unverified) {
            return Optional.empty();
        }
    }
}
