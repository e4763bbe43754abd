package io.ora.relay.delivery;

import io.ora.core.identity.PeerId;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * How the edge reaches peers anywhere in the cluster: it attaches a connection as a peer's session, detaches it,
 * delivers messages to a peer by identity, and passes on a hub's OTA status check. The cluster implementation is
 * {@code peer.PeerRouter}.
 */
public interface Router {

    /** Makes {@code connection} the session of {@code peer}; the peer's entity answers {@link Connection.Attached}. */
    void attach(PeerId peer, ActorRef<Connection.Command> connection);

    /** {@code connection} has closed. */
    void detach(PeerId peer, ActorRef<Connection.Command> connection);

    /**
     * Delivers to {@code receiver}'s live connection through its entity, or reports to the envelope's sender why
     * not; when the receiver is connected, its entity also tells {@code learner} where the connection is, so the
     * next messages can go there directly.
     */
    void deliver(PeerId receiver, Envelope envelope, ActorRef<Location> learner);

    /**
     * {@code hub}, connected as {@code connection}, asked for its OTA status with a PUBLISH of QoS {@code qos}
     * (packet {@code packetId}) carrying {@code payload}, which the relay does not read. The hub's entity answers by
     * delivering the status to {@code connection} (its lock's, or the OTA desk's), which for QoS 1 also settles the
     * request's PUBACK.
     */
    void checkOta(PeerId.Hub hub, ActorRef<Connection.Command> connection, int qos, int packetId, byte[] payload);
}
