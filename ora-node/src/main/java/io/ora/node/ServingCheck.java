package io.ora.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Readiness check (pekko-management {@code /ready}): the node is ready only once every role it plays is serving
 * (for the relay: its MQTT listener is bound), not merely when it has joined the cluster. A load balancer that sends
 * traffic on {@code /ready} therefore never sends a hub to a node that would refuse it.
 */
public final class ServingCheck implements Supplier<CompletionStage<Boolean>> {

    private final Flag flag;

    /** Constructed by pekko-management from {@code management.conf}. */
    public ServingCheck(ActorSystem system) {
        this.flag = Adapter.toTyped(system).registerExtension(Flag.ID);
    }

    @Override
    public CompletionStage<Boolean> get() {
        return CompletableFuture.completedFuture(flag.serving);
    }

    /** Marks the node of {@code system} as serving. */
    static void markServing(org.apache.pekko.actor.typed.ActorSystem<?> system) {
        system.registerExtension(Flag.ID).serving = true;
    }

    /** Holds the flag for one actor system. */
    static final class Flag implements Extension {
        static final ExtensionId<Flag> ID = new ExtensionId<>() {
            @Override
            public Flag createExtension(org.apache.pekko.actor.typed.ActorSystem<?> system) {
                return new Flag();
            }
        };

        private volatile boolean serving;
    }
}
