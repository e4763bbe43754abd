package io.ora.relay.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.ora.core.metrics.Metrics;
import io.ora.core.ota.OtaDesk;
import io.ora.core.telemetry.TelemetryIntake;
import io.ora.relay.RelaySettings;
import io.ora.relay.access.Bindings;
import io.ora.relay.delivery.Connection;
import io.ora.relay.delivery.DeliveryResult;
import io.ora.relay.delivery.Router;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.MailboxSelector;

/**
 * What every handler of the edge shares, built once per listener: settings, the router into the cluster, the
 * binding look-up, the telemetry intake, and the counters (created up front so the per-message path only
 * increments).
 */
final class EdgeContext {

    /** MQTT 5 user property carrying the verified sender's identity on every delivery. */
    static final String SENDER_PROPERTY = "ora-sender";
    /** Prefix of user properties only the relay may set; a sender's own are dropped. */
    static final String RESERVED_PREFIX = "ora-";

    /** Why the edge refuses a PUBLISH (docs/operations.md). */
    static final List<String> PUBLISH_REFUSALS = List.of("not_authorized", "topic_invalid", "rate_limited",
            "qos_not_supported", "retain_not_supported");

    /** The connections' actors' mailbox: Pekko's unbounded one, counted ({@code ora_relay_mailbox_messages}). */
    private static final MailboxSelector CONNECTION_MAILBOX =
            MailboxSelector.fromConfig("ora.relay.mailboxes.connections");

    private final RelaySettings settings;
    private final Router router;
    private final Routes routes;
    private final Bindings bindings;
    private final TelemetryIntake telemetry;
    private final OtaDesk ota;
    private final Metrics metrics;
    private final ActorSystem<?> system;
    private final BooleanSupplier shedding;
    private final AtomicLong connectionNames = new AtomicLong();
    private final Counter routed;
    private final Counter scopesFromConnection;
    private final Counter delivered;
    private final Map<DeliveryResult, Counter> refused = new EnumMap<>(DeliveryResult.class);
    private final Map<DeliveryResult, Counter> outcomes = new EnumMap<>(DeliveryResult.class);
    private final Timer settledIn;
    private final Map<TelemetryIntake.Receipt, Counter> telemetryReceipts =
            new EnumMap<>(TelemetryIntake.Receipt.class);

    private final Map<OtaDesk.Receipt, Counter> otaReports = new EnumMap<>(OtaDesk.Receipt.class);

    EdgeContext(RelaySettings settings, Router router, Bindings bindings, TelemetryIntake telemetry, OtaDesk ota,
                Metrics metrics, ActorSystem<?> system, BooleanSupplier shedding) {
        this.settings = settings;
        this.router = router;
        // Locations of the receivers this node's senders reach: a few per connection.
        this.routes = new Routes(router, system, 4 * settings.limits().maxConnections(), metrics);
        this.bindings = bindings;
        this.telemetry = telemetry;
        this.ota = ota;
        this.metrics = metrics;
        this.system = system;
        this.shedding = shedding;
        this.routed = metrics.counter("ora_relay_messages_routed_total",
                "PUBLISH packets accepted from a peer and sent towards their receiver");
        // The same family as the bindings' own levels (local, redis, database): one look-up per app-hub PUBLISH.
        this.scopesFromConnection = metrics.counter("ora_relay_access_lookups_total",
                "App-hub access look-ups (one per app-hub PUBLISH), by the level that answered",
                "answered_by", "connection");
        this.delivered = metrics.counter("ora_relay_deliveries_total",
                "Messages written to (QoS 0) or acknowledged by (QoS 1) their receiver");
        for (DeliveryResult result : DeliveryResult.values()) {
            refused.put(result, metrics.counter("ora_relay_deliveries_refused_total",
                    "Messages the relay could not deliver, by reason", "reason", result.label()));
            outcomes.put(result, metrics.counter("ora_relay_publish_outcomes_total",
                    "Outcomes reported to QoS 1 senders, by result", "result", result.label()));
        }
        // Known reasons' series from the start, at 0, for rates and alerts; a new reason adds its own when it happens.
        PUBLISH_REFUSALS.forEach(reason -> metrics.counter("ora_relay_publishes_refused_total",
                "PUBLISH packets refused at the edge, by reason", "reason", reason));
        CloseReason.labels().forEach(reason -> metrics.counter("ora_relay_connections_closed_total",
                "Connections the relay closed, by reason", "reason", reason));
        this.settledIn = metrics.timer("ora_relay_delivery_seconds",
                "QoS 1 PUBLISH from its arrival to its outcome (the PUBACK's reason), relayed or telemetry",
                "qos", "1");
        for (TelemetryIntake.Receipt receipt : TelemetryIntake.Receipt.values()) {
            telemetryReceipts.put(receipt, metrics.counter("ora_relay_telemetry_total",
                    "Telemetry payloads handed to the ingest role, by its receipt",
                    "receipt", receipt.name().toLowerCase(Locale.ROOT)));
        }
        for (OtaDesk.Receipt receipt : OtaDesk.Receipt.values()) {
            otaReports.put(receipt, metrics.counter("ora_relay_ota_reports_total",
                    "Firmware outcome reports handed to the OTA desk, by its receipt",
                    "receipt", receipt.name().toLowerCase(Locale.ROOT)));
        }
    }

    RelaySettings settings() {
        return settings;
    }

    Router router() {
        return router;
    }

    /** The data plane: deliveries and QoS 1 outcomes, straight to connections where their location is known. */
    Routes routes() {
        return routes;
    }

    Bindings bindings() {
        return bindings;
    }

    /** Where hubs' telemetry goes: the ingest role, or an intake that takes nothing. */
    TelemetryIntake telemetry() {
        return telemetry;
    }

    /** Where hubs' firmware reports go: the portal's OTA desk, or one that takes nothing. */
    OtaDesk ota() {
        return ota;
    }

    void countOtaReport(OtaDesk.Receipt receipt) {
        otaReports.get(receipt).increment();
    }

    Metrics metrics() {
        return metrics;
    }

    /** Whether the node is shedding load (heap above its threshold). */
    boolean shedding() {
        return shedding.getAsBoolean();
    }

    /** Spawns the cluster-addressable actor of a new connection. */
    ActorRef<Connection.Command> spawnConnection(Consumer<Connection.Command> channel) {
        return system.systemActorOf(Connection.create(channel), "mqtt-" + connectionNames.incrementAndGet(),
                CONNECTION_MAILBOX);
    }

    /** Counts a connection the relay closed, by reason. */
    void count(String closeReason) {
        metrics.counter("ora_relay_connections_closed_total", "Connections the relay closed, by reason",
                "reason", closeReason).increment();
    }

    /** Counts a publish refused at the edge, by reason. */
    void countRefusedPublish(String reason) {
        metrics.counter("ora_relay_publishes_refused_total", "PUBLISH packets refused at the edge, by reason",
                "reason", reason).increment();
    }

    void countRouted() {
        routed.increment();
    }

    /** An app-hub PUBLISH whose access the sending connection already knew. */
    void countScopeFromConnection() {
        scopesFromConnection.increment();
    }

    void countDelivered() {
        delivered.increment();
    }

    void countRefused(DeliveryResult result) {
        refused.get(result).increment();
    }

    /** Counts a QoS 1 publish's outcome, {@code nanos} after it arrived. */
    void countOutcome(DeliveryResult result, long nanos) {
        outcomes.get(result).increment();
        settledIn.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts what the ingest role made of one telemetry payload; called on whichever thread the intake answers. */
    void countTelemetry(TelemetryIntake.Receipt receipt) {
        telemetryReceipts.get(receipt).increment();
    }
}
