package io.ora.relay.edge;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.EventLoop;
import io.ora.core.identity.PeerId;
import io.ora.core.metrics.Metrics;
import io.ora.relay.delivery.Connection;
import io.ora.relay.delivery.DeliveryResult;
import io.ora.relay.delivery.Envelope;
import io.ora.relay.delivery.Location;
import io.ora.relay.delivery.Router;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The relay's data plane on this node: where peers' live connections are, so that a message goes from the
 * sender's connection straight to the receiver's, without passing through the receiver's sharded entity (the
 * control plane, which decides who holds a peer's session).
 *
 * <ul>
 *   <li>A receiver whose location is not known yet is reached through its entity, which delivers the message and
 *       tells this node's learner where the connection is ({@link Location}); the next messages go there
 *       directly.</li>
 *   <li>A connection on this node is reached on its own event loop, with no actor in between; one on another node
 *       by one message to its connection actor (Artery batches them on the wire).</li>
 *   <li>A location is dropped when its connection stops: on this node at once, when the session closes (before its
 *       actor stops), and for another node's connections when death watch reports it. A message that reaches a
 *       connection that is no longer the peer's session (taken over, closing) goes on through the peer's entity,
 *       once, as if its location had not been known; one sent in the moment between a remote connection's actor
 *       stopping and its death being reported is lost like any message to a vanished node, and its QoS 1 sender
 *       gets a timeout.</li>
 *   <li>Outcomes for QoS 1 senders on this node go straight to their event loop too.</li>
 * </ul>
 *
 * <p>Bounded: at most {@code capacity} locations are kept; beyond that, receivers are reached through their
 * entities until some locations are dropped.
 */
final class Routes {

    private static final AtomicLong LISTENERS = new AtomicLong();

    /**
     * A receiver's connection, and its session when it is on this node (resolved when the location is learned, so
     * a delivery costs one look-up).
     */
    private record Route(ActorRef<Connection.Command> connection, Session session) {
    }

    /** Connections of this node, by their cluster-addressable actor. */
    private final Map<ActorRef<Connection.Command>, Session> local = new ConcurrentHashMap<>();
    /** Learned locations of receivers, here or on other nodes. */
    private final Map<PeerId, Route> locations = new ConcurrentHashMap<>();
    private final Router router;
    private final ActorRef<Location> learner;
    private final int capacity;
    private final Counter viaEntity;
    private final Counter toThisNode;
    private final Counter toOtherNode;

    Routes(Router router, ActorSystem<?> system, int capacity, Metrics metrics) {
        this.router = router;
        this.capacity = capacity;
        // Numbered: an actor system may hold more than one listener (tests do).
        this.learner = system.systemActorOf(learner(), "ora-relay-routes-" + LISTENERS.incrementAndGet(),
                Props.empty());
        String name = "ora_relay_routed_total";
        String help = "Messages sent towards their receiver, by the way they went: through the receiver's entity "
                + "(its location not known here yet), or straight to its connection on this node or another";
        this.viaEntity = metrics.counter(name, help, "via", "entity");
        this.toThisNode = metrics.counter(name, help, "via", "this_node");
        this.toOtherNode = metrics.counter(name, help, "via", "other_node");
        metrics.gauge("ora_relay_routes_known", "Receivers whose connection this node knows where to find",
                locations::size);
    }

    /**
     * {@code session}'s connection actor now exists on this node. A location learned for the same peer is stale
     * from now on (this connection is about to take the session over), so it is dropped at once.
     */
    void register(Session session) {
        local.put(session.actor(), session);
        locations.remove(session.identity());
    }

    /** {@code session} is closing: nothing may be routed to it any more, from this node at once. */
    void unregister(Session session) {
        if (session.actor() != null) {
            local.remove(session.actor());
            locations.computeIfPresent(session.identity(),
                    (peer, route) -> route.connection().equals(session.actor()) ? null : route);
        }
    }

    /** Sends {@code envelope} to {@code receiver}'s live connection, wherever it is. */
    void deliver(PeerId receiver, Envelope envelope) {
        Route route = locations.get(receiver);
        if (route == null) {
            throughEntity(receiver, envelope);
            return;
        }
        Session session = route.session();
        if (session == null) {
            toOtherNode.increment();
            route.connection().tell(new Connection.Forward(envelope));
            return;
        }
        toThisNode.increment();
        EventLoop loop = session.channel().eventLoop();
        if (loop.inEventLoop()) {
            session.receive(envelope, true);
        } else {
            loop.execute(() -> session.receive(envelope, true));
        }
    }

    /** Sends {@code envelope} to {@code receiver} through its entity: its learned location was stale. */
    void throughEntity(PeerId receiver, Envelope envelope) {
        viaEntity.increment();
        router.deliver(receiver, envelope, learner);
    }

    /** Reports {@code result} to the QoS 1 sender of {@code envelope}, if it asked for one. */
    void reply(Envelope envelope, DeliveryResult result) {
        if (envelope.replyTo().isEmpty()) {
            return;
        }
        Session sender = local.get(envelope.replyTo().get());
        if (sender == null) {
            envelope.reply(result);
            return;
        }
        EventLoop loop = sender.channel().eventLoop();
        if (loop.inEventLoop()) {
            sender.resolve(envelope.packetId(), result);
        } else {
            loop.execute(() -> sender.resolve(envelope.packetId(), result));
        }
    }

    /**
     * Keeps learned locations and drops each when death watch reports its connection stopped. The actor only
     * watches; senders read the map on their own threads.
     */
    private Behavior<Location> learner() {
        return Behaviors.setup(context -> {
            Map<ActorRef<?>, PeerId> watched = new HashMap<>();
            return Behaviors.receive(Location.class)
                    .onMessage(Location.class, location -> {
                        Optional<PeerId> peer = PeerId.fromUrn(location.peer());
                        ActorRef<Connection.Command> connection = location.connection();
                        if (peer.isPresent() && (locations.size() < capacity || locations.containsKey(peer.get()))) {
                            locations.put(peer.get(), new Route(connection, local.get(connection)));
                            if (watched.put(connection, peer.get()) == null) {
                                context.watch(connection);
                            }
                        }
                        return Behaviors.same();
                    })
                    .onSignal(Terminated.class, stopped -> {
                        PeerId peer = watched.remove(stopped.getRef());
                        if (peer != null) {
                            locations.computeIfPresent(peer,
                                    (key, route) -> route.connection().equals(stopped.getRef()) ? null : route);
                        }
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
