package io.ora.relay.peer;

import io.ora.core.metrics.Metrics;
import io.ora.core.ota.OtaDesk;
import io.ora.relay.RelaySettings;
import java.time.Duration;

/**
 * What a peer entity needs from the node: when it passivates, where it counts, and where a hub's firmware check goes
 * when the hub is not locked.
 */
public record PeerSettings(Duration idlePassivation, Metrics metrics, OtaDesk ota) {

    /** From the relay's settings. */
    public static PeerSettings from(RelaySettings settings, Metrics metrics, OtaDesk ota) {
        return new PeerSettings(settings.sessions().idlePassivation(), metrics, ota);
    }
}
