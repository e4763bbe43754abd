package io.ora.relay.peer;

import io.micrometer.core.instrument.Counter;
import io.ora.core.OraMessage;
import io.ora.core.identity.PeerId;
import io.ora.core.ota.OtaDesk;
import io.ora.relay.api.HubLocks;
import io.ora.relay.api.HubMessage;
import io.ora.relay.delivery.Connection;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One Hub, one sharded entity ({@link HubLocks#KEY}), keyed by the hub's UUID: the hub's live relay session, its
 * handover lock, and the answer to its OTA status check.
 *
 * <p><b>Sharding contract.</b> The lock is durable: it is event-sourced to PostgreSQL (pekko-persistence-jdbc), so it
 * survives passivation, rebalancing, node loss and full restarts, and every lock command is acknowledged only once
 * its event is persisted. It lives in a child of the entity ({@code DurableLock}, persistence id
 * {@code Hub|<uuid>}), started on the first lock command, status query or OTA check of an incarnation: a hub
 * connecting, or a message routed to it, never waits for the journal. The child replies to every command it takes
 * (an event-sourced behaviour with enforced replies), so no lock command goes unanswered. The live session (which
 * connection holds the hub) is deliberately not durable: a connection cannot outlive its socket. On a rebalance the
 * entity asks its connection to attach to the next incarnation; after a node crash the hub reconnects and attaches
 * wherever it lands. An OTA status check is answered from the durable lock alone, to the connection that asked, so
 * it is right in any incarnation, even one its connection has not re-attached to yet.
 *
 * <p>The entity accepts the session's {@link PeerCommand}s, the hub lock other roles ask for ({@link HubLocks}:
 * lock, release and query, with a holder; for the portal's handover, the project id) and the relay's own
 * {@link Command}s: {@link Unlock}, which ignores the holder and is for operators and tests, the status with the
 * session's part, and the OTA check.
 *
 * <p>Phase 2 puts device state, command queues and stream sessions here, as more commands and events.
 */
public final class HubEntity {

    /** What the relay itself asks of a hub's entity, beyond the session and the hub lock of {@link HubLocks}. */
    public sealed interface Command extends HubMessage
            permits Unlock, GetStatus, OtaCheck, StatusFor, LockStopped {
    }

    /** Release the lock whoever holds it (operators, tests). Idempotent. */
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
     * {@code packetId}) with {@code payload}: answer its OTA status to that connection ({@link OtaStatus}). The
     * payload is the OTA desk's to read, never the relay's.
     */
    public record OtaCheck(ActorRef<Connection.Command> connection, int qos, int packetId, byte[] payload)
            implements Command {
        public OtaCheck {
            // A node of the version before OTA sent no payload (docs/operations.md, "Upgrading"): an empty check.
            payload = payload == null ? new byte[0] : payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }
    }

    /** Durable facts about a hub. Their class names are in the journal: they stay where they are. */
    public sealed interface Event extends OraMessage permits Locked, Unlocked {
    }

    /** The hub was locked for {@code holder}. */
    public record Locked(String holder) implements Event {
    }

    /** The lock ended. */
    public record Unlocked() implements Event {
    }

    /** The durable state: only the lock. */
    public record State(boolean locked, String holder) implements OraMessage {
    }

    /** {@link GetStatus}, passed to the lock with what only the session knows. Entity-internal. */
    private record StatusFor(ActorRef<Status> replyTo, boolean connected) implements Command {
    }

    /** The lock's child stopped (it cannot recover, say): the next command that needs it starts it again. */
    private record LockStopped() implements Command {
    }

    private HubEntity() {
    }

    /** Registers hubs with cluster sharding on this node (a node with the relay role hosts them). */
    public static void init(ActorSystem<?> system, PeerSettings settings) {
        PeerSession.register(system, HubLocks.KEY, entity -> create(entity, settings), command -> command);
    }

    static Behavior<HubMessage> create(EntityContext<HubMessage> entity, PeerSettings settings) {
        PeerId.Hub hub = new PeerId.Hub(UUID.fromString(entity.getEntityId()));
        return PeerSession.entity(HubMessage.class, "hub", hub.urn(), entity, settings, command -> command,
                (receive, context, session) -> new Live(hub, context, session, settings).handlers(receive));
    }

    /** The durable lock of {@code hub} on its own, for tests of the event-sourced part. */
    static Behavior<HubMessage> durableLock(UUID hub, OtaDesk ota) {
        return new DurableLock(new PeerId.Hub(hub), ota);
    }

    /** One incarnation of the entity: the session, and the lock's child once something has needed it. */
    private static final class Live {
        private final PeerId.Hub hub;
        private final ActorContext<HubMessage> context;
        private final PeerSession<HubMessage> session;
        private final Counter locksRead;
        private final OtaDesk ota;
        private ActorRef<HubMessage> lock;

        Live(PeerId.Hub hub, ActorContext<HubMessage> context, PeerSession<HubMessage> session,
             PeerSettings settings) {
            this.hub = hub;
            this.context = context;
            this.session = session;
            this.ota = settings.ota();
            this.locksRead = settings.metrics().counter("ora_relay_lockdowns_started_total",
                    "Hub lock states read from the journal: one per hub entity incarnation that needed its lock");
        }

        BehaviorBuilder<HubMessage> handlers(BehaviorBuilder<HubMessage> receive) {
            return receive
                    .onMessage(PeerCommand.class, session::handle)
                    .onMessage(HubLocks.Command.class, this::toLock)
                    .onMessage(Unlock.class, this::toLock)
                    .onMessage(OtaCheck.class, this::toLock)
                    .onMessage(GetStatus.class, get -> toLock(new StatusFor(get.replyTo(), session.connected())))
                    .onMessage(LockStopped.class, stopped -> {
                        lock = null;
                        return Behaviors.same();
                    });
        }

        private Behavior<HubMessage> toLock(HubMessage command) {
            if (lock == null) {
                lock = context.spawn(new DurableLock(hub, ota), "lock");
                locksRead.increment();
                context.watchWith(lock, new LockStopped());
            }
            lock.tell(command);
            return Behaviors.same();
        }
    }

    /**
     * The hub's durable lock, event-sourced: it answers lock commands, status queries and OTA checks, each with a
     * reply (the OTA answer is the reply to the connection that asked). A locked hub is told to wait by the lock
     * itself; an unlocked hub's check goes to the OTA desk, whose answer is delivered to the connection when it
     * comes, while the lock goes on with its next command.
     */
    private static final class DurableLock extends EventSourcedBehaviorWithEnforcedReplies<HubMessage, Event, State> {

        private static final State UNLOCKED = new State(false, "");

        private final PeerId.Hub hub;
        private final OtaDesk ota;

        DurableLock(PeerId.Hub hub, OtaDesk ota) {
            // The entity's own persistence id, as before the lock moved into a child: journals stay readable.
            super(PersistenceId.of(HubLocks.KEY.name(), hub.uuid().toString()));
            this.hub = hub;
            this.ota = ota;
        }

        @Override
        public State emptyState() {
            return UNLOCKED;
        }

        @Override
        public RetentionCriteria retentionCriteria() {
            return RetentionCriteria.snapshotEvery(20, 2);
        }

        @Override
        public CommandHandlerWithReply<HubMessage, Event, State> commandHandler() {
            return newCommandHandlerWithReplyBuilder().forAnyState()
                    .onCommand(HubLocks.Lock.class, this::onLock)
                    .onCommand(HubLocks.Release.class, this::onRelease)
                    .onCommand(Unlock.class, this::onUnlock)
                    .onCommand(HubLocks.Query.class, (state, query) ->
                            Effect().reply(query.replyTo(), new HubLocks.LockStatus(state.locked(), state.holder())))
                    .onCommand(StatusFor.class, (state, get) ->
                            Effect().reply(get.replyTo(), new Status(state.locked(), state.holder(), get.connected())))
                    .onCommand(OtaCheck.class, this::onOtaCheck)
                    .build();
        }

        private ReplyEffect<Event, State> onOtaCheck(State state, OtaCheck check) {
            if (state.locked()) {
                return Effect().reply(check.connection(),
                        new Connection.Deliver(OtaStatus.answer(hub, check, OtaStatus.WAIT_FOR_HANDOVER)));
            }
            // The desk promises to complete normally; should it fail anyway, the hub hears "unavailable" at once
            // rather than waiting for its request to time out.
            return Effect().none().thenRun(unchanged -> ota.check(hub.uuid(), check.payload())
                    .whenComplete((answer, failure) -> check.connection().tell(new Connection.Deliver(
                            OtaStatus.answer(hub, check, answer == null ? OtaDesk.WAIT_UNAVAILABLE : answer)))))
                    .thenNoReply();
        }

        private ReplyEffect<Event, State> onLock(State state, HubLocks.Lock lock) {
            Optional<String> refusal = refuseHolder(lock.holder());
            if (refusal.isPresent()) {
                return Effect().reply(lock.replyTo(), StatusReply.error(refusal.get()));
            }
            if (state.locked() && state.holder().equals(lock.holder())) {
                return Effect().reply(lock.replyTo(), StatusReply.ack());
            }
            return Effect().persist(new Locked(lock.holder())).thenReply(lock.replyTo(), locked -> StatusReply.ack());
        }

        private ReplyEffect<Event, State> onRelease(State state, HubLocks.Release release) {
            Optional<String> refusal = refuseHolder(release.holder());
            if (refusal.isPresent()) {
                return Effect().reply(release.replyTo(), StatusReply.error(refusal.get()));
            }
            if (!state.locked() || !state.holder().equals(release.holder())) {
                return Effect().reply(release.replyTo(), StatusReply.ack());
            }
            return Effect().persist(new Unlocked()).thenReply(release.replyTo(), unlocked -> StatusReply.ack());
        }

        private ReplyEffect<Event, State> onUnlock(State state, Unlock unlock) {
            if (!state.locked()) {
                return Effect().reply(unlock.replyTo(), StatusReply.ack());
            }
            return Effect().persist(new Unlocked()).thenReply(unlock.replyTo(), unlocked -> StatusReply.ack());
        }

        @Override
        public EventHandler<State, Event> eventHandler() {
            return newEventHandlerBuilder().forAnyState()
                    .onEvent(Locked.class, (state, locked) -> new State(true, locked.holder()))
                    .onEvent(Unlocked.class, (state, unlocked) -> UNLOCKED)
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
