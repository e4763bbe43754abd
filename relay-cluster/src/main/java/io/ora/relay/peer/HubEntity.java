package io.ora.relay.peer;

import io.ora.core.OraMessage;
import io.ora.core.identity.PeerId;
import io.ora.relay.api.HubLocks;
import io.ora.relay.session.Connection;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One Hub, one sharded entity, keyed by the hub's UUID: the hub's live relay session, its handover lock, and the
 * answer to its OTA status check.
 *
 * <p><b>Sharding contract.</b> The handover lock is durable: it is event-sourced to PostgreSQL
 * (pekko-persistence-jdbc), so it survives passivation, rebalancing, node loss and full restarts, and every lock
 * command is acknowledged only once its event is persisted. The live session (which connection holds the hub, the
 * inbound rate bucket) is deliberately not durable: a connection cannot outlive its socket. On a rebalance the
 * entity asks its connection to attach to the next incarnation; after a node crash the hub reconnects and attaches
 * wherever it lands. An OTA status check is answered from the durable lock alone, to the connection that asked, so
 * it is right in any incarnation, even one its connection has not re-attached to yet.
 *
 * <p>The lock has a holder (for the portal's handover, the project id). {@link Lock} and {@link Release} are what
 * the relay's hub-lock service ({@link HubLocks}) sends; {@link Unlock} ignores the holder and is
 * for operators and tests.
 *
 * <p>Phase 2 puts device state, command queues and stream sessions here, as more commands and events.
 */
public final class HubEntity extends EventSourcedBehavior<HubEntity.Command, HubEntity.Event, HubEntity.State> {

    /** The sharding type of hubs. */
    public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "Hub");

    /** Everything a hub entity accepts. */
    public sealed interface Command extends OraMessage
            permits PeerCommand, Lock, Release, Unlock, GetStatus, OtaCheck {
    }

    /**
     * Lock the hub for handover; {@code holder} names what holds the lock (a project id; not blank, at most
     * {@link HubLocks#MAX_HOLDER_LENGTH} characters, else refused). Idempotent: locking again with the same holder
     * persists nothing; locking with another holder replaces the holder.
     */
    public record Lock(String holder, ActorRef<StatusReply<Done>> replyTo) implements Command {
    }

    /**
     * Release the handover lock if {@code holder} holds it; an unlocked hub, or one another holder holds, is
     * acknowledged unchanged, so a retry or a stale release is harmless.
     */
    public record Release(String holder, ActorRef<StatusReply<Done>> replyTo) implements Command {
    }

    /** Release the handover lock whoever holds it (operators, tests). Idempotent. */
    public record Unlock(ActorRef<StatusReply<Done>> replyTo) implements Command {
    }

    /** Ask for the hub's lock and session status. */
    public record GetStatus(ActorRef<Status> replyTo) implements Command {
    }

    /** Reply to {@link GetStatus}. */
    public record Status(boolean locked, String holder, boolean connected) implements OraMessage {
    }

    /**
     * The hub, connected as {@code connection}, published to its own {@code ota} topic at QoS {@code qos} (packet
     * {@code packetId}): answer its OTA status to that connection ({@link OtaStatus}).
     */
    public record OtaCheck(ActorRef<Connection.Command> connection, int qos, int packetId) implements Command {
    }

    /** Durable facts about a hub. */
    public sealed interface Event extends OraMessage permits Locked, Unlocked {
    }

    /** The hub entered handover lockdown. */
    public record Locked(String holder) implements Event {
    }

    /** The lockdown ended. */
    public record Unlocked() implements Event {
    }

    /** The durable state: only the lock. */
    public record State(boolean locked, String holder) implements OraMessage {
    }

    private final PeerId.Hub hub;
    private final PeerSession<Command> session;

    private HubEntity(UUID hub, ActorContext<Command> context, TimerScheduler<Command> timers,
                      ActorRef<ClusterSharding.ShardCommand> shard, PeerSettings settings) {
        super(PersistenceId.of(KEY.name(), hub.toString()));
        this.hub = new PeerId.Hub(hub);
        this.session = new PeerSession<>("hub", this.hub.urn(), context, timers, shard, ConnectionGone::new,
                new IdleTimeout(), settings);
    }

    /** Registers hubs with cluster sharding on this node. */
    public static void init(ActorSystem<?> system, PeerSettings settings) {
        ClusterSharding.get(system).init(Entity.of(KEY, entity -> create(entity, settings))
                .withSettings(PeerSession.shardingSettings(system))
                .withStopMessage(new PeerCommand.Handoff()));
    }

    static Behavior<Command> create(EntityContext<Command> entity, PeerSettings settings) {
        UUID hub = UUID.fromString(entity.getEntityId());
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new HubEntity(hub, context, timers, entity.getShard(), settings)));
    }

    @Override
    public State emptyState() {
        return new State(false, "");
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(20, 2);
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(PeerCommand.Attach.class, attach -> {
                    session.attach(attach.connection());
                    return Effect().none();
                })
                .onCommand(PeerCommand.Detach.class, detach -> {
                    session.detach(detach.connection());
                    return Effect().none();
                })
                .onCommand(ConnectionGone.class, gone -> {
                    session.detach(gone.connection());
                    return Effect().none();
                })
                .onCommand(PeerCommand.Deliver.class, deliver -> {
                    session.deliver(deliver.envelope(), deliver.learner());
                    return Effect().none();
                })
                .onCommand(IdleTimeout.class, tick -> {
                    session.onIdleTimeout();
                    return Effect().none();
                })
                .onCommand(PeerCommand.Handoff.class, handoff -> {
                    session.handoff();
                    return Effect().stop();
                })
                .onCommand(Lock.class, this::onLock)
                .onCommand(Release.class, this::onRelease)
                .onCommand(Unlock.class, this::onUnlock)
                .onCommand(GetStatus.class, (state, get) -> {
                    get.replyTo().tell(new Status(state.locked(), state.holder(), session.connected()));
                    return Effect().none();
                })
                .onCommand(OtaCheck.class, this::onOtaCheck)
                .build();
    }

    private Effect<Event, State> onLock(State state, Lock lock) {
        Optional<String> refusal = refuseHolder(lock.holder());
        if (refusal.isPresent()) {
            return Effect().reply(lock.replyTo(), StatusReply.error(refusal.get()));
        }
        if (state.locked() && state.holder().equals(lock.holder())) {
            return Effect().reply(lock.replyTo(), StatusReply.ack());
        }
        return Effect().persist(new Locked(lock.holder())).thenReply(lock.replyTo(), locked -> StatusReply.ack());
    }

    private Effect<Event, State> onRelease(State state, Release release) {
        Optional<String> refusal = refuseHolder(release.holder());
        if (refusal.isPresent()) {
            return Effect().reply(release.replyTo(), StatusReply.error(refusal.get()));
        }
        if (!state.locked() || !state.holder().equals(release.holder())) {
            return Effect().reply(release.replyTo(), StatusReply.ack());
        }
        return Effect().persist(new Unlocked()).thenReply(release.replyTo(), unlocked -> StatusReply.ack());
    }

    private Effect<Event, State> onUnlock(State state, Unlock unlock) {
        if (!state.locked()) {
            return Effect().reply(unlock.replyTo(), StatusReply.ack());
        }
        return Effect().persist(new Unlocked()).thenReply(unlock.replyTo(), unlocked -> StatusReply.ack());
    }

    private Effect<Event, State> onOtaCheck(State state, OtaCheck check) {
        check.connection().tell(new Connection.Deliver(OtaStatus.of(state).answer(hub, check)));
        return Effect().none();
    }

    private static Optional<String> refuseHolder(String holder) {
        if (holder == null || holder.isBlank()) {
            return Optional.of("the lock holder must not be blank");
        }
        if (holder.length() > HubLocks.MAX_HOLDER_LENGTH) {
            return Optional.of("the lock holder must be at most " + HubLocks.MAX_HOLDER_LENGTH + " characters");
        }
        return Optional.empty();
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(PostStop.instance(), state -> session.onStopped())
                .build();
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Locked.class, (state, locked) -> new State(true, locked.holder()))
                .onEvent(Unlocked.class, (state, unlocked) -> new State(false, ""))
                .build();
    }
}
