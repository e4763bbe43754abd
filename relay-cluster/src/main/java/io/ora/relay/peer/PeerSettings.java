package io.ora.relay.peer;

import io.ora.core.metrics.Metrics;
import io.ora.relay.RelaySettings;
import java.time.Duration;

/** What a peer entity needs from the node: when it passivates and where it counts. */
public record PeerSettings(Duration idlePassivation, Metrics metrics) {

    /** From the relay's settings. */
    public static PeerSettings from(RelaySettings settings, Metrics metrics) {
        return new PeerSettings(settings.sessions().idlePassivation(), metrics);
    }
}
