package io.ora.relay.edge;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.ora.core.identity.PeerId;
import io.ora.core.ota.OtaDesk;
import io.ora.core.telemetry.TelemetryIntake;
import io.ora.core.topic.Topics;
import io.ora.core.trace.Attribute;
import io.ora.core.trace.Operation;
import io.ora.core.trace.Trace;
import io.ora.core.trace.Traces;
import io.ora.relay.access.Scope;
import io.ora.relay.delivery.DeliveryResult;
import io.ora.relay.delivery.Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * PUBLISH from a peer: check it, authorise it against the app-hub bindings and their {@link Scope}, and hand it to
 * the receiver's entity. The payload is copied once, as opaque bytes, and never examined.
 *
 * <p>Refusals: QoS 2 and retained messages are not offered (CONNACK says so) and end an MQTT 5 connection; a topic
 * outside the namespace, an unbound receiver (or one bound for the handover flow only, with a topic outside its
 * {@code in/handover} level) or a sender over its rate limit get a PUBACK reason code for QoS 1 in
 * MQTT 5, end the connection in MQTT 3.1.1 (it has no negative acknowledgement), and for QoS 0 are dropped, except
 * that an unauthorised QoS 0 publish ends the connection with 0x87.
 *
 * <p>A hub publishing to its own {@code ota} topic is not relayed: it asks for its OTA status, which its entity
 * answers into the hub's inbox; the request's payload is ignored. Anyone else publishing there is not authorised.
 *
 * <p>A hub publishing to its own {@code telemetry} topic is not relayed either: the payload goes, unread, to the
 * ingest role ({@link TelemetryIntake}), and a QoS 1 publish is acknowledged only once the ingest has a final
 * outcome. Anyone else publishing there is not authorised.
 *
 * <p>Not a pipeline handler: the {@link MqttPacketDispatcher} calls it, on the connection's event loop.
 */
final class PublishRouting {

    private PublishRouting() {
    }

    static void handle(MqttConnection connection, MqttPublishMessage publish) {
        MqttQoS qos = publish.fixedHeader().qosLevel();
        if (qos == MqttQoS.EXACTLY_ONCE || qos == MqttQoS.FAILURE) {
            connection.edge().countRefusedPublish("qos_not_supported");
            connection.close(CloseReason.QOS_NOT_SUPPORTED);
            return;
        }
        if (publish.fixedHeader().isRetain() && connection.isMqtt5()) {
            connection.edge().countRefusedPublish("retain_not_supported");
            connection.close(CloseReason.RETAIN_NOT_SUPPORTED);
            return;
        }
        MqttProperties properties = publish.variableHeader().properties();
        if (properties.getProperty(MqttProperties.MqttPropertyType.TOPIC_ALIAS.value()) != null) {
            connection.close(CloseReason.TOPIC_ALIAS);
            return;
        }
        String topic = publish.variableHeader().topicName();
        if (topic.indexOf('\uFFFD') >= 0) {
            // The decoder replaces invalid UTF-8 with U+FFFD; MQTT requires closing on malformed UTF-8.
            connection.close(CloseReason.MALFORMED_PACKET);
            return;
        }
        int packetId = publish.variableHeader().packetId();
        boolean acknowledged = qos == MqttQoS.AT_LEAST_ONCE;
        if (acknowledged && !connection.session().awaitOutcome(packetId)) {
            // A resend (DUP) of a publish still in progress: its outcome is already on the way.
            return;
        }
        if (!connection.session().tryTakePublishToken()) {
            refuse(connection, acknowledged, packetId, DeliveryResult.SENDER_RATE_LIMITED, "rate_limited");
            return;
        }
        Optional<Topics.Destination> destination = connection.session().destination(topic);
        if (destination.isPresent() && destination.get() instanceof Topics.Destination.Ota ota) {
            checkOta(connection, ota.hub(), publish, qos, packetId);
            return;
        }
        if (destination.isPresent() && destination.get() instanceof Topics.Destination.OtaReport report) {
            submitOtaReport(connection, report.hub(), publish, acknowledged, packetId);
            return;
        }
        if (destination.isPresent() && destination.get() instanceof Topics.Destination.Telemetry telemetry) {
            submitTelemetry(connection, telemetry.hub(), publish, acknowledged, packetId);
            return;
        }
        if (destination.isEmpty() || !(destination.get() instanceof Topics.Destination.Inbox inbox)) {
            refuse(connection, acknowledged, packetId, DeliveryResult.TOPIC_INVALID, "topic_invalid");
            return;
        }
        // Each relayed message is a trace of its own: this span at the sender's edge, and the receiver's delivery
        // (on whichever node) as its child, through the trace parent the envelope carries when sampled.
        Trace trace = Traces.start(Operation.RELAY_PUBLISH)
                .tag(Attribute.PEER_KIND, connection.identity().kind())
                .tag(Attribute.MQTT_QOS, qos.value());
        byte[] payload = ByteBufUtil.getBytes(publish.payload());
        Envelope envelope = new Envelope(topic, payload, qos.value(), connection.identity().urn(),
                userProperties(properties), packetId,
                acknowledged ? Optional.of(connection.actor()) : Optional.empty(), trace.traceParent().orElse(""));
        Optional<Scope> known = connection.session().cachedScope(inbox.peer());
        if (known.isPresent()) {
            connection.edge().countScopeFromConnection();
            route(connection, inbox, envelope, known.get(), trace);
            return;
        }
        long generation = connection.edge().bindings().generation();
        CompletableFuture<Scope> asked = scope(connection, connection.identity(), inbox.peer()).toCompletableFuture();
        Scope answered = asked.isDone() && !asked.isCompletedExceptionally() ? asked.join() : null;
        if (answered != null) {
            connection.session().cacheScope(inbox.peer(), answered, generation);
            route(connection, inbox, envelope, answered, trace);
            return;
        }
        asked.whenComplete((scope, failure) -> connection.channel().eventLoop().execute(() -> {
            if (scope != null) {
                connection.session().cacheScope(inbox.peer(), scope, generation);
            }
            route(connection, inbox, envelope, scope == null ? Scope.NONE : scope, trace);
        }));
    }

    /** Sends an authorised message on its way, or refuses one the binding's scope does not cover. */
    private static void route(MqttConnection connection, Topics.Destination.Inbox inbox, Envelope envelope, Scope scope,
                              Trace trace) {
        if (scope.permits(inbox)) {
            connection.edge().countRouted();
            trace.tag(Attribute.OUTCOME, "routed");
            connection.edge().routes().deliver(inbox.peer(), envelope);
        } else {
            trace.fail("not_authorized");
            refuse(connection, envelope.qos() == 1, envelope.packetId(), DeliveryResult.NOT_AUTHORIZED,
                    "not_authorized");
        }
        trace.finish();
    }

    /**
     * Only the hub itself may ask for its OTA status. The check goes to the hub's entity (its lock decides first);
     * the relay never reads the payload, the OTA desk does.
     */
    private static void checkOta(MqttConnection connection, PeerId.Hub hub, MqttPublishMessage publish, MqttQoS qos,
                                 int packetId) {
        if (!hub.equals(connection.identity())) {
            refuse(connection, qos == MqttQoS.AT_LEAST_ONCE, packetId, DeliveryResult.NOT_AUTHORIZED, "not_authorized");
            return;
        }
        connection.edge().router().checkOta(hub, connection.actor(), qos.value(), packetId,
                ByteBufUtil.getBytes(publish.payload()));
    }

    /**
     * Only the hub itself reports its firmware outcomes. QoS 1 is acknowledged with the desk's receipt, as telemetry
     * is with the ingest's; the relay never reads the payload.
     */
    private static void submitOtaReport(MqttConnection connection, PeerId.Hub hub, MqttPublishMessage publish,
                                        boolean acknowledged, int packetId) {
        handOver(connection, hub, publish, acknowledged, packetId, connection.edge().ota()::report,
                OtaDesk.Receipt.UNAVAILABLE, connection.edge()::countOtaReport, receipt -> switch (receipt) {
                    case STORED -> DeliveryResult.DELIVERED;
                    case REJECTED -> DeliveryResult.PAYLOAD_REJECTED;
                    case UNAVAILABLE -> DeliveryResult.QUOTA_EXCEEDED;
                });
    }

    /**
     * Only the hub itself may publish its telemetry. QoS 1 is acknowledged with the ingest's outcome, on the event
     * loop like every outcome; QoS 0 is fire and forget, its outcome only counted.
     */
    private static void submitTelemetry(MqttConnection connection, PeerId.Hub hub, MqttPublishMessage publish,
                                        boolean acknowledged, int packetId) {
        handOver(connection, hub, publish, acknowledged, packetId, connection.edge().telemetry()::submit,
                TelemetryIntake.Receipt.UNAVAILABLE, connection.edge()::countTelemetry, receipt -> switch (receipt) {
                    case STORED -> DeliveryResult.DELIVERED;
                    case REJECTED -> DeliveryResult.PAYLOAD_REJECTED;
                    case UNAVAILABLE -> DeliveryResult.QUOTA_EXCEEDED;
                });
    }

    /**
     * Hands what a hub published on one of its own cloud channels to the role that takes it ({@code take}), once
     * copied: refused as not authorised from anyone but that hub; a QoS 1 publish acknowledged with the role's
     * receipt ({@code result}), on the event loop like every outcome; QoS 0 only counted. The role promises never
     * to fail; one that does anyway counts as {@code unavailable}, so the hub hears at once that it may try again
     * instead of waiting for the timeout.
     */
    private static <R> void handOver(MqttConnection connection, PeerId.Hub hub, MqttPublishMessage publish,
                                     boolean acknowledged, int packetId,
                                     BiFunction<UUID, byte[], CompletionStage<R>> take, R unavailable,
                                     Consumer<R> count, Function<R, DeliveryResult> result) {
        if (!hub.equals(connection.identity())) {
            refuse(connection, acknowledged, packetId, DeliveryResult.NOT_AUTHORIZED, "not_authorized");
            return;
        }
        byte[] payload = ByteBufUtil.getBytes(publish.payload());
        long ticket = acknowledged ? connection.session().ticket(packetId) : 0;
        take.apply(hub.uuid(), payload).whenComplete((receipt, failure) -> {
            R outcome = receipt == null ? unavailable : receipt;
            count.accept(outcome);
            if (acknowledged) {
                connection.channel().eventLoop().execute(
                        () -> connection.session().resolve(packetId, ticket, result.apply(outcome)));
            }
        });
    }

    /**
     * Apps reach hubs they are bound to and hubs reach apps bound to them, as far as the binding's scope goes (all
     * of the inbox, or only its handover level); nothing else is routed (no hub to hub, no app to app, no peer to
     * itself). A look-up that fails (the database is down) refuses, like no binding.
     */
    private static CompletionStage<Scope> scope(MqttConnection connection, PeerId sender, PeerId receiver) {
        if (sender instanceof PeerId.App app && receiver instanceof PeerId.Hub hub) {
            return connection.edge().bindings().scope(app.id(), hub.uuid());
        }
        if (sender instanceof PeerId.Hub hub && receiver instanceof PeerId.App app) {
            return connection.edge().bindings().scope(app.id(), hub.uuid());
        }
        return CompletableFuture.completedFuture(Scope.NONE);
    }

    private static void refuse(MqttConnection connection, boolean acknowledged, int packetId, DeliveryResult result,
                               String reason) {
        connection.edge().countRefusedPublish(reason);
        if (acknowledged) {
            connection.session().resolve(packetId, result);
        } else if (result == DeliveryResult.NOT_AUTHORIZED) {
            connection.close(CloseReason.NOT_AUTHORIZED);
        }
    }

    private static List<Envelope.UserProperty> userProperties(MqttProperties properties) {
        List<? extends MqttProperties.MqttProperty> given =
                properties.getProperties(MqttProperties.MqttPropertyType.USER_PROPERTY.value());
        if (given.isEmpty()) {
            return List.of();
        }
        List<Envelope.UserProperty> relayed = new ArrayList<>();
        for (MqttProperties.MqttProperty<?> property : given) {
            if (property instanceof MqttProperties.UserProperties list) {
                list.value().stream()
                        .filter(pair -> !pair.key.startsWith(EdgeContext.RESERVED_PREFIX))
                        .forEach(pair -> relayed.add(new Envelope.UserProperty(pair.key, pair.value)));
            } else if (property instanceof MqttProperties.UserProperty single
                    && !single.value().key.startsWith(EdgeContext.RESERVED_PREFIX)) {
                relayed.add(new Envelope.UserProperty(single.value().key, single.value().value));
            }
        }
        return relayed;
    }
}
