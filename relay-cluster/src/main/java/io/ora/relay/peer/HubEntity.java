package io.ora.relay.peer;

import io.micrometer.core.instrument.Counter;
import io.ora.core.OraMessage;
import io.ora.core.identity.PeerId;
import io.ora.relay.api.HubLocks;
import io.ora.relay.delivery.Connection;
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

/**
 * One Hub, one sharded entity, keyed by the hub's UUID: the hub's live relay session, its handover lock, and the
 * answer to its OTA status check.
 *
 * <p><b>Sharding contract.</b> The handover lock is durable: it is event-sourced to PostgreSQL
 * (pekko-persistence-jdbc), so it survives passivation, rebalancing, node loss and full restarts, and every lock
 * command is acknowledged only once its event is persisted. It lives in a child of the entity ({@code Lockdown},
 * persistence id {@code Hub|<uuid>}), started on the first lock command, status query or OTA check of an
 * incarnation: a hub connecting, or a message routed to it, never waits for the journal. The live session (which
 * connection holds the hub) is deliberately not durable: a connection cannot outlive its socket. On a rebalance the
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
public final class HubEntity {

    /** The sharding type of hubs. */
    public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "Hub");

    /** Everything a hub entity accepts. */
    public sealed interface Command extends OraMessage
            permits PeerCommand, Lock, Release, Unlock, GetStatus, OtaCheck, StatusFor, LockdownStopped {
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

    /** {@link GetStatus}, passed to the lockdown with what only the session knows. Entity-internal. */
    private record StatusFor(ActorRef<Status> replyTo, boolean connected) implements Command {
    }

    /** The lockdown child stopped (it cannot recover, say): the next command that needs it starts it again. */
    private record LockdownStopped() implements Command {
    }

    private HubEntity() {
    }

    /** Registers hubs with cluster sharding on this node. */
    public static void init(ActorSystem<?> system, PeerSettings settings) {
        ClusterSharding.get(system).init(Entity.of(KEY, entity -> create(entity, settings))
                .withSettings(PeerSession.shardingSettings(system))
                .withEntityProps(PeerSession.MAILBOX)
                .withStopMessage(new PeerCommand.Handoff()));
    }

    static Behavior<Command> create(EntityContext<Command> entity, PeerSettings settings) {
        UUID hub = UUID.fromString(entity.getEntityId());
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new Live(new PeerId.Hub(hub), context, timers, entity.getShard(), settings).behavior()));
    }

    /** One incarnation of the entity: the session, and the lockdown once something has needed it. */
    private static final class Live {
        private final PeerId.Hub hub;
        private final ActorContext<Command> context;
        private final PeerSession<Command> session;
        private final Counter lockdownsStarted;
        private ActorRef<Command> lockdown;

        Live(PeerId.Hub hub, ActorContext<Command> context, TimerScheduler<Command> timers,
             ActorRef<ClusterSharding.ShardCommand> shard, PeerSettings settings) {
            this.hub = hub;
            this.context = context;
            this.session = new PeerSession<>("hub", hub.urn(), context, timers, shard, ConnectionGone::new,
                    new IdleTimeout(), settings);
            this.lockdownsStarted = settings.metrics().counter("ora_relay_lockdowns_started_total",
                    "Hub lock states read from the journal: one per hub entity incarnation that needed its lock");
        }

        Behavior<Command> behavior() {
            return Behaviors.receive(Command.class)
                    .onMessage(PeerCommand.class, session::handle)
                    .onMessage(Lock.class, this::toLockdown)
                    .onMessage(Release.class, this::toLockdown)
                    .onMessage(Unlock.class, this::toLockdown)
                    .onMessage(OtaCheck.class, this::toLockdown)
                    .onMessage(GetStatus.class, get -> toLockdown(new StatusFor(get.replyTo(), session.connected())))
                    .onMessage(LockdownStopped.class, stopped -> {
                        lockdown = null;
                        return Behaviors.same();
                    })
                    .onSignal(PostStop.class, stop -> {
                        session.onStopped();
                        return Behaviors.same();
                    })
                    .build();
        }

        private Behavior<Command> toLockdown(Command command) {
            if (lockdown == null) {
                lockdown = context.spawn(new Lockdown(hub), "lockdown");
                lockdownsStarted.increment();
                context.watchWith(lockdown, new LockdownStopped());
            }
            lockdown.tell(command);
            return Behaviors.same();
        }
    }

    /** The hub's durable handover lock, event-sourced; it answers lock commands, status queries and OTA checks. */
    private static final class Lockdown extends EventSourcedBehavior<Command, Event, State> {

        private final PeerId.Hub hub;

        Lockdown(PeerId.Hub hub) {
            // The entity's own persistence id, as before the lock moved into a child: journals stay readable.
            super(PersistenceId.of(KEY.name(), hub.uuid().toString()));
            this.hub = hub;
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
                    .onCommand(Lock.class, this::onLock)
                    .onCommand(Release.class, this::onRelease)
                    .onCommand(Unlock.class, this::onUnlock)
                    .onCommand(StatusFor.class, (state, get) -> {
                        get.replyTo().tell(new Status(state.locked(), state.holder(), get.connected()));
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

        @Override
        public EventHandler<State, Event> eventHandler() {
            return newEventHandlerBuilder().forAnyState()
                    .onEvent(Locked.class, (state, locked) -> new State(true, locked.holder()))
                    .onEvent(Unlocked.class, (state, unlocked) -> new State(false, ""))
                    .build();
        }
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
}
