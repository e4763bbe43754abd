package io.ora.portal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ora.relay.api.HubLocks;
import io.ora.relay.api.HubMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;
import org.awaitility.Awaitility;

/**
 * The relay's hub entities as the portal sees them, for portal tests that run without a relay: stand-ins sharded
 * under the real {@link HubLocks#KEY} on the test's one-node cluster (which therefore has the relay role), speaking
 * the real {@link HubLocks} protocol and keeping the locks in memory, so a test can read what the portal asked for.
 * The relay's own entities (persistent, across nodes, and reached from a node without the relay role) are tested in
 * relay-cluster, and both together in the node's end-to-end test.
 */
final class TestHubLocks {

    /** A one-node cluster on loopback that hosts the stand-ins; layer it under the test's config. */
    static final Config CLUSTER = ConfigFactory.parseMap(Map.of(
            "pekko.actor.provider", "cluster",
            "pekko.remote.artery.canonical.hostname", "127.0.0.1",
            "pekko.remote.artery.canonical.port", 0,
            "pekko.cluster.roles", List.of(HubLocks.ROLE, "portal"),
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on",
            "pekko.coordinated-shutdown.exit-jvm", "off",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off"));

    private final Map<UUID, String> locks = new ConcurrentHashMap<>();
    private volatile boolean answering = true;

    /** Forms {@code system}'s one-node cluster and registers the stand-ins, as a relay role starting first would. */
    void start(ActorSystem<?> system) {
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(
                () -> cluster.selfMember().status() == MemberStatus.up());
        ClusterSharding.get(system).init(Entity.of(HubLocks.KEY,
                entity -> hub(UUID.fromString(entity.getEntityId()))).withRole(HubLocks.ROLE));
    }

    private Behavior<HubMessage> hub(UUID hub) {
        return Behaviors.receive(HubMessage.class)
                .onMessage(HubLocks.Lock.class, lock -> {
                    if (answering) {
                        locks.put(hub, lock.holder());
                        lock.replyTo().tell(StatusReply.ack());
                    }
                    return Behaviors.same();
                })
                .onMessage(HubLocks.Release.class, release -> {
                    if (answering) {
                        locks.remove(hub, release.holder());
                        release.replyTo().tell(StatusReply.ack());
                    }
                    return Behaviors.same();
                })
                .onMessage(HubLocks.Query.class, query -> {
                    String holder = locks.get(hub);
                    query.replyTo().tell(new HubLocks.LockStatus(holder != null, holder == null ? "" : holder));
                    return Behaviors.same();
                })
                .build();
    }

    /** Who holds {@code hub}'s lock, if anyone. */
    Optional<String> holder(UUID hub) {
        return Optional.ofNullable(locks.get(hub));
    }

    /** Stops answering (a relay that cannot be reached) or starts again. */
    void answering(boolean answer) {
        this.answering = answer;
    }
}
