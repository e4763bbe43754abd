package io.ora.relay.api;

import io.ora.core.OraMessage;
import java.util.Objects;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * The protocol of the relay's hub-lock service: how another role puts a hub into handover lockdown and takes it out
 * again, without depending on the relay's module.
 *
 * <p><b>Who uses it.</b> The portal's remote handover locks every hub of a project while the project is pending
 * handover and releases them when the handover completes or is cancelled; the holder is the project id. While a hub
 * is locked, the relay tells it to wait when it checks for a firmware update (docs/mqtt.md, "OTA status").
 *
 * <p><b>Finding it.</b> Every relay node registers one service with the cluster receptionist under {@link #KEY};
 * any of them reaches any hub, wherever in the cluster the hub's entity lives. Send to one instance and, on no
 * answer, retry (with the same holder) through another.
 *
 * <p><b>Guarantees.</b>
 * <ul>
 *   <li>{@link Lock} and {@link Release} are acknowledged with {@link StatusReply#ack()} only once the change is
 *       durable: the lock event is persisted in the hub's journal, so it survives the hub's entity moving between
 *       nodes, node loss and full restarts. A refusal (a blank or overlong holder) or an unreachable hub answers
 *       {@link StatusReply#error(String)}; no answer at all means the outcome is unknown, and the command can simply
 *       be sent again.</li>
 *   <li>Both are idempotent, so retries are safe. Locking a hub the same holder already holds changes nothing;
 *       locking a hub another holder holds makes the new holder the holder (the latest lock wins). {@link Release}
 *       unlocks only when {@code holder} holds the lock; releasing an unlocked hub, or one another holder holds,
 *       acknowledges without changing anything.</li>
 *   <li>{@link Query} answers the durable state; it is not answered when the hub cannot be reached in time, so
 *       callers ask with a timeout.</li>
 * </ul>
 *
 * <p>Every message implements {@link OraMessage} and crosses nodes as Jackson CBOR.
 */
public final class HubLocks {

    /** The receptionist key every relay node's hub-lock service is registered under. */
    public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "ora-hub-locks");

    /** Longest holder accepted (a project id is far shorter); longer ones are refused. */
    public static final int MAX_HOLDER_LENGTH = 200;

    private HubLocks() {
    }

    /** Everything the hub-lock service accepts. */
    public sealed interface Command extends OraMessage permits Lock, Release, Query {
    }

    /**
     * Put {@code hub} into handover lockdown on behalf of {@code holder} (1 to {@link #MAX_HOLDER_LENGTH}
     * characters, not blank). Acknowledged once persisted.
     */
    public record Lock(UUID hub, String holder, ActorRef<StatusReply<Done>> replyTo) implements Command {
        public Lock {
            Objects.requireNonNull(hub, "hub");
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /**
     * End {@code hub}'s lockdown if {@code holder} holds it; otherwise acknowledge and change nothing.
     * Acknowledged once persisted.
     */
    public record Release(UUID hub, String holder, ActorRef<StatusReply<Done>> replyTo) implements Command {
        public Release {
            Objects.requireNonNull(hub, "hub");
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** Ask whether {@code hub} is locked, and by whom. */
    public record Query(UUID hub, ActorRef<LockStatus> replyTo) implements Command {
        public Query {
            Objects.requireNonNull(hub, "hub");
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** Reply to {@link Query}: the hub's durable lock; {@code holder} is empty when it is not locked. */
    public record LockStatus(boolean locked, String holder) implements OraMessage {
    }
}
