package io.ora.relay.peer;

import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import io.ora.relay.delivery.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * How the relay answers a hub that checks for a firmware update (docs/mqtt.md, "OTA status"): a JSON document on the
 * hub's {@link Topics#otaStatus} topic, from the relay as sender. A hub in handover lockdown is told to wait
 * ({@link #WAIT_FOR_HANDOVER}) by its lock, so it never updates while its project changes hands; any other answer is
 * the OTA desk's (docs/ota.md).
 */
final class OtaStatus {

    /** The hub is locked for a handover: do not update now, check again later. */
    static final byte[] WAIT_FOR_HANDOVER = "{\"ota\":\"wait\",\"reason\":\"pending_handover\"}"
            .getBytes(StandardCharsets.US_ASCII);

    private OtaStatus() {
    }

    /**
     * {@code json} as the answer to {@code check}, at the request's QoS; for QoS 1 its outcome goes back to the
     * requesting connection as the outcome of the request, so the hub's PUBACK reports whether the answer reached it.
     */
    static Envelope answer(PeerId.Hub hub, HubEntity.OtaCheck check, byte[] json) {
        boolean acknowledged = check.qos() > 0;
        return new Envelope(Topics.otaStatus(hub), json.clone(), acknowledged ? 1 : 0, Envelope.RELAY_SENDER,
                List.of(), check.packetId(), acknowledged ? Optional.of(check.connection()) : Optional.empty());
    }
}
