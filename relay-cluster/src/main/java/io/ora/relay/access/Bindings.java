package io.ora.relay.access;

import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Which app may exchange messages with which hub. A binding is symmetric: it lets the app publish to the hub's
 * inbox and the hub publish to the app's inbox. The relay asks on every PUBLISH, so implementations answer from a
 * cache and never block the caller.
 */
public interface Bindings {

    /** Whether {@code appId} and {@code hub} are bound; completes on some other thread if not cached. */
    CompletionStage<Boolean> allowed(String appId, UUID hub);
}
