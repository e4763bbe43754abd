package io.ora.relay.peer;

import io.ora.core.identity.PeerId;
import io.ora.relay.api.HubLocks;
import io.ora.relay.delivery.Connection;
import io.ora.relay.delivery.Envelope;
import io.ora.relay.delivery.Location;
import io.ora.relay.delivery.Router;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The one place that knows which sharded entity a peer is: the edge and the rest of the node address peers by
 * {@link PeerId} and never see entity types. Phase 2 routes commands and stream sessions through here too.
 */
public final class PeerRouter implements Router {

    private final ClusterSharding sharding;

    public PeerRouter(ActorSystem<?> system) {
        this.sharding = ClusterSharding.get(system);
    }

    /** Starts hub and app sharding on this node. */
    public static PeerRouter start(ActorSystem<?> system, PeerSettings settings) {
        // Both types' series from the start, at 0, for rates and alerts.
        for (String type : new String[] {"hub", "app"}) {
            PeerSession.started(settings.metrics(), type);
            PeerSession.stopped(settings.metrics(), type);
        }
        HubEntity.init(system, settings);
        AppEntity.init(system, settings);
        return new PeerRouter(system);
    }

    @Override
    public void attach(PeerId peer, ActorRef<Connection.Command> connection) {
        tell(peer, new PeerCommand.Attach(connection));
    }

    @Override
    public void detach(PeerId peer, ActorRef<Connection.Command> connection) {
        tell(peer, new PeerCommand.Detach(connection));
    }

    @Override
    public void deliver(PeerId receiver, Envelope envelope, ActorRef<Location> learner) {
        tell(receiver, new PeerCommand.Deliver(envelope, learner));
    }

    @Override
    public void checkOta(PeerId.Hub hub, ActorRef<Connection.Command> connection, int qos, int packetId,
                         byte[] payload) {
        sharding.entityRefFor(HubLocks.KEY, hub.uuid().toString())
                .tell(new HubEntity.OtaCheck(connection, qos, packetId, payload));
    }

    /**
     * Releases the durable lock of a hub, whoever holds it (operators, tests). Other roles lock and release through
     * {@link HubLocks}, asking the entity themselves.
     */
    public CompletionStage<Done> unlock(UUID hub, Duration timeout) {
        return sharding.entityRefFor(HubLocks.KEY, hub.toString())
                .askWithStatus(HubEntity.Unlock::new, timeout);
    }

    /** The lock and session status of a hub. */
    public CompletionStage<HubEntity.Status> status(UUID hub, Duration timeout) {
        return sharding.entityRefFor(HubLocks.KEY, hub.toString()).ask(HubEntity.GetStatus::new, timeout);
    }

    private void tell(PeerId peer, PeerCommand command) {
        if (peer instanceof PeerId.Hub hub) {
            sharding.entityRefFor(HubLocks.KEY, hub.uuid().toString()).tell(command);
        } else if (peer instanceof PeerId.App app) {
            sharding.entityRefFor(AppEntity.KEY, app.id()).tell(command);
        }
    }
}
