package io.ora.relay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.ora.core.identity.PeerId;
import io.ora.core.metrics.Metrics;
import io.ora.core.ota.OtaDesk;
import io.ora.core.telemetry.TelemetryIntake;
import io.ora.core.trace.Operation;
import io.ora.core.trace.Traces;
import io.ora.relay.RelaySettings;
import io.ora.relay.access.Bindings;
import io.ora.relay.access.Scope;
import io.ora.relay.delivery.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The relay's edge without TLS and without a cluster: a real {@link EdgeContext} (settings from
 * {@code reference.conf}, real {@link Metrics}, a local actor system for the connection actors) wired to a
 * {@link RecordingRouter}, to bindings that answer at once and to a telemetry intake the test chooses (by default
 * one that takes nothing). {@link #open} gives a connection whose pipeline holds
 * the same decoder, encoder and dispatcher as {@link RelayChannelInitializer}, with the {@link MqttConnection} a
 * finished TLS handshake would have created.
 *
 * <p>The actor system runs every actor on the thread that sends it a message (Pekko's calling-thread dispatcher).
 * {@link EmbeddedChannel}'s task queue is a plain, single-threaded queue; a connection actor on a pool thread would
 * add to it while the test thread drains it. On the calling thread the actor's hop onto the event loop is queued by
 * the test thread itself, and {@link PeerConnection#next()} runs it. The internal dispatcher is replaced too: the
 * connection actors are system actors, started by the system guardian, which runs there; messages told before that
 * start would otherwise reach the actor on another thread.
 */
final class TestEdge implements AutoCloseable, AfterEachCallback {

    /** As in {@link RelayChannelInitializer} (Netty 4.2 applies this limit to MQTT 3.1 client ids only). */
    static final int MAX_CLIENT_ID_LENGTH = 256;

    private static final String CALLING_THREAD = "org.apache.pekko.testkit.CallingThreadDispatcherConfigurator";

    private final ActorTestKit actors;
    private final Metrics metrics = new Metrics();
    private final RecordingRouter router = new RecordingRouter();
    private final MqttPacketDispatcher packets = new MqttPacketDispatcher();
    private final List<PeerConnection> connections = new CopyOnWriteArrayList<>();
    private final EdgeContext context;
    private volatile CompletableFuture<Scope> answer = CompletableFuture.completedFuture(Scope.FULL);
    /** Bumped with every change of {@link #answer}, as real bindings do when a change is announced. */
    private final AtomicLong generation = new AtomicLong();
    private volatile TelemetryIntake telemetry = TelemetryIntake.unavailable();
    private volatile OtaDesk ota = OtaDesk.unavailable();

    private TestEdge(ActorTestKit actors, RelaySettings settings) {
        this.actors = actors;
        this.context = new EdgeContext(settings, router, new Bindings() {
            @Override
            public CompletionStage<Scope> scope(String appId, UUID hub) {
                return answer;
            }

            @Override
            public long generation() {
                return generation.get();
            }

            @Override
            public Duration answerLifetime() {
                return settings.access().localTtl();
            }
        }, (hub, payload) -> telemetry.submit(hub, payload), new OtaDesk() {
            @Override
            public CompletionStage<byte[]> check(UUID hub, byte[] payload) {
                return ota.check(hub, payload);
            }

            @Override
            public CompletionStage<Receipt> report(UUID hub, byte[] payload) {
                return ota.report(hub, payload);
            }
        }, metrics, actors.system(), () -> false);
    }

    /** An edge with the {@code reference.conf} settings. */
    static TestEdge start() {
        return start(Map.of());
    }

    /** An edge with some settings overridden, e.g. {@code ora.relay.mqtt.max-packet-size}. */
    static TestEdge start(Map<String, Object> overrides) {
        Config loaded = ConfigFactory.load();
        RelaySettings settings = RelaySettings.from(ConfigFactory.parseMap(overrides).withFallback(loaded));
        Config actorConfig = ConfigFactory.parseMap(Map.of(
                "pekko.actor.provider", "local",
                "pekko.actor.default-dispatcher.type", CALLING_THREAD,
                "pekko.actor.internal-dispatcher.type", CALLING_THREAD))
                .withFallback(loaded);
        return new TestEdge(ActorTestKit.create("edge-test", actorConfig), settings);
    }

    /** A connection whose TLS handshake verified {@code identity}, waiting for CONNECT. */
    PeerConnection open(PeerId identity) {
        TrackingAllocator allocator = new TrackingAllocator();
        EmbeddedChannel channel = new EmbeddedChannel();
        // Time moves only when a test advances it, so no timer (attach, keep-alive) fires by accident.
        channel.freezeTime();
        channel.config().setAllocator(allocator);
        channel.pipeline().addLast(HandlerNames.MQTT_DECODER,
                new MqttDecoder(context.settings().mqtt().maxPacketSize(), MAX_CLIENT_ID_LENGTH));
        channel.pipeline().addLast(HandlerNames.MQTT_ENCODER, MqttEncoder.INSTANCE);
        channel.pipeline().addLast(HandlerNames.PACKETS, packets);
        MqttConnection.open(channel, context, identity, "01", Traces.start(Operation.MQTT_CONNECT));
        PeerConnection connection = new PeerConnection(identity, channel, allocator);
        connections.add(connection);
        return connection;
    }

    /** Whether the bindings answer {@link Scope#FULL} (the default) or {@link Scope#NONE} to every question. */
    void bound(boolean allowed) {
        scope(allowed ? Scope.FULL : Scope.NONE);
    }

    /** The scope the bindings answer to every question. */
    void scope(Scope scope) {
        answer = CompletableFuture.completedFuture(scope);
        generation.incrementAndGet();
    }

    /** The bindings fail every look-up, as when the database is down. */
    void lookupsFail() {
        answer = CompletableFuture.failedFuture(new SQLException("the database is down"));
        generation.incrementAndGet();
    }

    /** Where hubs' firmware checks and reports go from now on. */
    void ota(OtaDesk desk) {
        ota = desk;
    }

    /** Where hubs' telemetry goes from now on. */
    void telemetry(TelemetryIntake intake) {
        telemetry = intake;
    }

    /** A probe standing for a QoS 1 sender's connection, to receive its outcomes. */
    TestProbe<Connection.Command> sender() {
        return actors.createTestProbe(Connection.Command.class);
    }

    RecordingRouter router() {
        return router;
    }

    RelaySettings settings() {
        return context.settings();
    }

    /** What the edge's handlers are built from, for a test that builds one itself. */
    EdgeContext context() {
        return context;
    }

    /** {@code ora_relay_connections_closed_total{reason=...}}. */
    long closed(String reason) {
        return metrics.value("ora_relay_connections_closed_total", "reason", reason);
    }

    /** {@code ora_relay_publishes_refused_total{reason=...}}. */
    long refusedPublishes(String reason) {
        return metrics.value("ora_relay_publishes_refused_total", "reason", reason);
    }

    /** {@code ora_relay_subscriptions_refused_total{reason=...}}. */
    long refusedSubscriptions(String reason) {
        return metrics.value("ora_relay_subscriptions_refused_total", "reason", reason);
    }

    /** Every {@code ora_relay_connections_closed_total} series counted so far, by reason. */
    Map<String, Long> closeReasons() {
        // Every known reason has a series from the start; the ones counted are what the tests ask about.
        Map<String, Long> counted = new TreeMap<>(metrics.byLabel("ora_relay_connections_closed_total", "reason"));
        counted.values().removeIf(count -> count == 0);
        return counted;
    }

    Metrics metrics() {
        return metrics;
    }

    /** Buffers of any connection opened here that the pipeline still holds; call after {@link #close()}. */
    List<ByteBuf> unreleased() {
        return connections.stream().flatMap(connection -> connection.unreleased().stream()).toList();
    }

    /**
     * As a JUnit extension ({@code @RegisterExtension final TestEdge edge = TestEdge.start()}): after each test,
     * closes everything and fails the test if the pipeline kept any buffer.
     */
    @Override
    public void afterEach(ExtensionContext context) {
        close();
        assertThat(unreleased()).as("buffers the pipeline kept").isEmpty();
    }

    /** Closes every connection opened here and stops the actor system. */
    @Override
    public void close() {
        connections.forEach(PeerConnection::close);
        actors.shutdownTestKit();
    }
}
