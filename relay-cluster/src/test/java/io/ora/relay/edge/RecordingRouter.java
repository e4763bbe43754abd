package io.ora.relay.edge;

import io.ora.core.identity.PeerId;
import io.ora.relay.delivery.Connection;
import io.ora.relay.delivery.Envelope;
import io.ora.relay.delivery.Location;
import io.ora.relay.delivery.Router;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A {@link Router} standing in for the cluster: it remembers every call and accepts every attach at once, as a
 * peer's entity would when no other connection holds the session (unless told to stay silent, like an entity that
 * cannot be reached). Deliveries and OTA checks are recorded, never answered, so a test decides each outcome itself
 * (through {@link Envelope#reply}, or by telling the checking connection).
 */
final class RecordingRouter implements Router {

    /** One call to {@link #deliver}. */
    record Delivery(PeerId receiver, Envelope envelope) {
    }

    /** One call to {@link #checkOta}. */
    record OtaCheck(PeerId.Hub hub, ActorRef<Connection.Command> connection, int qos, int packetId,
                    byte[] payload) {
    }

    private final List<PeerId> attached = new CopyOnWriteArrayList<>();
    private final List<PeerId> detached = new CopyOnWriteArrayList<>();
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final List<OtaCheck> otaChecks = new CopyOnWriteArrayList<>();
    private volatile boolean answerAttach = true;

    @Override
    public void attach(PeerId peer, ActorRef<Connection.Command> connection) {
        attached.add(peer);
        if (answerAttach) {
            connection.tell(new Connection.Attached());
        }
    }

    /** From now on attaches are recorded but never answered. */
    void stopAnsweringAttach() {
        answerAttach = false;
    }

    @Override
    public void detach(PeerId peer, ActorRef<Connection.Command> connection) {
        detached.add(peer);
    }

    @Override
    public void deliver(PeerId receiver, Envelope envelope, ActorRef<Location> learner) {
        deliveries.add(new Delivery(receiver, envelope));
    }

    @Override
    public void checkOta(PeerId.Hub hub, ActorRef<Connection.Command> connection, int qos, int packetId,
                         byte[] payload) {
        otaChecks.add(new OtaCheck(hub, connection, qos, packetId, payload));
    }

    List<PeerId> attached() {
        return attached;
    }

    List<PeerId> detached() {
        return detached;
    }

    List<Delivery> deliveries() {
        return deliveries;
    }

    List<OtaCheck> otaChecks() {
        return otaChecks;
    }
}
