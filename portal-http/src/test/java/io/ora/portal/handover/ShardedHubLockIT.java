package io.ora.portal.handover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ora.relay.api.HubLocks;
import io.ora.relay.api.HubMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The portal's side of the hub lock on a node without the relay role, as in production: a portal-only node and a
 * relay-role node (hosting stand-in hub entities) in one cluster; the portal's proxy reaches the hubs, a refusal
 * fails the lock (for the sweeper to retry), and a project without hubs needs no relay at all.
 */
class ShardedHubLockIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** The holder the stand-ins refuse, as a hub refuses a blank one. */
    private static final UUID REFUSED = UUID.randomUUID();

    private static final Set<String> LOCKED = ConcurrentHashMap.newKeySet();
    private static ActorSystem<Void> relay;
    private static ActorSystem<Void> portal;

    @BeforeAll
    static void formCluster() {
        relay = node("relay", HubLocks.ROLE);
        join(relay, relay);
        ClusterSharding.get(relay).init(Entity.of(HubLocks.KEY, entity -> hub(entity.getEntityId()))
                .withRole(HubLocks.ROLE));
        portal = node("portal", "portal");
        join(portal, relay);
        HubLocks.startProxy(portal);
    }

    @AfterAll
    static void stop() {
        portal.terminate();
        relay.terminate();
    }

    @Test
    void thePortalLocksAndReleasesHubsOnTheRelayNodeThroughItsProxy() throws Exception {
        UUID project = UUID.randomUUID();
        List<UUID> hubs = List.of(UUID.randomUUID(), UUID.randomUUID());
        ShardedHubLock lockdown = new ShardedHubLock(portal, TIMEOUT);

        lockdown.lock(project, hubs).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(LOCKED).contains(hubs.get(0) + "/" + project, hubs.get(1) + "/" + project);

        lockdown.release(project, hubs).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(LOCKED).doesNotContain(hubs.get(0) + "/" + project, hubs.get(1) + "/" + project);
    }

    @Test
    void aHubThatRefusesFailsTheWholeLock() {
        List<UUID> hubs = List.of(UUID.randomUUID(), UUID.randomUUID());

        assertThatThrownBy(() -> new ShardedHubLock(portal, TIMEOUT).lock(REFUSED, hubs).toCompletableFuture()
                .get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(StatusReply.ErrorMessage.class);
    }

    @Test
    void aProjectWithoutHubsCompletesAtOnce() {
        assertThat(new ShardedHubLock(portal, TIMEOUT).lock(UUID.randomUUID(), List.of()).toCompletableFuture())
                .isCompleted();
    }

    /** A stand-in hub entity: remembers hub/holder pairs, refuses {@link #REFUSED}. */
    private static Behavior<HubMessage> hub(String hub) {
        return Behaviors.receive(HubMessage.class)
                .onMessage(HubLocks.Lock.class, lock -> {
                    if (lock.holder().equals(REFUSED.toString())) {
                        lock.replyTo().tell(StatusReply.error("refused"));
                    } else {
                        LOCKED.add(hub + "/" + lock.holder());
                        lock.replyTo().tell(StatusReply.ack());
                    }
                    return Behaviors.same();
                })
                .onMessage(HubLocks.Release.class, release -> {
                    LOCKED.remove(hub + "/" + release.holder());
                    release.replyTo().tell(StatusReply.ack());
                    return Behaviors.same();
                })
                .build();
    }

    private static ActorSystem<Void> node(String name, String role) {
        Config config = ConfigFactory.parseMap(Map.of(
                        "pekko.actor.provider", "cluster",
                        "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                        "pekko.remote.artery.canonical.port", 0,
                        "pekko.cluster.roles", List.of(role),
                        "pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on",
                        "pekko.coordinated-shutdown.exit-jvm", "off",
                        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off",
                        "pekko.loglevel", "WARNING"))
                .withFallback(ConfigFactory.load());
        return ActorSystem.create(Behaviors.empty(), "ora", config);
    }

    private static void join(ActorSystem<?> node, ActorSystem<?> seed) {
        Cluster cluster = Cluster.get(node);
        cluster.manager().tell(Join.create(Cluster.get(seed).selfMember().address()));
        Awaitility.await().atMost(TIMEOUT).until(() -> cluster.selfMember().status() == MemberStatus.up());
    }
}
