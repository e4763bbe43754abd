package io.ora.relay;

import io.ora.relay.api.HubLocks;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.FishingOutcome;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.pattern.StatusReply;

/**
 * The relay's hub-lock service as another role uses it: found through the cluster receptionist of a node and
 * spoken to only in the {@link HubLocks} protocol, with test probes for replies.
 */
public final class HubLockClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final ActorSystem<?> system;
    private final ActorRef<HubLocks.Command> service;

    private HubLockClient(ActorSystem<?> system, ActorRef<HubLocks.Command> service) {
        this.system = system;
        this.service = service;
    }

    /** A client of {@code service}, with reply probes on {@code system}. */
    public static HubLockClient of(ActorSystem<?> system, ActorRef<HubLocks.Command> service) {
        return new HubLockClient(system, service);
    }

    /** Waits until {@code system}'s receptionist lists {@code count} services, and returns them. */
    public static Set<ActorRef<HubLocks.Command>> awaitServices(ActorSystem<?> system, int count) {
        TestProbe<Receptionist.Listing> listings = TestProbe.create(system);
        system.receptionist().tell(Receptionist.subscribe(HubLocks.KEY, listings.getRef()));
        List<Receptionist.Listing> seen = listings.fishForMessage(TIMEOUT, listing -> complete(listing, count));
        return seen.get(seen.size() - 1).getServiceInstances(HubLocks.KEY);
    }

    private static FishingOutcome complete(Receptionist.Listing listing, int count) {
        return listing.getServiceInstances(HubLocks.KEY).size() >= count
                ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore();
    }

    public StatusReply<Done> lock(UUID hub, String holder) {
        TestProbe<StatusReply<Done>> reply = TestProbe.create(system);
        service.tell(new HubLocks.Lock(hub, holder, reply.getRef()));
        return reply.receiveMessage(TIMEOUT);
    }

    public StatusReply<Done> release(UUID hub, String holder) {
        TestProbe<StatusReply<Done>> reply = TestProbe.create(system);
        service.tell(new HubLocks.Release(hub, holder, reply.getRef()));
        return reply.receiveMessage(TIMEOUT);
    }

    public HubLocks.LockStatus query(UUID hub) {
        TestProbe<HubLocks.LockStatus> reply = TestProbe.create(system);
        service.tell(new HubLocks.Query(hub, reply.getRef()));
        return reply.receiveMessage(TIMEOUT);
    }
}
