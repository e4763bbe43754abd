package io.ora.node;

import io.ora.core.metrics.Metrics;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/** The node's one {@link Metrics} registry, reachable from anything that has the actor system. */
public final class NodeMetrics implements Extension {

    /** The extension id. */
    public static final ExtensionId<NodeMetrics> ID = new ExtensionId<>() {
        @Override
        public NodeMetrics createExtension(ActorSystem<?> system) {
            return new NodeMetrics();
        }
    };

    private final Metrics metrics = new Metrics();

    private NodeMetrics() {
    }

    public static Metrics get(ActorSystem<?> system) {
        return system.registerExtension(ID).metrics;
    }
}
