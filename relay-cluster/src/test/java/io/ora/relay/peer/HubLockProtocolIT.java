package io.ora.relay.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import io.ora.persistence.TestDatabase;
import io.ora.relay.HubLockClient;
import io.ora.relay.Relay;
import io.ora.relay.TestRelay;
import io.ora.relay.api.HubLocks;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub lock as the portal uses it, on a real relay node over the real journal: each hub's entity asked directly
 * through sharding (from a node without the relay role, through its proxy), acknowledging only persisted changes,
 * releasing only for the holder, and safe to retry.
 */
class HubLockProtocolIT {

    private static final HubLocks.LockStatus UNLOCKED = new HubLocks.LockStatus(false, "");

    @TempDir
    static Path dir;
    static TestRelay relay;
    static HikariDataSource journal;
    static HubLockClient locks;

    @BeforeAll
    static void start() {
        relay = TestRelay.start(dir);
        journal = TestDatabase.dataSource();
        locks = HubLockClient.of(relay.system());
    }

    @AfterAll
    static void stop() {
        relay.close();
        journal.close();
    }

    @Test
    void aNodeWithoutTheRelayRoleReachesTheHubsThroughItsProxyAndTheyAnswer() {
        ActorSystem<Void> portal = ActorSystem.create(Behaviors.empty(), "ora", ConfigFactory.parseMap(Map.of(
                        "pekko.cluster.roles", List.of("portal")))
                .withFallback(Relay.persistenceConfig(TestDatabase.connection()))
                .withFallback(ConfigFactory.load()));
        try {
            Cluster cluster = Cluster.get(portal);
            cluster.manager().tell(Join.create(Cluster.get(relay.system()).selfMember().address()));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(
                    () -> cluster.selfMember().status() == MemberStatus.up());
            HubLocks.startProxy(portal);
            HubLockClient found = HubLockClient.of(portal);
            UUID hub = UUID.randomUUID();

            assertThat(found.query(hub)).isEqualTo(UNLOCKED);
            assertAck(found.lock(hub, "project-0"));
            assertThat(locks.query(hub)).as("seen on the relay node").isEqualTo(new HubLocks.LockStatus(true,
                    "project-0"));
            assertThat(hosts(portal)).as("the portal node hosts no hub").isFalse();
        } finally {
            portal.terminate();
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> portal.whenTerminated().isCompleted());
        }
    }

    /** Whether {@code node} runs any hub entity, as its shard region reports it. */
    private static boolean hosts(ActorSystem<?> node) {
        TestProbe<ShardRegion.CurrentShardRegionState> state = TestProbe.create(node);
        ClusterSharding.get(node).shardState().tell(new GetShardRegionState(HubLocks.KEY, state.getRef()));
        return !state.receiveMessage(Duration.ofSeconds(15)).getShards().isEmpty();
    }

    @Test
    void aLockIsSeenByQueriesAndByTheHubsEntityUntilItsHolderReleasesIt() throws Exception {
        UUID hub = UUID.randomUUID();
        assertThat(locks.query(hub)).isEqualTo(UNLOCKED);

        assertAck(locks.lock(hub, "project-1"));

        assertThat(locks.query(hub)).isEqualTo(new HubLocks.LockStatus(true, "project-1"));
        assertThat(relay.relay().router().status(hub, Duration.ofSeconds(5)).toCompletableFuture().get())
                .isEqualTo(new HubEntity.Status(true, "project-1", false));

        assertAck(locks.release(hub, "project-1"));

        assertThat(locks.query(hub)).isEqualTo(UNLOCKED);
    }

    @Test
    void anotherHolderCannotReleaseTheLock() {
        UUID hub = UUID.randomUUID();
        assertAck(locks.lock(hub, "project-1"));

        assertAck(locks.release(hub, "project-2"));

        assertThat(locks.query(hub)).isEqualTo(new HubLocks.LockStatus(true, "project-1"));
        assertThat(events(hub)).as("a release by another holder persists nothing").isEqualTo(1);
        assertAck(locks.release(hub, "project-1"));
        assertThat(locks.query(hub)).isEqualTo(UNLOCKED);
    }

    @Test
    void retriedLocksAndReleasesAreAcknowledgedAndPersistNothingMore() {
        UUID hub = UUID.randomUUID();

        assertAck(locks.release(hub, "project-1"));
        assertThat(events(hub)).as("releasing an unlocked hub persists nothing").isZero();
        assertAck(locks.lock(hub, "project-1"));
        assertAck(locks.lock(hub, "project-1"));
        assertAck(locks.lock(hub, "project-1"));
        assertThat(events(hub)).isEqualTo(1);
        assertAck(locks.release(hub, "project-1"));
        assertAck(locks.release(hub, "project-1"));

        assertThat(events(hub)).isEqualTo(2);
        assertThat(locks.query(hub)).isEqualTo(UNLOCKED);
    }

    @Test
    void theLatestLockWinsAndAStaleReleaseOfTheFormerHolderChangesNothing() {
        UUID hub = UUID.randomUUID();
        assertAck(locks.lock(hub, "project-1"));

        assertAck(locks.lock(hub, "project-2"));
        assertAck(locks.release(hub, "project-1"));

        assertThat(locks.query(hub)).isEqualTo(new HubLocks.LockStatus(true, "project-2"));
    }

    @Test
    void aBlankOrOverlongHolderIsRefusedAndNothingIsPersisted() {
        UUID hub = UUID.randomUUID();

        assertThat(locks.lock(hub, "").getError()).hasMessageContaining("must not be blank");
        assertThat(locks.lock(hub, "  ").getError()).hasMessageContaining("must not be blank");
        assertThat(locks.lock(hub, null).getError()).hasMessageContaining("must not be blank");
        assertThat(locks.lock(hub, "p".repeat(HubLocks.MAX_HOLDER_LENGTH + 1)).getError())
                .hasMessageContaining("at most " + HubLocks.MAX_HOLDER_LENGTH);
        assertThat(locks.release(hub, " ").getError()).hasMessageContaining("must not be blank");

        assertThat(locks.query(hub)).isEqualTo(UNLOCKED);
        assertThat(events(hub)).isZero();
        assertAck(locks.lock(hub, "p".repeat(HubLocks.MAX_HOLDER_LENGTH)));
    }

    private static void assertAck(StatusReply<Done> reply) {
        assertThat(reply.isSuccess()).as(() -> reply.isError() ? reply.getError().getMessage() : "").isTrue();
    }

    /** Events in the hub's journal: proof of what was persisted, read from PostgreSQL itself. */
    private static long events(UUID hub) {
        try (Connection connection = journal.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT count(*) FROM event_journal WHERE persistence_id = ?")) {
            select.setString(1, HubLocks.KEY.name() + "|" + hub);
            try (ResultSet count = select.executeQuery()) {
                count.next();
                return count.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
