package io.ora.portal.handover;

import io.ora.relay.api.HubLocks;
import io.ora.relay.api.HubMessage;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;

/**
 * {@link HubLock} by asking each hub's sharded entity directly, in the relay's {@link HubLocks} protocol: through
 * this node's sharding, which on a node without the relay role is a proxy ({@link HubLocks#startProxy}, started with
 * the portal), so the portal needs no code of the relay. Fails (for the sweeper to retry) when a hub refuses, or does
 * not confirm within the timeout (no relay node up, say).
 */
public final class ShardedHubLock implements HubLock {

    private final ClusterSharding sharding;
    private final Duration timeout;

    public ShardedHubLock(ActorSystem<?> system, Duration timeout) {
        this.sharding = ClusterSharding.get(system);
        this.timeout = timeout;
    }

    @Override
    public CompletionStage<Void> lock(UUID project, List<UUID> hubs) {
        return each(hubs, replyTo -> new HubLocks.Lock(project.toString(), replyTo));
    }

    @Override
    public CompletionStage<Void> release(UUID project, List<UUID> hubs) {
        return each(hubs, replyTo -> new HubLocks.Release(project.toString(), replyTo));
    }

    private CompletionStage<Void> each(List<UUID> hubs, Function<ActorRef<StatusReply<Done>>, HubMessage> command) {
        return CompletableFuture.allOf(hubs.stream()
                .map(hub -> sharding.entityRefFor(HubLocks.KEY, hub.toString())
                        .askWithStatus(command::apply, timeout).toCompletableFuture())
                .toArray(CompletableFuture[]::new));
    }
}
