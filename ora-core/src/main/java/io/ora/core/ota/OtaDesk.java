package io.ora.core.ota;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where the relay hands what a hub publishes about firmware (docs/ota.md): its checks ({@code ora/v1/hub/<uuid>/ota})
 * and its outcome reports ({@code .../ota/report}). The one place the relay role meets the role that distributes
 * firmware (the portal), so neither imports the other; a relay node without it gets {@link #unavailable()}.
 *
 * <p>The relay reads neither payload. It answers a check from a hub locked for a handover itself, without asking
 * here: the lock is the relay's (docs/handover.md), and a locked hub is never offered anything.
 */
public interface OtaDesk {

    /** What became of one report. */
    enum Receipt {
        /** Stored. */
        STORED,
        /** Not a report, or of no rollout the cloud has; nothing kept. Sending it again changes nothing. */
        REJECTED,
        /** Not taken now; nothing kept, the hub may send it again later. */
        UNAVAILABLE
    }

    /** The answer to a check from a node that cannot answer now. */
    byte[] WAIT_UNAVAILABLE = "{\"ota\":\"wait\",\"reason\":\"unavailable\"}".getBytes(StandardCharsets.US_ASCII);

    /**
     * The answer to a check {@code payload} from {@code hub} (the identity verified from its certificate), which is
     * not locked: the JSON document to send back. Completes normally, always.
     */
    CompletionStage<byte[]> check(UUID hub, byte[] payload);

    /** Takes a report {@code payload} from {@code hub}. Completes normally, always, once the outcome is final. */
    CompletionStage<Receipt> report(UUID hub, byte[] payload);

    /** A desk that takes nothing: for relay nodes without the role that distributes firmware. */
    static OtaDesk unavailable() {
        return new OtaDesk() {
            @Override
            public CompletionStage<byte[]> check(UUID hub, byte[] payload) {
                return CompletableFuture.completedFuture(WAIT_UNAVAILABLE.clone());
            }

            @Override
            public CompletionStage<Receipt> report(UUID hub, byte[] payload) {
                return CompletableFuture.completedFuture(Receipt.UNAVAILABLE);
            }
        };
    }
}
