package io.ora.load.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loops every client of a run lives on: epoll when Netty's native transport loads on this machine (it
 * reads and writes without the JDK selector's garbage and wakes on {@code timerfd}, precise enough for the pacer),
 * NIO otherwise, which is logged and reported. One loop by default: all connections, the pacer and the
 * measurements on one thread need no hand-off and no lock that is ever contended.
 */
public final class ClientLoops implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClientLoops.class);
    private static final Duration SHUTDOWN_LIMIT = Duration.ofSeconds(10);

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelType;
    private final List<EventLoop> loops;
    private final String transport;

    private ClientLoops(EventLoopGroup group, Class<? extends SocketChannel> channelType, String transport) {
        this.group = group;
        this.channelType = channelType;
        this.transport = transport;
        List<EventLoop> all = new ArrayList<>();
        for (EventExecutor executor : group) {
            all.add((EventLoop) executor);
        }
        this.loops = List.copyOf(all);
    }

    /** {@code threads} event loops on the best transport available. */
    public static ClientLoops open(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("need at least one event loop: " + threads);
        }
        DefaultThreadFactory names = new DefaultThreadFactory("mqtt-client", true);
        if (Epoll.isAvailable()) {
            return new ClientLoops(new MultiThreadIoEventLoopGroup(threads, names, EpollIoHandler.newFactory()),
                    EpollSocketChannel.class, "epoll");
        }
        Throwable why = Epoll.unavailabilityCause();
        LOG.warn("epoll is not available ({}); falling back to NIO", why == null ? "unknown" : why.toString());
        return new ClientLoops(new MultiThreadIoEventLoopGroup(threads, names, NioIoHandler.newFactory()),
                NioSocketChannel.class, "NIO (epoll unavailable)");
    }

    /** The transport {@link #open} picks on this machine, for reports. */
    public static String availableTransport() {
        return Epoll.isAvailable() ? "epoll" : "NIO (epoll unavailable: " + Epoll.unavailabilityCause() + ")";
    }

    /** The transport for reports: {@code epoll} or {@code NIO (epoll unavailable)}. */
    public String transport() {
        return transport;
    }

    /** How many loops there are. */
    public int count() {
        return loops.size();
    }

    /** Loop {@code i} (0-based). */
    public EventLoop loop(int i) {
        return loops.get(i);
    }

    Class<? extends SocketChannel> channelType() {
        return channelType;
    }

    /**
     * A bootstrap on {@code loop} for a TLS client of {@code remote}: TCP_NODELAY, pooled buffers, the TCP connect
     * and the handshake each bounded by {@code timeout}. Each channel's pipeline starts with the TLS handler, named
     * {@code tlsName}; {@code rest} adds what follows it.
     */
    Bootstrap tlsBootstrap(EventLoop loop, SslContext tls, InetSocketAddress remote, Duration timeout, String tlsName,
                           BiConsumer<SocketChannel, SslHandler> rest) {
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        return new Bootstrap().group(loop).channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler handler = tls.newHandler(ch.alloc(), remote.getHostString(), remote.getPort());
                        handler.setHandshakeTimeoutMillis(timeoutMillis);
                        ch.pipeline().addLast(tlsName, handler);
                        rest.accept(ch, handler);
                    }
                });
    }

    /** Stops the loops, closing whatever channels are still open, within a bound. */
    @Override
    public void close() throws InterruptedException {
        group.shutdownGracefully(0, SHUTDOWN_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        if (!group.awaitTermination(2 * SHUTDOWN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("client event loops did not stop within {}", 2 * SHUTDOWN_LIMIT.toSeconds());
        }
    }
}
