package io.ora.portal;

import io.ora.relay.api.HubLocks;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.pattern.StatusReply;

/**
 * The relay's hub-lock service as the portal sees it, for portal tests that run without a relay: it speaks the
 * real {@link HubLocks} protocol through the real receptionist and keeps the locks in memory, so a test can read
 * what the portal asked for. The relay's own service (over sharded, persistent hub entities) is tested in
 * relay-cluster, and both together in the node's end-to-end test.
 */
final class TestHubLocks {

    private final Map<UUID, String> locks = new ConcurrentHashMap<>();
    private volatile boolean answering = true;

    Behavior<HubLocks.Command> behavior() {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.register(HubLocks.KEY, context.getSelf()));
            return Behaviors.receive(HubLocks.Command.class)
                    .onMessage(HubLocks.Lock.class, lock -> {
                        if (answering) {
                            locks.put(lock.hub(), lock.holder());
                            lock.replyTo().tell(StatusReply.ack());
                        }
                        return Behaviors.same();
                    })
                    .onMessage(HubLocks.Release.class, release -> {
                        if (answering) {
                            locks.remove(release.hub(), release.holder());
                            release.replyTo().tell(StatusReply.ack());
                        }
                        return Behaviors.same();
                    })
                    .onMessage(HubLocks.Query.class, query -> {
                        String holder = locks.get(query.hub());
                        query.replyTo().tell(new HubLocks.LockStatus(holder != null, holder == null ? "" : holder));
                        return Behaviors.same();
                    })
                    .build();
        });
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
