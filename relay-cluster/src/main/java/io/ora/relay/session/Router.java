package io.ora.relay.session;

import io.ora.core.identity.PeerId;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * How the edge reaches peers anywhere in the cluster: it attaches a connection as a peer's session, detaches it,
 * and delivers messages to a peer by identity. The cluster implementation is {@code peer.PeerRouter}.
 */
public interface Router {

    /** Makes {@code connection} the session of {@code peer}; the peer's entity answers {@link Connection.Attached}. */
    void attach(PeerId peer, ActorRef<Connection.Command> connection);

    /** {@code connection} has closed. */
    void detach(PeerId peer, ActorRef<Connection.Command> connection);

    /** Delivers to {@code receiver}'s live connection, or reports to the envelope's sender why not. */
    void deliver(PeerId receiver, Envelope envelope);
}
