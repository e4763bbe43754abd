package io.ora.relay;

import io.ora.relay.api.HubLocks;
import io.ora.relay.api.HubMessage;
import java.time.Duration;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The hub lock as another role uses it: each hub's sharded entity asked directly through a node's sharding, in the
 * {@link HubLocks} protocol only, with test probes for replies.
 */
public final class HubLockClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;

    private HubLockClient(ActorSystem<?> system) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
    }

    /** A client asking through {@code system}'s sharding, with reply probes on {@code system}. */
    public static HubLockClient of(ActorSystem<?> system) {
        return new HubLockClient(system);
    }

    public StatusReply<Done> lock(UUID hub, String holder) {
        TestProbe<StatusReply<Done>> reply = TestProbe.create(system);
        hubEntity(hub).tell(new HubLocks.Lock(holder, reply.getRef()));
        return reply.receiveMessage(TIMEOUT);
    }

    public StatusReply<Done> release(UUID hub, String holder) {
        TestProbe<StatusReply<Done>> reply = TestProbe.create(system);
        hubEntity(hub).tell(new HubLocks.Release(holder, reply.getRef()));
        return reply.receiveMessage(TIMEOUT);
    }

    public HubLocks.LockStatus query(UUID hub) {
        TestProbe<HubLocks.LockStatus> reply = TestProbe.create(system);
        hubEntity(hub).tell(new HubLocks.Query(reply.getRef()));
        return reply.receiveMessage(TIMEOUT);
    }

    private EntityRef<HubMessage> hubEntity(UUID hub) {
        return sharding.entityRefFor(HubLocks.KEY, hub.toString());
    }
}
