package io.ora.relay.edge;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.ora.core.identity.PeerId;
import io.ora.core.pki.PeerCertificates;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import io.micrometer.core.instrument.Counter;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Turns a finished TLS handshake into a {@link Session}: the identity comes from the verified client certificate
 * and from nowhere else. Starts the CONNECT timer, then leaves the pipeline. A failed or timed-out handshake is
 * counted and the connection closed.
 */
@ChannelHandler.Sharable
final class HandshakeHandler extends ChannelInboundHandlerAdapter {

    private final EdgeContext edge;
    private final Counter succeeded;
    private final Counter failed;
    private final Counter timedOut;

    HandshakeHandler(EdgeContext edge) {
        this.edge = edge;
        String help = "TLS handshakes, by result";
        this.succeeded = edge.metrics().counter("ora_relay_handshakes_total", help, "result", "ok");
        this.failed = edge.metrics().counter("ora_relay_handshakes_total", help, "result", "failed");
        this.timedOut = edge.metrics().counter("ora_relay_handshakes_total", help, "result", "timeout");
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (!(event instanceof SslHandshakeCompletionEvent completion)) {
            super.userEventTriggered(ctx, event);
            return;
        }
        if (!completion.isSuccess()) {
            (completion.cause() instanceof SslHandshakeTimeoutException ? timedOut : failed).increment();
            ctx.close();
            return;
        }
        Optional<X509Certificate> leaf = peerCertificate(ctx);
        Optional<PeerId> identity = leaf.flatMap(PeerCertificates::identity);
        if (identity.isEmpty()) {
            failed.increment();
            ctx.close();
            return;
        }
        succeeded.increment();
        Session session = Session.open(ctx.channel(), edge, identity.get(), PeerCertificates.serial(leaf.get()));
        ctx.executor().schedule(() -> {
            if (session.state() == Session.State.AWAITING_CONNECT) {
                edge.count("connect_timeout");
                session.markClosed();
                ctx.close();
            }
        }, edge.settings().mqtt().connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ctx.pipeline().remove(this);
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
