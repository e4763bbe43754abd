package io.ora.relay.peer;

import io.micrometer.core.instrument.Counter;
import io.ora.core.metrics.Metrics;
import io.ora.relay.api.HubLocks;
import org.apache.pekko.actor.typed.MailboxSelector;
import io.ora.relay.delivery.Connection;
import io.ora.relay.delivery.DeliveryResult;
import io.ora.relay.delivery.Envelope;
import io.ora.relay.delivery.Location;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The live-session half of a peer entity, the relay's control plane: which connection is current, takeover, and
 * where deliveries go. The data plane does not pass through here: an edge routes a message through the entity only
 * until it has learned the connection's {@link Location}, then straight to the connection. Not durable by design: a
 * connection cannot outlive its socket, so after a crash or a rebalance the peer's connection re-attaches (or
 * reconnects) and the session is rebuilt from that.
 *
 * <p>Owned by one entity and only touched from its actor thread. Every kind of peer entity is registered
 * ({@link #register}) and built ({@link #entity}) here, so hubs and apps share one life cycle and differ only in the
 * messages a kind adds.
 */
final class PeerSession<C> {

    private final ActorContext<C> context;
    private final TimerScheduler<C> timers;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final Function<ActorRef<Connection.Command>, C> gone;
    private final C idleTimeout;
    private final Duration idlePassivation;
    private final String peer;
    private final Counter noSubscribers;
    private final Counter stopped;
    private Optional<ActorRef<Connection.Command>> connection = Optional.empty();

    private PeerSession(String type, String peer, ActorContext<C> context, TimerScheduler<C> timers,
                        ActorRef<ClusterSharding.ShardCommand> shard, Function<ActorRef<Connection.Command>, C> gone,
                        C idleTimeout, PeerSettings settings) {
        this.context = context;
        this.timers = timers;
        this.shard = shard;
        this.gone = gone;
        this.idleTimeout = idleTimeout;
        this.idlePassivation = settings.idlePassivation();
        this.peer = peer;
        Metrics metrics = settings.metrics();
        this.noSubscribers = refused(metrics, DeliveryResult.NO_SUBSCRIBERS);
        this.stopped = stopped(metrics, type);
        started(metrics, type).increment();
        startIdleTimer();
    }

    /**
     * Sharding settings for peer entities. They passivate themselves, once they have held no connection for
     * {@code idle-passivation}; sharding's own idle passivation must stay off, or it would stop an entity whose
     * connection is live but quiet and make the connection re-attach to a fresh incarnation (journal recovery and
     * all) every few minutes. Set here rather than in config: a library's {@code reference.conf}, merged into the
     * node's jar after ours, replaced the config key, and this is a property of the entity, not a choice.
     */
    static ClusterShardingSettings shardingSettings(ActorSystem<?> system) {
        return ClusterShardingSettings.create(system).withNoPassivationStrategy();
    }

    /**
     * Registers a kind of peer entity with cluster sharding: on the relay's nodes only ({@link HubLocks#ROLE}), with
     * its own passivation ({@link #shardingSettings}), the counted mailbox, and {@link PeerCommand.Handoff} as the
     * stop message, so a moving shard lets the connection re-attach.
     *
     * @param widen a session command as the kind's own message type ({@code command -> command})
     */
    static <C> void register(ActorSystem<?> system, EntityTypeKey<C> key,
                             Function<EntityContext<C>, Behavior<C>> create, Function<PeerCommand, C> widen) {
        ClusterSharding.get(system).init(Entity.of(key, create::apply)
                .withSettings(shardingSettings(system))
                .withRole(HubLocks.ROLE)
                .withEntityProps(MAILBOX)
                .withStopMessage(widen.apply(new PeerCommand.Handoff())));
    }

    /** What a kind of peer adds to the session's life cycle: its own messages' handlers. */
    @FunctionalInterface
    interface Handlers<C> {
        /**
         * Adds the handlers of the kind's messages, the session's included ({@code onMessage(PeerCommand.class,
         * session::handle)}: only the kind's own type can name {@link PeerCommand} as one of its messages).
         */
        BehaviorBuilder<C> add(BehaviorBuilder<C> receive, ActorContext<C> context, PeerSession<C> session);
    }

    /**
     * The behaviour of one peer entity: a session for {@code peer} (counted under {@code type}) whose private
     * messages reach it as {@code widen} makes them, the kind's {@code handlers}, and the stop counted.
     */
    static <C> Behavior<C> entity(Class<C> protocol, String type, String peer, EntityContext<C> entity,
                                  PeerSettings settings, Function<PeerCommand, C> widen, Handlers<C> handlers) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            PeerSession<C> session = new PeerSession<>(type, peer, context, timers, entity.getShard(),
                    connection -> widen.apply(new ConnectionGone(connection)), widen.apply(new IdleTimeout()),
                    settings);
            return handlers.add(Behaviors.receive(protocol), context, session)
                    .onSignal(PostStop.class, stop -> {
                        session.onStopped();
                        return Behaviors.same();
                    })
                    .build();
        }));
    }

    /** The session protocol, the same for every peer entity: what it does, and whether the entity goes on. */
    Behavior<C> handle(PeerCommand command) {
        if (command instanceof PeerCommand.Attach attach) {
            attach(attach.connection());
        } else if (command instanceof PeerCommand.Detach detach) {
            detach(detach.connection());
        } else if (command instanceof ConnectionGone gone) {
            detach(gone.connection());
        } else if (command instanceof PeerCommand.Deliver deliver) {
            deliver(deliver.envelope(), deliver.learner());
        } else if (command instanceof IdleTimeout) {
            onIdleTimeout();
        } else if (command instanceof PeerCommand.Handoff) {
            handoff();
            return Behaviors.stopped();
        }
        return Behaviors.same();
    }

    void attach(ActorRef<Connection.Command> newer) {
        connection.filter(current -> !current.equals(newer)).ifPresent(older -> {
            context.unwatch(older);
            older.tell(new Connection.TakenOver());
        });
        if (connection.isEmpty() || !connection.get().equals(newer)) {
            context.watchWith(newer, gone.apply(newer));
        }
        connection = Optional.of(newer);
        timers.cancel(idleTimeout);
        newer.tell(new Connection.Attached());
    }

    void detach(ActorRef<Connection.Command> closed) {
        if (connection.isPresent() && connection.get().equals(closed)) {
            context.unwatch(closed);
            connection = Optional.empty();
            startIdleTimer();
        }
    }

    /**
     * Hands {@code envelope} to the live connection, and tells {@code learner} where that is: the sender's edge then
     * sends the next messages there directly, and the receiving connection applies the inbound rate limit and
     * everything else a delivery needs. Without a connection the sender hears there is no subscriber.
     */
    void deliver(Envelope envelope, ActorRef<Location> learner) {
        if (connection.isEmpty()) {
            noSubscribers.increment();
            envelope.reply(DeliveryResult.NO_SUBSCRIBERS);
            return;
        }
        connection.get().tell(new Connection.Deliver(envelope));
        learner.tell(new Location(peer, connection.get()));
    }

    /** The shard is moving: the current connection attaches again to the entity's next incarnation. */
    void handoff() {
        connection.ifPresent(current -> current.tell(new Connection.Reattach()));
    }

    /** Passivates if still idle when the timer fires. */
    void onIdleTimeout() {
        if (connection.isEmpty()) {
            shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
        }
    }

    /** The entity stopped (passivation, handoff, shutdown). */
    void onStopped() {
        stopped.increment();
    }

    boolean connected() {
        return connection.isPresent();
    }

    private void startIdleTimer() {
        timers.startSingleTimer(idleTimeout, idleTimeout, idlePassivation);
    }

    /** Every peer entity's mailbox: Pekko's unbounded one, counted (ora_relay_mailbox_messages{actors="peers"}). */
    static final MailboxSelector MAILBOX = MailboxSelector.fromConfig("ora.relay.mailboxes.peers");

    static Counter started(Metrics metrics, String type) {
        return metrics.counter("ora_relay_entities_started_total", "Peer entities started on this node", "type", type);
    }

    static Counter stopped(Metrics metrics, String type) {
        return metrics.counter("ora_relay_entities_stopped_total", "Peer entities stopped on this node", "type", type);
    }

    private static Counter refused(Metrics metrics, DeliveryResult result) {
        return metrics.counter("ora_relay_deliveries_refused_total",
                "Messages the relay could not deliver, by reason", "reason", result.label());
    }
}
