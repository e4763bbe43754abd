package io.ora.load.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * One HTTP/1.1 keep-alive connection over TLS 1.3 with a client certificate, for one identity, on one event loop:
 * what a hub holds to reach the device HTTPS listener. One request at a time, like the hub and like Pekko HTTP's
 * default (no pipelining): a request sent while another is outstanding waits in this connection's queue, so its
 * latency, measured by the caller from its due time, includes the wait. A connection the server closed (its idle
 * timeout, or a refusal) is opened again for the next request, and {@link #reconnects} counts it; nothing is retried.
 *
 * <p>{@link #connect} and {@link #close} may be called from any thread, {@link #send} only on {@link #loop()}.
 */
public final class HttpsConnection {

    /** The largest response body taken: a backup envelope up to the node's 8 MiB limit, and its headers. */
    private static final int MAX_RESPONSE_BYTES = (8 << 20) + 65_536;
    private static final String TLS = "tls";
    private static final String HTTP = "http";
    private static final String AGGREGATOR = "aggregator";
    private static final String EXCHANGE = "exchange";

    private final SslContext tls;
    private final InetSocketAddress remote;
    private final Duration connectTimeout;
    private final EventLoop loop;
    private final ClientLoops loops;
    // Confined to the loop once connected.
    private final Queue<Pending> queue = new ArrayDeque<>();
    private Pending current;
    private long reconnects;
    private volatile Channel channel;

    /**
     * A connection, not yet open.
     *
     * @param tls            the identity's TLS context ({@link ClientTls}), built beforehand
     * @param remote         the listener
     * @param connectTimeout bound on the TCP connect and on the TLS handshake, each
     * @param loops          the loops, of which this connection uses {@code loopIndex}
     */
    public HttpsConnection(SslContext tls, InetSocketAddress remote, Duration connectTimeout, ClientLoops loops,
                           int loopIndex) {
        this.tls = tls;
        this.remote = remote;
        this.connectTimeout = connectTimeout;
        this.loop = loops.loop(loopIndex);
        this.loops = loops;
    }

    /** A response: its status, its {@code ETag} if any, and its body, which the receiver must release. */
    public record Response(int status, Optional<String> etag, ByteBuf body, long receivedNanos) {
    }

    /** The loop this connection runs on. */
    public EventLoop loop() {
        return loop;
    }

    /** Times the connection was opened again because the server had closed it. On the loop only. */
    public long reconnects() {
        return reconnects;
    }

    /** TCP, then the TLS handshake; completes when the handshake has. */
    public CompletableFuture<Void> connect() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        Bootstrap bootstrap = loops.tlsBootstrap(loop, tls, remote, connectTimeout, TLS, (ch, handler) -> {
            handler.handshakeFuture().addListener(done -> {
                if (done.isSuccess()) {
                    result.complete(null);
                } else {
                    result.completeExceptionally(done.cause());
                }
            });
            ch.pipeline().addLast(HTTP, new HttpClientCodec())
                    .addLast(AGGREGATOR, new HttpObjectAggregator(MAX_RESPONSE_BYTES))
                    .addLast(EXCHANGE, new Exchange());
        });
        ChannelFuture attempt = bootstrap.connect(remote);
        channel = attempt.channel();
        attempt.addListener(done -> {
            if (!done.isSuccess()) {
                result.completeExceptionally(done.cause());
            }
        });
        return result;
    }

    /**
     * Sends {@code request} (taking ownership of it) once the requests before it are answered; the future completes
     * on the loop with the response, or fails when the connection fails. On the loop only.
     */
    public CompletableFuture<Response> send(FullHttpRequest request) {
        HttpUtil.setKeepAlive(request, true);
        request.headers().set(HttpHeaderNames.HOST, remote.getHostString() + ":" + remote.getPort());
        Pending pending = new Pending(request, new CompletableFuture<>());
        queue.add(pending);
        next();
        return pending.answer;
    }

    /** Closes the connection; completes when it is closed. */
    public CompletableFuture<Void> close() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        Channel open = channel;
        if (open == null) {
            result.complete(null);
        } else {
            open.close().addListener(closed -> result.complete(null));
        }
        return result;
    }

    private void next() {
        if (current != null || queue.isEmpty()) {
            return;
        }
        current = queue.poll();
        Channel open = channel;
        if (open != null && open.isActive()) {
            open.writeAndFlush(current.request, open.voidPromise());
            return;
        }
        reconnects++;
        connect().whenComplete((ignored, error) -> loop.execute(() -> {
            if (error != null) {
                fail(error);
            } else {
                channel.writeAndFlush(current.request, channel.voidPromise());
            }
        }));
    }

    private void fail(Throwable error) {
        Pending failed = current;
        current = null;
        if (failed != null) {
            ReferenceCountUtil.release(failed.request);
            failed.answer.completeExceptionally(error);
        }
        next();
    }

    private record Pending(FullHttpRequest request, CompletableFuture<Response> answer) {
    }

    /** Hands each whole response to the request it answers. */
    private final class Exchange extends SimpleChannelInboundHandler<FullHttpResponse> {

        Exchange() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            long now = System.nanoTime();
            Pending answered = current;
            current = null;
            if (answered == null) {
                response.release();
                ctx.close();
                return;
            }
            answered.answer.complete(new Response(response.status().code(),
                    Optional.ofNullable(response.headers().get(HttpHeaderNames.ETAG)), response.content(), now));
            if (!HttpUtil.isKeepAlive(response)) {
                ctx.close();
            }
            next();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // A request written on a connection the server closed meanwhile fails; the next one reconnects.
            if (current != null && ctx.channel() == channel) {
                fail(new IllegalStateException("connection closed before the response"));
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
