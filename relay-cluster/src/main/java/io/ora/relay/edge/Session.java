package io.ora.relay.edge;

import io.github.bucket4j.Bucket;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.concurrent.ScheduledFuture;
import io.ora.core.identity.PeerId;
import io.ora.core.limits.RateLimits;
import io.ora.core.topic.Topics;
import io.ora.core.trace.Attribute;
import io.ora.core.trace.Operation;
import io.ora.core.trace.Trace;
import io.ora.core.trace.Traces;
import io.ora.relay.access.Scope;
import io.ora.relay.delivery.Connection;
import io.ora.relay.delivery.DeliveryResult;
import io.ora.relay.delivery.Envelope;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the peer and the relay exchange over one {@link MqttConnection}: the peer's subscriptions, its rate limits,
 * and two bounded windows that give backpressure. QoS 1 publishes <em>from</em> this peer awaiting their outcome
 * (reading from the socket pauses when {@code sender-window} are outstanding), and QoS 1 deliveries <em>to</em> this
 * peer awaiting its PUBACK (beyond {@code inflight-window}, further deliveries are refused with quota exceeded).
 * QoS 0 deliveries are written only while the socket is writable, otherwise dropped and counted. Sessions are always
 * clean (docs/mqtt.md): this state lives and ends with its connection, which owns it.
 *
 * <p>Confined to the channel's event loop, like its connection: nothing here needs a lock.
 */
final class Session {

    /** Entries of a connection's own caches: a hub talks to its few apps, an app to its few hubs. */
    private static final int RECENT = 16;

    /** A receiver's access as the bindings answered it, at their {@code generation}, until {@code expiresNanos}. */
    private record KnownScope(Scope scope, long generation, long expiresNanos) {
    }

    private final MqttConnection connection;
    private final Channel channel;
    private final EdgeContext edge;
    private final PeerId identity;
    private final Map<String, MqttQoS> subscriptions = new LinkedHashMap<>();
    private final Bucket publishRate;
    /** Messages delivered into this peer: its inbound rate limit, applied wherever the sender is. */
    private final Bucket inboundRate;
    private int inflightWindow;
    /** The subscription match of the last delivered topic: a peer's deliveries mostly share one topic. */
    private String lastTopic;
    private Optional<MqttQoS> lastGranted = Optional.empty();
    /** The last delivery's sender stamp (MQTT 5 properties, or the 3.1.1 topic), for the next from the same sender. */
    private String stampedSender;
    private String stampedTopic;
    private MqttProperties senderStamp;
    private String stampedTopicName;
    /** Where the topics this peer published to last lead. */
    private final Recent<String, Optional<Topics.Destination>> destinations = new Recent<>(RECENT);
    /** The access of the receivers this peer published to last, while the bindings say it is current. */
    private final Recent<PeerId, KnownScope> scopes = new Recent<>(RECENT);
    /** QoS 1 publishes from the peer, in arrival order: PUBACKs must go out in that order (MQTT 4.6). */
    private final ArrayDeque<Outstanding> outstanding = new ArrayDeque<>();
    private final Map<Integer, Outstanding> outstandingById = new HashMap<>();
    /**
     * QoS 1 deliveries to the peer awaiting its PUBACK, by the packet id we chose, in the order they were written:
     * all wait the same time, so that is also the order of their deadlines.
     */
    private final Map<Integer, InFlight> inflight = new LinkedHashMap<>();
    /**
     * One timer per window rather than one per message (a scheduled task is an allocation and a priority-queue
     * insertion and removal on the event loop): armed for the oldest entry's deadline, it times out everything due
     * and re-arms for the next.
     */
    private ScheduledFuture<?> outstandingTimer;
    private ScheduledFuture<?> inflightTimer;
    private int nextPacketId = 1;

    private static final class Outstanding {
        private final int packetId;
        private final long ticket;
        private final long deadlineNanos;
        private final long receivedNanos;
        private DeliveryResult result;

        private Outstanding(int packetId, long ticket, long deadlineNanos, long receivedNanos) {
            this.packetId = packetId;
            this.ticket = ticket;
            this.deadlineNanos = deadlineNanos;
            this.receivedNanos = receivedNanos;
        }
    }

    /** Tells publishes apart that reuse a packet id, so a late outcome cannot settle a newer publish. */
    private long nextTicket;

    private record InFlight(Envelope envelope, long deadlineNanos) {
    }

    /** The session of {@code connection}, made by the connection itself. */
    Session(MqttConnection connection) {
        this.connection = connection;
        this.channel = connection.channel();
        this.edge = connection.edge();
        this.identity = connection.identity();
        // Both are only ever taken from on this channel's event loop (deliveries into the peer are moved there
        // too), so they need no synchronization: the cheapest bucket, on the hot path of every message.
        this.publishRate = RateLimits.confined(edge.settings().limits().publishRate(),
                edge.settings().limits().publishBurst());
        this.inboundRate = RateLimits.confined(edge.settings().limits().inboundRate(),
                edge.settings().limits().inboundBurst());
        this.inflightWindow = edge.settings().limits().inflightWindow();
    }

    /** The connection this session lives on. */
    MqttConnection connection() {
        return connection;
    }

    PeerId identity() {
        return identity;
    }

    /** The connection's cluster address, to which QoS 1 outcomes for this peer's publishes are sent. */
    ActorRef<Connection.Command> actor() {
        return connection.actor();
    }

    Channel channel() {
        return channel;
    }

    /** The peer's subscriptions, filter to granted QoS (read only: change them with {@link #subscribe}). */
    Map<String, MqttQoS> subscriptions() {
        return Collections.unmodifiableMap(subscriptions);
    }

    void subscribe(String filter, MqttQoS granted) {
        subscriptions.put(filter, granted);
        lastTopic = null;
    }

    /** Whether {@code filter} was subscribed. */
    boolean unsubscribe(String filter) {
        lastTopic = null;
        return subscriptions.remove(filter) != null;
    }

    /** The peer's CONNECT announced how many QoS 1 deliveries it takes at once: the window is no larger. */
    void limitInflight(int clientReceiveMaximum) {
        inflightWindow = Math.min(edge.settings().limits().inflightWindow(), clientReceiveMaximum);
    }

    boolean tryTakePublishToken() {
        return publishRate.tryConsume(1);
    }

    /** Where {@code topic}, which this peer publishes to, leads ({@link Topics#destination}); recent ones kept. */
    Optional<Topics.Destination> destination(String topic) {
        Optional<Topics.Destination> known = destinations.get(topic);
        if (known == null) {
            known = Topics.destination(topic);
            destinations.put(topic, known);
        }
        return known;
    }

    /**
     * The binding scope towards {@code receiver} this connection learned, while the bindings have announced no change
     * since and for no longer than their own cache keeps an answer: a peer publishes to a few receivers, and this
     * spares each PUBLISH the node-wide look-up.
     */
    Optional<Scope> cachedScope(PeerId receiver) {
        KnownScope known = scopes.get(receiver);
        if (known != null && known.generation() == edge.bindings().generation()
                && System.nanoTime() - known.expiresNanos() < 0) {
            return Optional.of(known.scope());
        }
        return Optional.empty();
    }

    /** Keeps {@code answer}, which the bindings gave for {@code receiver} when their generation was {@code asked}. */
    void cacheScope(PeerId receiver, Scope answer, long asked) {
        scopes.put(receiver, new KnownScope(answer, asked,
                System.nanoTime() + edge.bindings().answerLifetime().toNanos()));
    }

    // ---- QoS 1 publishes from this peer -------------------------------------------------------------------------

    /** A QoS 1 publish was sent into the cluster; its outcome will arrive as a {@link Connection.Outcome}. */
    boolean awaitOutcome(int packetId) {
        if (outstandingById.containsKey(packetId)) {
            return false;
        }
        // Twice the delivery timeout: the receiver's own timeout answers first, this only covers a lost answer.
        long received = now();
        long deadline = received + edge.settings().limits().deliveryTimeout().toNanos() * 2;
        Outstanding pending = new Outstanding(packetId, ++nextTicket, deadline, received);
        outstanding.addLast(pending);
        outstandingById.put(packetId, pending);
        if (outstandingTimer == null) {
            outstandingTimer = schedule(this::onOutstandingDue, deadline);
        }
        if (outstanding.size() >= edge.settings().limits().senderWindow()) {
            channel.config().setAutoRead(false);
        }
        return true;
    }

    /** Settles a QoS 1 publish registered with {@link #awaitOutcome} that this node refused itself. */
    void resolve(int packetId, DeliveryResult result) {
        onOutcome(packetId, result);
    }

    /**
     * The ticket of the QoS 1 publish now awaiting its outcome under {@code packetId} (just registered with
     * {@link #awaitOutcome}); hand it back to {@link #resolve(int, long, DeliveryResult)}.
     */
    long ticket(int packetId) {
        return outstandingById.get(packetId).ticket;
    }

    /**
     * Settles the publish {@code ticket} names, if it is still waiting. An outcome that arrives after its publish
     * timed out, when the peer may already have reused the packet id for a new publish, changes nothing: it must not
     * acknowledge the new one (for telemetry, before that one is stored).
     */
    void resolve(int packetId, long ticket, DeliveryResult result) {
        Outstanding pending = outstandingById.get(packetId);
        if (pending != null && pending.ticket == ticket) {
            onOutcome(packetId, result);
        }
    }

    private void onOutcome(int packetId, DeliveryResult result) {
        Outstanding pending = outstandingById.get(packetId);
        if (pending == null || pending.result != null) {
            return;
        }
        pending.result = result;
        edge.countOutcome(result, now() - pending.receivedNanos);
        while (!outstanding.isEmpty() && outstanding.peekFirst().result != null) {
            Outstanding done = outstanding.removeFirst();
            outstandingById.remove(done.packetId);
            if (!acknowledge(done.packetId, done.result)) {
                return;
            }
        }
        if (outstanding.size() < edge.settings().limits().senderWindow() && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
    }

    /**
     * Sends the PUBACK. MQTT 3.1.1 cannot carry a failure in a PUBACK, so a failed delivery closes the connection
     * instead (the client sees no PUBACK and resends after reconnecting). "No subscribers" is not a failure there,
     * and a refused telemetry payload is acknowledged too: resending it could never succeed, so a client made to
     * resend it would do so after every reconnect.
     */
    private boolean acknowledge(int packetId, DeliveryResult result) {
        if (connection.state() == MqttConnection.State.CLOSED) {
            return false;
        }
        if (connection.isMqtt5()) {
            channel.writeAndFlush(MqttMessageBuilders.pubAck().packetId(packetId)
                    .reasonCode(ReasonCodes.pubAck(result)).build());
            return true;
        }
        if (result == DeliveryResult.DELIVERED || result == DeliveryResult.NO_SUBSCRIBERS
                || result == DeliveryResult.PAYLOAD_REJECTED) {
            channel.writeAndFlush(MqttMessageBuilders.pubAck().packetId(packetId).build());
            return true;
        }
        connection.close(CloseReason.PUBLISH_FAILED);
        return false;
    }

    // ---- deliveries to this peer ---------------------------------------------------------------------------------

    /**
     * Writes a message to this peer, whoever sent it and from wherever (on this connection's event loop), or tells
     * its sender why not: not connected, no matching subscription, over the inbound rate, or no room. A message
     * that came by a learned location ({@code direct}) to a connection that is no longer the peer's session goes to
     * the peer's entity instead, which knows the current one.
     */
    void receive(Envelope envelope, boolean direct) {
        if (envelope.traceParent().isEmpty()) {
            deliver(envelope, direct);
            return;
        }
        Trace trace = Traces.continueFrom(Operation.RELAY_DELIVER, Optional.of(envelope.traceParent()))
                .tag(Attribute.PEER_KIND, identity.kind())
                .tag(Attribute.MQTT_QOS, envelope.qos());
        try (Trace.Scope scope = trace.open()) {
            trace.tag(Attribute.OUTCOME, deliver(envelope, direct));
        } finally {
            trace.finish();
        }
    }

    /** {@link #receive}, answering how it went as the span records it. */
    private String deliver(Envelope envelope, boolean direct) {
        if (connection.state() != MqttConnection.State.CONNECTED) {
            if (direct && connection.state() == MqttConnection.State.CLOSED) {
                edge.routes().throughEntity(identity, envelope);
                return "redirected";
            }
            return refuse(envelope, DeliveryResult.NO_SUBSCRIBERS);
        }
        String topic = connection.isMqtt5() ? envelope.topic() : legacyTopic(envelope);
        Optional<MqttQoS> granted = grantedQos(topic);
        if (granted.isEmpty()) {
            return refuse(envelope, DeliveryResult.NO_SUBSCRIBERS);
        }
        // The relay's own answers (the OTA status) are not the senders' traffic the limit is for.
        if (!Envelope.RELAY_SENDER.equals(envelope.sender()) && !inboundRate.tryConsume(1)) {
            return refuse(envelope, DeliveryResult.RATE_LIMITED);
        }
        MqttQoS qos = envelope.qos() == 0 ? MqttQoS.AT_MOST_ONCE : granted.get();
        if (!channel.isWritable() || (qos == MqttQoS.AT_MOST_ONCE && edge.shedding())) {
            return refuse(envelope, DeliveryResult.QUOTA_EXCEEDED);
        }
        if (qos == MqttQoS.AT_LEAST_ONCE && inflight.size() >= inflightWindow) {
            return refuse(envelope, DeliveryResult.QUOTA_EXCEEDED);
        }
        int packetId = qos == MqttQoS.AT_LEAST_ONCE ? allocatePacketId() : 0;
        MqttMessage publish = MqttMessageBuilders.publish()
                .topicName(topic)
                .qos(qos)
                .retained(false)
                .messageId(packetId)
                .payload(Unpooled.wrappedBuffer(envelope.payload()))
                .properties(deliveryProperties(envelope))
                .build();
        if (qos == MqttQoS.AT_LEAST_ONCE) {
            long deadline = now() + edge.settings().limits().deliveryTimeout().toNanos();
            inflight.put(packetId, new InFlight(envelope, deadline));
            if (inflightTimer == null) {
                inflightTimer = schedule(this::onInflightDue, deadline);
            }
            channel.writeAndFlush(publish);
            return "sent";
        }
        channel.writeAndFlush(publish);
        edge.routes().reply(envelope, DeliveryResult.DELIVERED);
        edge.countDelivered();
        return "delivered";
    }

    private String refuse(Envelope envelope, DeliveryResult result) {
        edge.routes().reply(envelope, result);
        edge.countRefused(result);
        return result.name().toLowerCase(Locale.ROOT);
    }

    /** PUBACK from the peer: completes one of its QoS 1 deliveries and reports the outcome to the sender. */
    void onPubAck(MqttMessage pubAck) {
        if (pubAck.variableHeader() instanceof MqttMessageIdVariableHeader header) {
            onPubAck(header.messageId(), header instanceof MqttPubReplyMessageVariableHeader reply
                    ? reply.reasonCode() : (byte) 0);
        }
    }

    private void onPubAck(int packetId, byte reasonCode) {
        InFlight delivery = inflight.remove(packetId);
        if (delivery == null) {
            return;
        }
        if (ReasonCodes.isSuccess(reasonCode)) {
            edge.routes().reply(delivery.envelope(), DeliveryResult.DELIVERED);
            edge.countDelivered();
        } else {
            refuse(delivery.envelope(), DeliveryResult.RECEIVER_FAILED);
        }
    }

    /** Times out the deliveries to this peer that are due, oldest first, and waits for the next one's deadline. */
    private void onInflightDue() {
        inflightTimer = null;
        long now = now();
        var entries = inflight.values().iterator();
        while (entries.hasNext()) {
            InFlight delivery = entries.next();
            if (delivery.deadlineNanos() - now > 0) {
                inflightTimer = schedule(this::onInflightDue, delivery.deadlineNanos());
                return;
            }
            entries.remove();
            refuse(delivery.envelope(), DeliveryResult.TIMED_OUT);
        }
    }

    /** Times out this peer's QoS 1 publishes whose outcome is overdue, and waits for the next one's deadline. */
    private void onOutstandingDue() {
        outstandingTimer = null;
        long now = now();
        for (Outstanding pending : List.copyOf(outstanding)) {
            if (pending.result != null) {
                continue;
            }
            if (pending.deadlineNanos - now > 0) {
                outstandingTimer = schedule(this::onOutstandingDue, pending.deadlineNanos);
                return;
            }
            onOutcome(pending.packetId, DeliveryResult.TIMED_OUT);
        }
    }

    /** The event loop's clock, the one its scheduled tasks run by (tests advance it). */
    private long now() {
        return channel.eventLoop().ticker().nanoTime();
    }

    private ScheduledFuture<?> schedule(Runnable task, long deadlineNanos) {
        return channel.eventLoop().schedule(task, Math.max(0, deadlineNanos - now()),
                TimeUnit.NANOSECONDS);
    }

    private Optional<MqttQoS> grantedQos(String topic) {
        if (topic.equals(lastTopic)) {
            return lastGranted;
        }
        lastGranted = matchSubscriptions(topic);
        lastTopic = topic;
        return lastGranted;
    }

    private Optional<MqttQoS> matchSubscriptions(String topic) {
        MqttQoS best = null;
        for (Map.Entry<String, MqttQoS> subscription : subscriptions.entrySet()) {
            if (Topics.matches(subscription.getKey(), topic)
                    && (best == null || subscription.getValue().value() > best.value())) {
                best = subscription.getValue();
            }
        }
        return Optional.ofNullable(best);
    }

    /** MQTT 3.1.1 has no user properties: the verified sender is the topic's last level. */
    private String legacyTopic(Envelope envelope) {
        if (!envelope.topic().equals(stampedTopic) || !envelope.sender().equals(stampedSender)) {
            stampedTopic = envelope.topic();
            stampedSender = envelope.sender();
            stampedTopicName = envelope.topic() + "/" + envelope.sender();
            senderStamp = null;
        }
        return stampedTopicName;
    }

    private MqttProperties deliveryProperties(Envelope envelope) {
        if (!connection.isMqtt5()) {
            return MqttProperties.NO_PROPERTIES;
        }
        if (envelope.userProperties().isEmpty()) {
            // Most messages carry no properties of their own: the stamp alone, built once per sender (the encoder
            // only reads it).
            if (senderStamp == null || !envelope.sender().equals(stampedSender)) {
                stampedSender = envelope.sender();
                stampedTopic = null;
                senderStamp = stamp(envelope);
            }
            return senderStamp;
        }
        return stamp(envelope);
    }

    private static MqttProperties stamp(Envelope envelope) {
        MqttProperties properties = new MqttProperties();
        MqttProperties.UserProperties user = new MqttProperties.UserProperties();
        envelope.userProperties().forEach(property -> user.add(property.name(), property.value()));
        user.add(EdgeContext.SENDER_PROPERTY, envelope.sender());
        properties.add(user);
        return properties;
    }

    private int allocatePacketId() {
        while (inflight.containsKey(nextPacketId)) {
            nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
        }
        int id = nextPacketId;
        nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
        return id;
    }

    // ---- end of life ---------------------------------------------------------------------------------------------

    /** The connection closed: everyone waiting on a delivery to this peer is told, the windows are emptied. */
    void closed() {
        inflight.values().forEach(delivery ->
                edge.routes().reply(delivery.envelope(), DeliveryResult.RECEIVER_FAILED));
        inflight.clear();
        if (inflightTimer != null) {
            inflightTimer.cancel(false);
        }
        if (outstandingTimer != null) {
            outstandingTimer.cancel(false);
        }
        outstanding.clear();
        outstandingById.clear();
    }
}
