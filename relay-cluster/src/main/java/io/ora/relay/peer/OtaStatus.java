package io.ora.relay.peer;

import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import io.ora.relay.delivery.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * What the relay answers a hub that checks for a firmware update (docs/mqtt.md, "OTA status"): a small JSON
 * document the relay writes itself, on the hub's {@link Topics#otaStatus} topic, from the relay as sender. Until
 * the OTA service exists no update is ever offered ({@link #NONE}); a hub in handover lockdown is told to wait
 * ({@link #WAIT_FOR_HANDOVER}), so it will not update while its project changes hands.
 */
enum OtaStatus {

    /** No update is offered. */
    NONE("{\"ota\":\"none\"}"),
    /** The hub is locked for a handover: do not update now, check again later. */
    WAIT_FOR_HANDOVER("{\"ota\":\"wait\",\"reason\":\"pending_handover\"}");

    private final String json;

    OtaStatus(String json) {
        this.json = json;
    }

    /** The status of a hub whose durable state is {@code state}. */
    static OtaStatus of(HubEntity.State state) {
        return state.locked() ? WAIT_FOR_HANDOVER : NONE;
    }

    /** The exact bytes sent to the hub. */
    String json() {
        return json;
    }

    /**
     * The answer to {@code check}, at the request's QoS; for QoS 1 its outcome goes back to the requesting
     * connection as the outcome of the request, so the hub's PUBACK reports whether the answer reached it.
     */
    Envelope answer(PeerId.Hub hub, HubEntity.OtaCheck check) {
        boolean acknowledged = check.qos() > 0;
        return new Envelope(Topics.otaStatus(hub), json.getBytes(StandardCharsets.UTF_8), acknowledged ? 1 : 0,
                Envelope.RELAY_SENDER, List.of(), check.packetId(),
                acknowledged ? Optional.of(check.connection()) : Optional.empty());
    }
}
