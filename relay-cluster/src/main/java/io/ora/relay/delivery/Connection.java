package io.ora.relay.delivery;

import io.ora.core.OraMessage;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A live MQTT connection as the cluster sees it: the address a sharded entity delivers to, on whichever node the
 * socket is.
 *
 * <p>The actor is a thin mailbox in front of the channel: it hands every command to the channel's event loop,
 * where all per-connection state lives, so no state is shared between the two threads. When the channel closes it
 * lingers for {@link #LINGER} before it stops (which is how entities and edges watching it learn that the
 * connection is gone): messages that other nodes sent it by a location learned before then are still answered, or
 * passed on to the peer's entity, instead of vanishing as dead letters.
 */
public final class Connection {

    private Connection() {
    }

    /** Messages to a connection. */
    public sealed interface Command extends OraMessage
            permits Attached, Deliver, Forward, Outcome, TakenOver, Reattach, Stop, Stopped {
    }

    /** The peer's entity accepted this connection as the peer's session. */
    public record Attached() implements Command {
    }

    /** Write this message to the peer (sent by the peer's entity). */
    public record Deliver(Envelope envelope) implements Command {
    }

    /**
     * Write this message to the peer: sent straight here by an edge that learned this connection's
     * {@link Location}. If this connection is no longer the peer's session (taken over, closing), it passes the
     * message to the peer's entity instead, once, which delivers it to the current session or answers it.
     */
    public record Forward(Envelope envelope) implements Command {
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

    /** The channel has closed: stop the actor once it has lingered. */
    public record Stop() implements Command {
    }

    /** Timer: the actor has lingered long enough. Sent only by the actor to itself. */
    record Stopped() implements Command {
    }

    /**
     * How long a connection's actor outlives its channel: longer than death watch takes to reach the other nodes
     * (one message over Artery), short enough that a storm of short connections leaves few behind.
     */
    public static final Duration LINGER = Duration.ofSeconds(2);

    /**
     * A connection actor forwarding every command to {@code channel}, which must run it on the connection's event
     * loop (and answer it as a closed connection once the channel has closed).
     */
    public static Behavior<Command> create(Consumer<Command> channel) {
        return Behaviors.withTimers(timers -> Behaviors.receive(Command.class)
                .onMessage(Stop.class, stop -> {
                    timers.startSingleTimer(new Stopped(), LINGER);
                    return Behaviors.same();
                })
                .onMessage(Stopped.class, stopped -> Behaviors.stopped())
                .onMessage(Command.class, command -> {
                    channel.accept(command);
                    return Behaviors.same();
                })
                .build());
    }
}
