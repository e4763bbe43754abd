package io.ora.relay.peer;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.ora.hubkit.RelayClients;
import io.ora.relay.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer entity passivates itself once it has held no connection for {@code idle-passivation}, and only then:
 * sharding's own idle passivation never stops an entity whose connection is live but quiet, even on a node whose
 * config turns it on (as the shipped jar's merged {@code reference.conf} once did).
 */
class PeerPassivationIT {

    private static final String HUB = "hub";

    @TempDir
    Path dir;

    @Test
    void aQuietConnectedHubKeepsItsEntityAndAnUnconnectedOnePassivatesItself() {
        Map<String, Object> config = Map.of(
                "pekko.cluster.sharding.passivation.strategy", "default-idle-strategy",
                "pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout", "300ms",
                "ora.relay.sessions.idle-passivation", "300ms",
                "ora.relay.sessions.count-interval", "100ms");
        try (TestRelay relay = TestRelay.start(dir, config, null)) {
            Mqtt5BlockingClient hub = RelayClients.mqtt5(relay.hub(UUID.randomUUID()), "127.0.0.1", relay.port())
                    .buildBlocking();
            hub.connect();
            Awaitility.await().until(() -> relay.metric("ora_relay_entities_started_total", "type", HUB) >= 1);
            // The node's count of its shards and live entities sees it too.
            Awaitility.await().until(() -> relay.metric("ora_relay_entities", "type", HUB) == 1
                    && relay.metric("ora_relay_shards", "type", HUB) >= 1);

            // Several of sharding's idle timeouts pass with the connection quiet: the one entity must stay, not be
            // stopped and started again behind the connection's back.
            Awaitility.await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                    .until(() -> relay.metric("ora_relay_entities_stopped_total", "type", HUB) == 0
                            && relay.metric("ora_relay_entities_started_total", "type", HUB) == 1);

            hub.disconnect();
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> relay.metric("ora_relay_entities_stopped_total", "type", HUB) == 1);
            Awaitility.await().until(() -> relay.metric("ora_relay_entities", "type", HUB) == 0);
        }
    }
}
