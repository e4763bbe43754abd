package io.ora.relay.lockdown;

import io.ora.core.concurrent.Failures;
import io.ora.relay.api.HubLocks;
import io.ora.relay.peer.PeerRouter;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.pattern.StatusReply;

/**
 * The relay's hub-lock service ({@link HubLocks}): one per relay node, registered with the cluster receptionist
 * under {@link HubLocks#KEY}. It forwards each command to the hub's sharded {@code HubEntity}, wherever in the
 * cluster that lives, and answers with the entity's reply, so the guarantees are the entity's: an acknowledgement
 * means the lock event is persisted.
 *
 * <p>Stateless. Each command is one ask to the entity bounded by {@code ora.relay.lockdown.ask-timeout}; a lock or
 * release the entity does not confirm in time is answered with an error (the caller may retry: both are
 * idempotent), a query is then not answered. Answers are sent straight from the ask's completion: they touch no
 * actor state, so they need no trip back through the mailbox.
 */
public final class HubLockService {

    private HubLockService() {
    }

    /** The service over {@code router}'s hub entities; it registers itself with the receptionist when started. */
    public static Behavior<HubLocks.Command> create(PeerRouter router, Duration askTimeout) {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.register(HubLocks.KEY, context.getSelf()));
            return Behaviors.receive(HubLocks.Command.class)
                    .onMessage(HubLocks.Lock.class, lock -> {
                        answer(lock.hub(), router.lock(lock.hub(), lock.holder(), askTimeout), lock.replyTo(),
                                askTimeout);
                        return Behaviors.same();
                    })
                    .onMessage(HubLocks.Release.class, release -> {
                        answer(release.hub(), router.release(release.hub(), release.holder(), askTimeout),
                                release.replyTo(), askTimeout);
                        return Behaviors.same();
                    })
                    .onMessage(HubLocks.Query.class, query -> {
                        router.status(query.hub(), askTimeout).thenAccept(status ->
                                query.replyTo().tell(new HubLocks.LockStatus(status.locked(), status.holder())));
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    private static void answer(UUID hub, CompletionStage<Done> outcome, ActorRef<StatusReply<Done>> replyTo,
                               Duration askTimeout) {
        outcome.whenComplete((done, failure) -> replyTo.tell(failure == null
                ? StatusReply.ack() : toReply(hub, Failures.cause(failure), askTimeout)));
    }

    /** The one place a failed ask becomes the caller's error. */
    private static StatusReply<Done> toReply(UUID hub, Throwable failure, Duration askTimeout) {
        if (failure instanceof StatusReply.ErrorMessage refused) {
            return StatusReply.error(refused.getMessage());
        }
        if (failure instanceof TimeoutException) {
            return StatusReply.error("hub " + hub + " did not answer within " + askTimeout.toMillis() + " ms");
        }
        return StatusReply.error("hub " + hub + " could not be reached (" + failure.getClass().getSimpleName() + ")");
    }
}
