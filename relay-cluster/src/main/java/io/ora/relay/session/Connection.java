package io.ora.relay.session;

import io.ora.core.OraMessage;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A live MQTT connection as the cluster sees it: the address a sharded entity delivers to, on whichever node the
 * socket is.
 *
 * <p>The actor is a thin mailbox in front of the channel: it hands every command to the channel's event loop,
 * where all per-connection state lives, so no state is shared between the two threads. It stops when the channel
 * closes, which is how entities watching it learn that the connection is gone.
 */
public final class Connection {

    private Connection() {
    }

    /** Messages to a connection. */
    public sealed interface Command extends OraMessage
            permits Attached, Deliver, Outcome, TakenOver, Reattach, Stop {
    }

    /** The peer's entity accepted this connection as the peer's session. */
    public record Attached() implements Command {
    }

    /** Write this message to the peer. */
    public record Deliver(Envelope envelope) implements Command {
    }

    /** The outcome of a QoS 1 message this connection published. */
    public record Outcome(int packetId, DeliveryResult result) implements Command {
    }

    /** A newer connection of the same peer replaced this one. */
    public record TakenOver() implements Command {
    }

    /** The peer's entity is moving to another node: attach again so the new incarnation knows this connection. */
    public record Reattach() implements Command {
    }

    /** The channel has closed: stop the actor. */
    public record Stop() implements Command {
    }

    /**
     * A connection actor forwarding every command to {@code channel}, which must run it on the connection's event
     * loop.
     */
    public static Behavior<Command> create(Consumer<Command> channel) {
        return Behaviors.receive(Command.class)
                .onMessage(Stop.class, stop -> Behaviors.stopped())
                .onMessage(Command.class, command -> {
                    channel.accept(command);
                    return Behaviors.same();
                })
                .build();
    }
}
