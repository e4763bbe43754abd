package io.ora.relay.access;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * How far each app may reach each hub ({@link Scope}). A binding is symmetric: its scope governs the app publishing
 * to the hub's inbox and the hub publishing to the app's inbox alike. The relay asks on every PUBLISH, so
 * implementations answer from a cache and never block the caller.
 */
public interface Bindings {

    /**
     * The scope of {@code appId} (the app id of its identity, without {@code urn:ora:app:}) with {@code hub};
     * completes on some other thread if not cached. A failed stage means the answer is unknown, and the caller
     * refuses.
     */
    CompletionStage<Scope> scope(String appId, UUID hub);

    /**
     * A number that changes whenever any answer given before may have become stale (a change was announced, or
     * announcements stopped or resumed): a caller that keeps answers of its own (a connection, for the receivers it
     * publishes to) keeps them only while this stays the same, and for no longer than the bindings' own cache does.
     */
    long generation();

    /**
     * How long a caller may keep an answer it is given now, while {@link #generation} stays the same: no longer than
     * the bindings keep it themselves.
     */
    Duration answerLifetime();
}
