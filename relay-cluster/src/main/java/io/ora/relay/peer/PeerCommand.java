package io.ora.relay.peer;

import io.ora.relay.api.HubMessage;
import io.ora.relay.delivery.Connection;
import io.ora.relay.delivery.Envelope;
import io.ora.relay.delivery.Location;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The session protocol every peer entity ({@link HubEntity}, {@link AppEntity}) understands: a connection attaches
 * and detaches, and messages are delivered into the live connection. It is the whole protocol of apps; hubs accept
 * more ({@link HubMessage}: the hub lock and the relay's own hub commands), which is why it is a {@link HubMessage}
 * too, so that it can be sent to a hub's entity.
 */
public sealed interface PeerCommand extends HubMessage
        permits PeerCommand.Attach, PeerCommand.Detach, PeerCommand.Deliver, PeerCommand.Handoff,
        ConnectionGone, IdleTimeout {

    /**
     * Make {@code connection} the peer's session; a previous connection is told it was taken over. The entity
     * replies {@link Connection.Attached} to the connection itself.
     */
    record Attach(ActorRef<Connection.Command> connection) implements PeerCommand {
    }

    /** {@code connection} closed; ignored unless it is still the current session. */
    record Detach(ActorRef<Connection.Command> connection) implements PeerCommand {
    }

    /**
     * Deliver into the peer's live connection, or report why not to the envelope's sender; tell {@code learner}
     * where the connection is, so that its edge can send the next messages there directly.
     */
    record Deliver(Envelope envelope, ActorRef<Location> learner) implements PeerCommand {
    }

    /** Sent by sharding when the entity's shard moves to another node. */
    record Handoff() implements PeerCommand {
    }
}

/** The watched connection actor stopped (its channel closed, or its node is gone). */
record ConnectionGone(ActorRef<Connection.Command> connection) implements PeerCommand {
}

/** Timer: the entity has held no connection for the idle-passivation period. */
record IdleTimeout() implements PeerCommand {
}
