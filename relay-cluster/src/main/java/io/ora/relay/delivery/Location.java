package io.ora.relay.delivery;

import io.ora.core.OraMessage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Where a peer's live connection is: told by the peer's sharded entity to the edge that routed a message through
 * it, so that the edge sends the next messages to the connection directly (the data plane) instead of through the
 * entity (the control plane). A location is only a hint: it is dropped when the connection stops, and a message
 * sent to a connection that is no longer the peer's session is answered as undeliverable, never misdelivered.
 *
 * @param peer       the peer's identity URN
 * @param connection its live connection, on whichever node the socket is
 */
public record Location(String peer, ActorRef<Connection.Command> connection) implements OraMessage {
}
