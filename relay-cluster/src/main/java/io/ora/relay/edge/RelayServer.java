package io.ora.relay.edge;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.ora.core.metrics.Metrics;
import io.ora.core.ota.OtaDesk;
import io.ora.core.telemetry.TelemetryIntake;
import io.ora.relay.RelaySettings;
import io.ora.relay.access.Bindings;
import io.ora.relay.delivery.Router;
import io.ora.relay.tls.TlsReloader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT-over-TLS listener of one node. Starting it binds the port with current TLS material; closing it tells
 * every MQTT 5 peer the server is shutting down (DISCONNECT 0x8B), closes all connections and releases the port.
 */
public final class RelayServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listener;
    private final TlsReloader tls;
    private final ConnectionRegistry registry;

    private RelayServer(EventLoopGroup boss, EventLoopGroup workers, Channel listener, TlsReloader tls,
                        ConnectionRegistry registry) {
        this.boss = boss;
        this.workers = workers;
        this.listener = listener;
        this.tls = tls;
        this.registry = registry;
    }

    /** Loads TLS material, binds the listener and starts serving; hubs' telemetry goes to {@code telemetry}. */
    public static RelayServer start(ActorSystem<?> system, RelaySettings settings, Router router,
                                    Bindings bindings, TelemetryIntake telemetry, OtaDesk ota,
                                    Metrics metrics)
            throws IOException {
        // epoll on Linux: fewer syscalls and copies per read and write than NIO's selector; NIO where it is not.
        boolean epoll = Epoll.isAvailable();
        if (!epoll) {
            LOG.info("epoll is not available ({}): the MQTT listener uses NIO", Epoll.unavailabilityCause()
                    .getClass().getSimpleName());
        }
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(settings.mqtt().ioThreads(), io);
        try {
            HeapWatch heap = new HeapWatch(settings.limits().heapShedThreshold());
            long every = settings.limits().heapCheckInterval().toMillis();
            boss.scheduleAtFixedRate(heap::sample, every, every, TimeUnit.MILLISECONDS);
            metrics.gauge("ora_relay_load_shedding", "1 while the node sheds load", () -> heap.shedding() ? 1 : 0);
            EdgeContext edge = new EdgeContext(settings, router, bindings, telemetry, ota, metrics, system,
                    heap::shedding);
            ConnectionRegistry registry = new ConnectionRegistry(edge);
            TlsReloader tls = TlsReloader.start(settings.tls(), metrics, boss, registry::revalidate);
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                            settings.limits().writeBufferLow(), settings.limits().writeBufferHigh()))
                    .childHandler(new RelayChannelInitializer(edge, tls, registry));
            Channel listener = bootstrap.bind(settings.mqtt().host(), settings.mqtt().port()).syncUninterruptibly()
                    .channel();
            return new RelayServer(boss, workers, listener, tls, registry);
        } catch (IOException | RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** The port actually bound (useful when configured as 0). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Checks the TLS files for changes now instead of at the next poll. */
    public void reloadTls() {
        tls.checkForChanges();
    }

    /** Closes all connections (DISCONNECT first for MQTT 5) and the listener, waiting at most {@code timeout}. */
    public void close(Duration timeout) {
        tls.close();
        listener.close().awaitUninterruptibly(timeout.toMillis());
        registry.shutdown().awaitUninterruptibly(timeout.toMillis());
        workers.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS).awaitUninterruptibly();
        boss.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS).awaitUninterruptibly();
        LOG.info("MQTT listener closed");
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
