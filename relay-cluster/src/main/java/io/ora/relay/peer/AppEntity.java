package io.ora.relay.peer;

import io.ora.core.identity.PeerId;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One app install, one sharded entity, keyed by the app id: the app's live relay session. Apps are routed exactly
 * like hubs, so a hub's reply reaches the app on whichever node the app is connected to.
 *
 * <p><b>Sharding contract.</b> Nothing here is durable: an app has no lock and the cloud stores no messages. After
 * a rebalance the app's connection re-attaches; after a node crash the app reconnects.
 */
public final class AppEntity {

    /** The sharding type of apps. */
    public static final EntityTypeKey<PeerCommand> KEY = EntityTypeKey.create(PeerCommand.class, "App");

    private AppEntity() {
    }

    /** Registers apps with cluster sharding on this node. */
    public static void init(ActorSystem<?> system, PeerSettings settings) {
        PeerSession.register(system, KEY, entity -> create(entity, settings), command -> command);
    }

    static Behavior<PeerCommand> create(EntityContext<PeerCommand> entity, PeerSettings settings) {
        return PeerSession.entity(PeerCommand.class, "app", new PeerId.App(entity.getEntityId()).urn(), entity,
                settings, command -> command,
                (receive, context, session) -> receive.onMessage(PeerCommand.class, session::handle));
    }
}
