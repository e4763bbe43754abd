package io.ora.node;

import com.typesafe.config.Config;
import io.ora.backup.Backup;
import io.ora.backup.store.BackupStores;
import io.ora.core.metrics.Metrics;
import io.ora.core.pki.DevPki;
import io.ora.core.ota.OtaDesk;
import io.ora.core.telemetry.TelemetryIntake;
import io.ora.device.https.DeviceHttps;
import io.ora.device.https.DeviceRoutes;
import io.ora.ingest.Ingest;
import io.ora.ingest.http.TelemetryRoutes;
import io.ora.node.observe.ErrorReporting;
import io.ora.node.observe.Observability;
import io.ora.persistence.Database;
import io.ora.persistence.Redis;
import io.ora.persistence.telemetry.HubPseudonym;
import io.ora.portal.Portal;
import io.ora.relay.Relay;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Ora node: database, actor system (a cluster member), management endpoints and the roles this node
 * plays. Start-up order is dependencies first (database, PKI, cluster), listeners last; shutdown is the reverse,
 * driven by Pekko's coordinated shutdown so SIGTERM, Ctrl-C and {@link #close()} all take the same path.
 */
public final class Node implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    private final ActorSystem<Void> system;
    private final Optional<Relay> relay;
    private final Optional<Portal> portal;
    private final Optional<Ingest> ingest;
    private final Optional<Backup> backup;
    private final Optional<DeviceHttps> deviceHttps;
    private final Path home;
    private final String managementUri;

    private Node(ActorSystem<Void> system, Optional<Relay> relay, Optional<Portal> portal, Optional<Ingest> ingest,
                 Optional<Backup> backup, Optional<DeviceHttps> deviceHttps, Path home, String managementUri) {
        this.system = system;
        this.relay = relay;
        this.portal = portal;
        this.ingest = ingest;
        this.backup = backup;
        this.deviceHttps = deviceHttps;
        this.home = home;
        this.managementUri = managementUri;
    }

    /**
     * Starts a node with {@code overrides} above the packaged configuration and the environment. A production node
     * whose configuration falls back to a development default is refused ({@link NodeMode.StartRefused}) before
     * anything is started or written.
     */
    public static Node start(Config overrides, Map<String, String> environment) throws IOException {
        Config base = NodeConfig.load(environment, overrides);
        if (NodeMode.check(base) == NodeMode.DEVELOPMENT) {
            LOG.warn(NodeMode.developmentNotice(base));
        }
        // First, so a start that fails is reported too; closed once the actor system has terminated.
        ErrorReporting errorReporting = ErrorReporting.start(base);
        Observability.configureTracing(base);
        Path home = NodeConfig.home(base);
        if (base.getBoolean("ora.node.dev-pki")) {
            DevPki.openOrCreate(home.resolve("pki"));
        }
        Database database = Database.start(base);
        Redis redis;
        try {
            redis = Redis.start(base);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        ActorSystem<Void> system;
        try {
            if (database.isEmbedded()) {
                RunFile.write(home, database.connection());
            }
            Config config = NodeConfig.load(environment,
                    overrides.withFallback(Relay.persistenceConfig(database.connection())));
            system = ActorSystem.create(Behaviors.empty(), "ora", config);
        } catch (IOException | RuntimeException e) {
            redis.close();
            database.close();
            throw e;
        }
        registerStoresStop(system, database, redis, home);
        system.getWhenTerminated().thenRun(errorReporting::close);
        try {
            joinCluster(system);
            String management = PekkoManagement.get(Adapter.toClassic(system)).start()
                    .toCompletableFuture().get(30, TimeUnit.SECONDS).toString();
            Metrics metrics = NodeMetrics.get(system);
            Observability observability = Observability.start(system.settings().config(), metrics);
            database.measure(metrics);
            // Last: what the stopping roles counted and traced is sent before the node is gone.
            CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(
                    CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "ora-observability-close", () -> {
                        observability.close();
                        return CompletableFuture.completedFuture(Done.getInstance());
                    });
            Duration grace = system.settings().config().getDuration("ora.node.shutdown-timeout").dividedBy(2);
            // Ingest before the relay, which hands it telemetry; it stops after the listeners, so what they took
            // is drained into storage before the database closes.
            Optional<Ingest> ingest = Optional.empty();
            if (hasRole(system, "ingest")) {
                Ingest started = Ingest.start(system, database.dataSource(),
                        HubPseudonym.from(system.settings().config()), metrics);
                ingest = Optional.of(started);
                CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(
                        CoordinatedShutdown.PhaseServiceRequestsDone(), "ora-ingest-drain", () -> {
                            started.close(grace);
                            return CompletableFuture.completedFuture(Done.getInstance());
                        });
            }
            // The portal before the relay, which hands it hubs' firmware checks and reports.
            Optional<Portal> portal = Optional.empty();
            if (hasRole(system, "portal")) {
                Portal started = Portal.start(system, database.dataSource(), redis, metrics);
                portal = Optional.of(started);
                if (started.devIssuer().isPresent()) {
                    RunFile.recordIssuer(home, started.devIssuer().get().issuerUrl());
                }
                CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(
                        CoordinatedShutdown.PhaseServiceUnbind(), "ora-portal-close", () -> {
                            started.close(grace);
                            return CompletableFuture.completedFuture(Done.getInstance());
                        });
            }
            Optional<Relay> relay = Optional.empty();
            if (hasRole(system, "relay")) {
                // A relay node without the ingest role refuses telemetry as unavailable (docs/mqtt.md, "Telemetry").
                TelemetryIntake telemetry = ingest.isPresent() ? ingest.get() : TelemetryIntake.unavailable();
                // Without the portal role, firmware checks are answered wait/unavailable (docs/mqtt.md, "OTA status").
                OtaDesk ota = portal.isPresent() ? portal.get().ota().desk() : OtaDesk.unavailable();
                Relay started = Relay.start(system, database.dataSource(), redis, metrics, telemetry, ota);
                relay = Optional.of(started);
                CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(
                        CoordinatedShutdown.PhaseServiceUnbind(), "ora-relay-close", () -> {
                            started.close(grace);
                            return CompletableFuture.completedFuture(Done.getInstance());
                        });
            }
            Optional<Backup> backup = Optional.empty();
            if (hasRole(system, "backup")) {
                Backup started = Backup.start(system, BackupStores.open(system.settings().config(),
                        database.dataSource(), Clock.systemUTC()), metrics);
                backup = Optional.of(started);
                // After the listeners have unbound, before the database closes.
                CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(
                        CoordinatedShutdown.PhaseServiceStop(), "ora-backup-close", () -> {
                            started.close();
                            return CompletableFuture.completedFuture(Done.getInstance());
                        });
            }
            // The device listener opens only when a role of this node mounts routes on it; each such role adds its
            // DeviceRoutes here. It unbinds with the other listeners, before ingest drains what it took.
            List<DeviceRoutes> deviceRoutes = new ArrayList<>();
            ingest.ifPresent(pipeline -> deviceRoutes.add(TelemetryRoutes.create(system.settings().config(),
                    pipeline)));
            backup.ifPresent(role -> deviceRoutes.add(role.routes()));
            portal.ifPresent(role -> deviceRoutes.add(role.ota().deviceRoutes()));
            Optional<DeviceHttps> deviceHttps = Optional.empty();
            if (!deviceRoutes.isEmpty() && DeviceHttps.enabled(system.settings().config())) {
                DeviceHttps started = DeviceHttps.start(system, system.settings().config(), metrics, deviceRoutes);
                deviceHttps = Optional.of(started);
                CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(
                        CoordinatedShutdown.PhaseServiceUnbind(), "ora-device-https-close", () -> {
                            started.close(grace);
                            return CompletableFuture.completedFuture(Done.getInstance());
                        });
            }
            ServingCheck.markServing(system);
            return new Node(system, relay, portal, ingest, backup, deviceHttps, home, management);
        } catch (IOException | SQLException | RuntimeException | InterruptedException | ExecutionException
                 | TimeoutException e) {
            // Logged before terminating: with exit-jvm on, coordinated shutdown may end the JVM before main reports.
            LOG.error("node failed to start", e);
            system.terminate();
            awaitQuietly(system, Duration.ofSeconds(10));
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("node failed to start: " + e.getMessage(), e);
        }
    }

    public ActorSystem<Void> system() {
        return system;
    }

    public Optional<Relay> relay() {
        return relay;
    }

    public Optional<Portal> portal() {
        return portal;
    }

    public Optional<Ingest> ingest() {
        return ingest;
    }

    public Optional<Backup> backup() {
        return backup;
    }

    /** The device HTTPS listener, when a role of this node mounts routes on it and it is enabled. */
    public Optional<DeviceHttps> deviceHttps() {
        return deviceHttps;
    }

    public Path home() {
        return home;
    }

    public String managementUri() {
        return managementUri;
    }

    /** Leaves the cluster, disconnects peers, stops the database; returns when all is done. */
    @Override
    public void close() {
        CoordinatedShutdown.get(Adapter.toClassic(system)).run(CoordinatedShutdown.unknownReason());
        awaitQuietly(system, system.settings().config().getDuration("ora.node.shutdown-timeout").multipliedBy(2));
    }

    /** Blocks until the node has stopped (for {@code main}). */
    public void awaitTermination() throws InterruptedException {
        try {
            system.getWhenTerminated().toCompletableFuture().get();
        } catch (ExecutionException impossible) {
            LOG.warn("actor system terminated with a failure", impossible.getCause());
        }
    }

    private static void joinCluster(ActorSystem<?> system) {
        Config config = system.settings().config();
        if (config.getBoolean("ora.node.cluster-bootstrap")) {
            ClusterBootstrap.get(Adapter.toClassic(system)).start();
        } else if (config.getList("pekko.cluster.seed-nodes").isEmpty()) {
            Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
    }

    private static boolean hasRole(ActorSystem<?> system, String role) {
        return Cluster.get(system).selfMember().hasRole(role);
    }

    /** The database and Redis outlive every actor: they are closed only once the actors have stopped. */
    private static void registerStoresStop(ActorSystem<?> system, Database database, Redis redis, Path home) {
        CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(
                CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "ora-stores-close", () -> {
                    redis.close();
                    database.close();
                    try {
                        RunFile.remove(home);
                    } catch (IOException e) {
                        LOG.warn("could not remove the run file: {}", e.getMessage());
                    }
                    return CompletableFuture.completedFuture(Done.getInstance());
                });
    }

    private static void awaitQuietly(ActorSystem<?> system, Duration timeout) {
        try {
            system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("actor system did not terminate within {}", timeout);
        }
    }
}
