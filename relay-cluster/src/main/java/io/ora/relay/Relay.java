package io.ora.relay;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ora.core.metrics.Metrics;
import io.ora.core.ota.OtaDesk;
import io.ora.core.telemetry.TelemetryIntake;
import io.ora.persistence.Database;
import io.ora.persistence.Redis;
import io.ora.relay.access.JdbcBindings;
import io.ora.relay.edge.RelayServer;
import io.ora.relay.peer.PeerRouter;
import io.ora.relay.peer.PeerSettings;
import io.ora.relay.peer.ShardingGauges;
import io.ora.relay.delivery.CountedMailbox;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The relay role of a node: hub and app sharding (hub entities answer the hub lock other roles ask them for,
 * {@link io.ora.relay.api.HubLocks}), the app-hub access look-up ({@link JdbcBindings}), and the MQTT listener.
 * Sharding starts first, so the listener accepts nothing it cannot route; the role starts before the node's other
 * roles, which reach the hubs through it. What hubs publish on their telemetry channel is not routed but handed to a
 * {@link TelemetryIntake}: the node's ingest role, or {@link TelemetryIntake#unavailable()} on a node without one.
 */
public final class Relay implements AutoCloseable {

    private final PeerRouter router;
    private final JdbcBindings bindings;
    private final RelayServer server;
    private final ShardingGauges sharding;

    private Relay(PeerRouter router, JdbcBindings bindings, ShardingGauges sharding, RelayServer server) {
        this.router = router;
        this.bindings = bindings;
        this.sharding = sharding;
        this.server = server;
    }

    /**
     * Starts the relay role on {@code system}, with bindings read from {@code dataSource} and cached in
     * {@code redis}, shared with the other nodes (the node's {@link Redis}; this role does not close it). Hubs'
     * telemetry is refused as unavailable: for nodes without the ingest role.
     */
    public static Relay start(ActorSystem<?> system, DataSource dataSource, Redis redis, Metrics metrics)
            throws IOException {
        return start(system, dataSource, redis, metrics, TelemetryIntake.unavailable());
    }

    /** As {@link #start(ActorSystem, DataSource, Redis, Metrics)}, handing hubs' telemetry to {@code telemetry}. */
    public static Relay start(ActorSystem<?> system, DataSource dataSource, Redis redis, Metrics metrics,
                              TelemetryIntake telemetry) throws IOException {
        return start(system, dataSource, Optional.of(redis), metrics, telemetry, OtaDesk.unavailable());
    }

    /**
     * As {@link #start(ActorSystem, DataSource, Redis, Metrics, TelemetryIntake)}, handing hubs' firmware checks and
     * reports to {@code ota} (docs/ota.md); a relay without it answers checks {@code wait} / {@code unavailable}.
     */
    public static Relay start(ActorSystem<?> system, DataSource dataSource, Redis redis, Metrics metrics,
                              TelemetryIntake telemetry, OtaDesk ota) throws IOException {
        return start(system, dataSource, Optional.of(redis), metrics, telemetry, ota);
    }

    /**
     * Starts the relay role without the shared cache level: each node caches access answers on its own (still
     * invalidated through PostgreSQL at once) and asks PostgreSQL every {@code ora.relay.access.local-ttl} per pair
     * in use. For nodes without Redis; a node that has one passes it. Hubs' telemetry is refused as unavailable.
     */
    public static Relay start(ActorSystem<?> system, DataSource dataSource, Metrics metrics) throws IOException {
        return start(system, dataSource, metrics, TelemetryIntake.unavailable());
    }

    /** As {@link #start(ActorSystem, DataSource, Metrics)}, handing hubs' telemetry to {@code telemetry}. */
    public static Relay start(ActorSystem<?> system, DataSource dataSource, Metrics metrics,
                              TelemetryIntake telemetry) throws IOException {
        return start(system, dataSource, Optional.empty(), metrics, telemetry, OtaDesk.unavailable());
    }

    private static Relay start(ActorSystem<?> system, DataSource dataSource, Optional<Redis> redis, Metrics metrics,
                               TelemetryIntake telemetry, OtaDesk ota) throws IOException {
        RelaySettings settings = RelaySettings.from(system.settings().config());
        PeerRouter router = PeerRouter.start(system, PeerSettings.from(settings, metrics, ota));
        Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("ora.relay.blocking-dispatcher"));
        JdbcBindings bindings = JdbcBindings.start(dataSource, blocking, settings.access(), redis, metrics);
        RelayServer server;
        try {
            server = RelayServer.start(system, settings, router, bindings, telemetry, ota, metrics);
        } catch (IOException | RuntimeException e) {
            bindings.close();
            throw e;
        }
        ShardingGauges sharding = ShardingGauges.start(system, metrics, settings.sessions().countInterval());
        for (String actors : new String[] {"peers", "connections"}) {
            metrics.gauge("ora_relay_mailbox_messages", "Messages waiting in the mailboxes of the relay's actors: the "
                    + "sharded peer entities and the connections' actors", "actors", actors,
                    () -> CountedMailbox.waiting(Adapter.toClassic(system), actors));
        }
        return new Relay(router, bindings, sharding, server);
    }

    /**
     * The config the journal needs to reach {@code connection}; layer it over the node's config before the actor
     * system starts (see {@code ora-persistence.conf}).
     */
    public static Config persistenceConfig(Database.Connection connection) {
        return ConfigFactory.parseMap(Map.of(
                "ora.persistence.url", connection.url(),
                "ora.persistence.user", connection.user(),
                "ora.persistence.password", connection.password()));
    }

    public PeerRouter router() {
        return router;
    }

    public JdbcBindings bindings() {
        return bindings;
    }

    public RelayServer server() {
        return server;
    }

    /** Disconnects every peer and closes the listener within {@code timeout}. */
    public void close(Duration timeout) {
        sharding.close();
        server.close(timeout);
        bindings.close();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
