package io.ora.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.ora.core.topic.Topics;
import io.ora.hubkit.PeerCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Arbitrary bytes sent to the MQTT port — before TLS, or inside a properly authenticated TLS session — never take
 * the node down and never disturb another peer's traffic: after every attempt a bystander app still reaches its hub
 * with QoS 1 end to end.
 */
class RelayFuzzIT {

    private static TestRelay relay;
    private static Mqtt5BlockingClient bystanderHub;
    private static Mqtt5BlockingClient bystanderApp;
    private static PeerCredentials attacker;
    private static String inbox;

    @BeforeContainer
    static void start() throws IOException {
        Path dir = Files.createTempDirectory("relay-fuzz");
        relay = TestRelay.start(dir);
        UUID hub = UUID.randomUUID();
        String app = "app-" + UUID.randomUUID();
        relay.grant(app, hub);
        inbox = Topics.hubInbox(hub);
        bystanderHub = RelayTestKit.connect(relay, relay.hub(hub));
        bystanderHub.subscribeWith().topicFilter(inbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
        bystanderApp = RelayTestKit.connect(relay, relay.app(app));
        attacker = relay.app("attacker-" + UUID.randomUUID());
    }

    @AfterContainer
    static void stop() {
        bystanderApp.disconnect();
        bystanderHub.disconnect();
        relay.close();
    }

    @Property(tries = 60)
    void garbageNeverHurtsTheNodeOrAnotherConnection(@ForAll @Size(max = 3000) byte[] garbage,
                                                     @ForAll boolean insideTls) throws IOException {
        try (RawMqttClient client = insideTls ? RawMqttClient.tls(attacker.sslContext(), relay.port())
                : RawMqttClient.plain(relay.port())) {
            try {
                client.sendBytes(garbage);
                client.readUntilClosed(Duration.ofMillis(300));
            } catch (IOException closedOrSilent) {
                // The relay closed the connection, or is still waiting for more bytes: both are fine.
            }
        }

        assertThat(RelayTestKit.publishQos1(bystanderApp, inbox, garbage.length == 0 ? new byte[] {1} : garbage))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    }
}
