package io.ora.relay.edge;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import java.util.List;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.github.bucket4j.Bucket;
import io.ora.core.limits.RateLimits;
import io.ora.relay.RelaySettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The first handler of every connection: refuses it before any TLS work when the node is shedding load, holds its
 * maximum number of connections, or the node-wide or per-source-IP accept rate is exceeded. A refused connection is
 * closed at once and counted by reason.
 */
@ChannelHandler.Sharable
final class AcceptGuard extends ChannelInboundHandlerAdapter {

    private final RelaySettings.Limits limits;
    private final ConnectionRegistry registry;
    private final EdgeContext edge;
    private final Bucket global;
    private final Cache<InetAddress, Bucket> perIp;
    /** Why a connection can be refused before TLS: the labels {@link #refusal} answers. */
    private static final List<String> REFUSALS = List.of("load_shed", "max_connections", "accept_rate",
            "accept_rate_ip");

    private final Counter accepted;

    AcceptGuard(EdgeContext edge, ConnectionRegistry registry) {
        this.edge = edge;
        this.limits = edge.settings().limits();
        this.registry = registry;
        // Taken on every event loop that accepts a connection: the thread-safe kind.
        this.global = RateLimits.shared(limits.acceptRate(), limits.acceptRate());
        this.perIp = Caffeine.newBuilder()
                .maximumSize(limits.trackedIps())
                .expireAfterAccess(Duration.ofMinutes(1))
                .build();
        this.accepted = edge.metrics().counter("ora_relay_connections_accepted_total",
                "TCP connections admitted to the TLS handshake");
        // Every reason's series from the start, at 0, for rates and alerts.
        for (String reason : REFUSALS) {
            refused(reason);
        }
    }

    private Counter refused(String reason) {
        return edge.metrics().counter("ora_relay_connections_refused_total",
                "TCP connections refused before the TLS handshake, by reason", "reason", reason);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        String refusal = refusal(ctx);
        if (refusal != null) {
            refused(refusal).increment();
            ctx.close();
            return;
        }
        accepted.increment();
        registry.accepted(ctx.channel());
        super.channelActive(ctx);
        ctx.pipeline().remove(this);
    }

    private String refusal(ChannelHandlerContext ctx) {
        if (edge.shedding()) {
            return "load_shed";
        }
        if (registry.size() >= limits.maxConnections()) {
            return "max_connections";
        }
        if (!global.tryConsume(1)) {
            return "accept_rate";
        }
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
            Bucket bucket = perIp.get(remote.getAddress(),
                    ip -> RateLimits.shared(limits.acceptRatePerIp(), limits.acceptRatePerIp()));
            if (!bucket.tryConsume(1)) {
                return "accept_rate_ip";
            }
        }
        return null;
    }
}
