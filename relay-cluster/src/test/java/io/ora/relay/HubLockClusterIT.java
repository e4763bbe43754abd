package io.ora.relay;

import static io.ora.relay.RelayTestKit.UNAVAILABLE;
import static io.ora.relay.RelayTestKit.WAIT;
import static io.ora.relay.RelayTestKit.assertAck;
import static io.ora.relay.RelayTestKit.checkOta;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.ora.core.topic.Topics;
import io.ora.relay.api.HubLocks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relay nodes in one real cluster (separate actor systems in this JVM): node A locks a hub whose entity lives
 * on node B, asking the entity through sharding, the hub connected to A is told to wait by that entity, and the lock
 * survives the entity passivating on B and then moving to A when B leaves.
 */
class HubLockClusterIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** Short enough to see an idle entity passivate, long enough to find where a fresh one lives first. */
    private static final Map<String, Object> FAST_PASSIVATION = Map.of("ora.relay.sessions.idle-passivation", "2s");

    @TempDir
    static Path dir;
    static TestRelay a;
    static TestRelay b;

    @BeforeAll
    static void formCluster() {
        a = TestRelay.start(dir.resolve("a"), FAST_PASSIVATION, null);
        b = TestRelay.start(dir.resolve("b"), FAST_PASSIVATION, a);
        a.awaitMembersUp(2);
    }

    @AfterAll
    static void stop() {
        if (!b.system().whenTerminated().isCompleted()) {
            b.close();
        }
        a.close();
    }

    @Test
    void aLockFromNodeAHoldsForAHubLivingOnNodeBThroughPassivationAndRebalancing() throws InterruptedException {
        assertThat(List.of(a, b)).as("both are relay nodes, hosting hubs")
                .allMatch(node -> Cluster.get(node.system()).selfMember().hasRole(HubLocks.ROLE));
        HubLockClient locks = HubLockClient.of(a.system());
        UUID hubId = hubLivingOn(b);
        assertThat(hostsEntity(a, hubId)).isFalse();

        assertAck(locks.lock(hubId, "project-9"));

        assertThat(hostsEntity(b, hubId)).isTrue();
        assertThat(hostsEntity(a, hubId)).isFalse();
        assertThat(locks.query(hubId)).isEqualTo(new HubLocks.LockStatus(true, "project-9"));

        // The hub connected to node A checks for an update; its entity on node B answers across the cluster.
        Mqtt5BlockingClient hub = RelayTestKit.connect(a, a.hub(hubId));
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = hub.publishes(MqttGlobalPublishFilter.ALL)) {
            hub.subscribeWith().topicFilter(Topics.hubInbox(hubId) + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            assertThat(checkOta(hub, inbox, hubId)).isEqualTo(WAIT);
        } finally {
            hub.disconnect();
        }

        // Without a connection the entity passivates on B; the next query starts it again from the journal.
        Awaitility.await().atMost(TIMEOUT).until(() -> !hostsEntity(b, hubId));
        assertThat(locks.query(hubId)).isEqualTo(new HubLocks.LockStatus(true, "project-9"));
        assertThat(hostsEntity(b, hubId)).isTrue();

        // B leaves the cluster: its shards are handed off, and the hub's entity recovers the lock on A.
        b.close();
        Awaitility.await().atMost(TIMEOUT).until(() -> StreamSupport.stream(
                Cluster.get(a.system()).state().getMembers().spliterator(), false).count() == 1);
        assertThat(locks.query(hubId)).isEqualTo(new HubLocks.LockStatus(true, "project-9"));
        assertThat(hostsEntity(a, hubId)).isTrue();

        assertAck(locks.release(hubId, "project-9"));
        assertThat(locks.query(hubId)).isEqualTo(new HubLocks.LockStatus(false, ""));
        Mqtt5BlockingClient again = RelayTestKit.connect(a, a.hub(hubId));
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = again.publishes(MqttGlobalPublishFilter.ALL)) {
            again.subscribeWith().topicFilter(Topics.hubInbox(hubId) + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            assertThat(checkOta(again, inbox, hubId)).isEqualTo(UNAVAILABLE);
        } finally {
            again.disconnect();
        }
    }

    /** A fresh hub whose entity sharding places on {@code node}: start candidates from A until one lands there. */
    private static UUID hubLivingOn(TestRelay node) {
        return Awaitility.await().atMost(TIMEOUT).until(() -> {
            UUID candidate = UUID.randomUUID();
            a.relay().router().status(candidate, TIMEOUT).toCompletableFuture().get();
            return hostsEntity(node, candidate) ? candidate : null;
        }, candidate -> candidate != null);
    }

    /** Whether {@code hub}'s entity is running on {@code node}, as that node's shard region reports it. */
    private static boolean hostsEntity(TestRelay node, UUID hub) {
        TestProbe<ShardRegion.CurrentShardRegionState> state = TestProbe.create(node.system());
        ClusterSharding.get(node.system()).shardState().tell(new GetShardRegionState(HubLocks.KEY, state.getRef()));
        return state.receiveMessage(TIMEOUT).getShards().stream()
                .anyMatch(shard -> shard.getEntityIds().contains(hub.toString()));
    }
}
