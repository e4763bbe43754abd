package io.ora.relay.peer;

import io.ora.core.metrics.Metrics;
import io.ora.relay.api.HubLocks;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * This node's share of the sharded peers as gauges, {@code ora_relay_shards{type}} and
 * {@code ora_relay_entities{type}} (Pekko's sharding metrics, without Kamon's agent): asked of the shard region
 * every {@code interval} (its state is an actor's, so it is read by asking, not shared), and the last answer is what
 * a scrape sees. A region that does not answer within the interval leaves the last figures.
 */
public final class ShardingGauges implements AutoCloseable {

    private final Cancellable schedule;

    private ShardingGauges(Cancellable schedule) {
        this.schedule = schedule;
    }

    /** Starts asking the hub and app regions of this node. */
    public static ShardingGauges start(ActorSystem<?> system, Metrics metrics, Duration interval) {
        Region hubs = new Region(HubLocks.KEY, "hub", metrics);
        Region apps = new Region(AppEntity.KEY, "app", metrics);
        Cancellable schedule = system.scheduler().scheduleWithFixedDelay(interval, interval, () -> {
            hubs.refresh(system, interval);
            apps.refresh(system, interval);
        }, system.executionContext());
        return new ShardingGauges(schedule);
    }

    @Override
    public void close() {
        schedule.cancel();
    }

    private static final class Region {
        private final EntityTypeKey<?> key;
        private final AtomicLong shards = new AtomicLong();
        private final AtomicLong entities = new AtomicLong();

        Region(EntityTypeKey<?> key, String type, Metrics metrics) {
            this.key = key;
            metrics.gauge("ora_relay_shards", "Shards of peer entities hosted on this node, by type", "type", type,
                    shards::get);
            metrics.gauge("ora_relay_entities", "Live peer entities on this node, by type (as of the last count)",
                    "type", type, entities::get);
        }

        void refresh(ActorSystem<?> system, Duration timeout) {
            AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
                    ClusterSharding.get(system).shardState(),
                    replyTo -> new GetShardRegionState(key, replyTo), timeout, system.scheduler())
                    .thenAccept(state -> {
                        shards.set(state.getShards().size());
                        entities.set(state.getShards().stream().mapToLong(shard -> shard.getEntityIds().size())
                                .sum());
                    });
        }
    }
}
