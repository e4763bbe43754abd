package io.ora.portal.handover;

import io.ora.relay.api.HubLocks;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.pattern.StatusReply;

/**
 * {@link HubLockdown} through the relay's hub-lock service ({@link HubLocks}), found with the cluster receptionist:
 * any relay node's service reaches every hub's sharded entity, so the portal needs no sharding of its own and no
 * code of the relay. Fails (for the sweeper to retry) when no relay node is up or one does not answer in time.
 */
public final class ClusterHubLockdown implements HubLockdown {

    private final ActorSystem<?> system;
    private final Duration timeout;

    public ClusterHubLockdown(ActorSystem<?> system, Duration timeout) {
        this.system = system;
        this.timeout = timeout;
    }

    @Override
    public CompletionStage<Void> lock(UUID project, List<UUID> hubs) {
        return each(hubs, (service, hub) -> AskPattern.ask(service,
                replyTo -> new HubLocks.Lock(hub, project.toString(), replyTo), timeout, system.scheduler()));
    }

    @Override
    public CompletionStage<Void> release(UUID project, List<UUID> hubs) {
        return each(hubs, (service, hub) -> AskPattern.ask(service,
                replyTo -> new HubLocks.Release(hub, project.toString(), replyTo), timeout, system.scheduler()));
    }

    private interface Request {
        CompletionStage<StatusReply<Done>> send(ActorRef<HubLocks.Command> service,
                                                                          UUID hub);
    }

    private CompletionStage<Void> each(List<UUID> hubs, Request request) {
        if (hubs.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return service().thenCompose(service -> CompletableFuture.allOf(hubs.stream()
                .map(hub -> request.send(service, hub).thenAccept(reply -> {
                    if (reply.isError()) {
                        throw new IllegalStateException("hub " + hub + " refused: " + reply.getError().getMessage());
                    }
                }).toCompletableFuture())
                .toArray(CompletableFuture[]::new)));
    }

    private CompletionStage<ActorRef<HubLocks.Command>> service() {
        return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                        replyTo -> Receptionist.find(HubLocks.KEY, replyTo), timeout, system.scheduler())
                .thenApply(listing -> {
                    Set<ActorRef<HubLocks.Command>> services = listing.getServiceInstances(HubLocks.KEY);
                    if (services.isEmpty()) {
                        throw new IllegalStateException("no relay node offers the hub-lock service");
                    }
                    List<ActorRef<HubLocks.Command>> all = List.copyOf(services);
                    return all.get(ThreadLocalRandom.current().nextInt(all.size()));
                });
    }
}
