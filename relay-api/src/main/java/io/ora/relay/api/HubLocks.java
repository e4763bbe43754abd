package io.ora.relay.api;

import io.ora.core.OraMessage;
import java.util.Objects;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.StatusReply;

/**
 * The hub lock: how another role puts a hub into its handover lock and takes it out again, by asking the hub's
 * sharded entity directly, without depending on the relay's module.
 *
 * <p><b>Who uses it.</b> The portal's remote handover locks every hub of a project while the project is pending
 * handover and releases them when the handover completes or is cancelled; the holder is the project id. While a hub
 * is locked, the relay tells it to wait when it checks for a firmware update (docs/mqtt.md, "OTA status").
 *
 * <p><b>Reaching a hub.</b> Hub entities are sharded under {@link #KEY} on the nodes with the {@link #ROLE} role.
 * A node without it calls {@link #startProxy} once, then asks
 * {@code ClusterSharding.get(system).entityRefFor(KEY, hub.toString()).askWithStatus(...)}; sharding delivers to the
 * entity wherever in the cluster it lives.
 *
 * <p><b>Guarantees.</b>
 * <ul>
 *   <li>{@link Lock} and {@link Release} are acknowledged with {@link StatusReply#ack()} only once the change is
 *       durable: the lock event is persisted in the hub's journal, so it survives the hub's entity moving between
 *       nodes, node loss and full restarts. A refusal (a blank or overlong holder) answers
 *       {@link StatusReply#error(String)}; no answer within the caller's timeout means the outcome is unknown, and
 *       the command can simply be sent again.</li>
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

    /** The cluster role of the nodes that host hub entities (the relay). */
    public static final String ROLE = "relay";

    /** The sharding type of hubs; the entity id is the hub's UUID. */
    public static final EntityTypeKey<HubMessage> KEY = EntityTypeKey.create(HubMessage.class, "Hub");

    /** Longest holder accepted (a project id is far shorter); longer ones are refused. */
    public static final int MAX_HOLDER_LENGTH = 200;

    private HubLocks() {
    }

    /**
     * Lets a node without the {@link #ROLE} role reach hub entities: it starts a sharding proxy for {@link #KEY},
     * which hosts nothing and forwards to the relay nodes. On a relay node it does nothing, since the relay role
     * registered the entities themselves when it started (before the roles that ask them). Idempotent.
     */
    public static void startProxy(ActorSystem<?> system) {
        if (Cluster.get(system).selfMember().hasRole(ROLE)) {
            return;
        }
        // Sharding never creates an entity on a node outside the entity's role, so this factory never runs.
        ClusterSharding.get(system).init(Entity.of(KEY, entity -> HubLocks.<HubMessage>hostedOnRelayNodes())
                .withRole(ROLE));
    }

    private static <M> Behavior<M> hostedOnRelayNodes() {
        throw new IllegalStateException("hub entities are hosted on nodes with the " + ROLE + " role only");
    }

    /** Everything other roles may ask of a hub's entity. */
    public sealed interface Command extends HubMessage permits Lock, Release, Query {
    }

    /**
     * Lock the hub on behalf of {@code holder} (1 to {@link #MAX_HOLDER_LENGTH} characters, not blank).
     * Acknowledged once persisted.
     */
    public record Lock(String holder, ActorRef<StatusReply<Done>> replyTo) implements Command {
        public Lock {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /**
     * End the hub's lock if {@code holder} holds it; otherwise acknowledge and change nothing. Acknowledged once
     * persisted.
     */
    public record Release(String holder, ActorRef<StatusReply<Done>> replyTo) implements Command {
        public Release {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** Ask whether the hub is locked, and by whom. */
    public record Query(ActorRef<LockStatus> replyTo) implements Command {
        public Query {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** Reply to {@link Query}: the hub's durable lock; {@code holder} is empty when it is not locked. */
    public record LockStatus(boolean locked, String holder) implements OraMessage {
    }
}
