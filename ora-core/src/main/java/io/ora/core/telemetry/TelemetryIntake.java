package io.ora.core.telemetry;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where the relay hands what a hub publishes on its telemetry channel ({@code ora/v1/hub/<uuid>/telemetry}): the
 * one place the relay role meets the ingest role, so neither imports the other. The node that plays both roles
 * passes its ingest pipeline to its relay; a relay without a local ingest role gets {@link #unavailable()}.
 *
 * <p>The payload is the hub's bytes as published. The relay never reads them; the ingest filter decides what, if
 * anything, is kept (docs/ingest.md).
 */
@FunctionalInterface
public interface TelemetryIntake {

    /** What became of one submitted payload. */
    enum Receipt {
        /** Every sample the filter kept is durable in storage (committed). */
        STORED,
        /** The payload was refused by the filter (malformed, too large, denied keys, no metric); nothing was kept.
         * Sending it again changes nothing. */
        REJECTED,
        /** Not taken now (the pipeline is full, storage is failing, or the node is stopping); nothing was kept, and
         * the sender may try again later. */
        UNAVAILABLE
    }

    /**
     * Submits one payload from {@code hub} (the identity verified from its certificate). The stage completes once
     * the outcome is final, and never exceptionally; for {@link Receipt#STORED} only after the commit.
     */
    CompletionStage<Receipt> submit(UUID hub, byte[] payload);

    /** An intake that takes nothing: for nodes that play the relay role without the ingest role. */
    static TelemetryIntake unavailable() {
        return (hub, payload) -> CompletableFuture.completedFuture(Receipt.UNAVAILABLE);
    }
}
