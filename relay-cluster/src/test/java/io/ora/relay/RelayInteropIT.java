package io.ora.relay;

import static io.ora.relay.RelayTestKit.connect;
import static io.ora.relay.RelayTestKit.mosquitto;
import static io.ora.relay.RelayTestKit.onPath;
import static io.ora.relay.RelayTestKit.pubAckCode;
import static io.ora.relay.RelayTestKit.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import io.ora.hubkit.PeerCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay against MQTT clients nobody here wrote, over real TLS 1.3 sockets: HiveMQ (MQTT 5), Eclipse Paho (MQTT
 * 3.1.1) and the mosquitto command-line clients. Every test uses fresh identities.
 */
class RelayInteropIT {

    @TempDir
    static Path dir;
    static TestRelay relay;

    @BeforeAll
    static void start() {
        relay = TestRelay.start(dir);
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    @Test
    void mqtt5AppReachesItsHubAndTheHubLearnsTheVerifiedSender() {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        relay.grant(appId, hubId);
        Mqtt5BlockingClient hub = mqtt5(relay.hub(hubId));
        Mqtt5BlockingClient app = mqtt5(relay.app(appId));
        String inbox = Topics.hubInbox(hubId);
        byte[] payload = randomBytes(256);
        try (Mqtt5BlockingClient.Mqtt5Publishes received = hub.publishes(MqttGlobalPublishFilter.ALL)) {
            hub.subscribeWith().topicFilter(inbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5PublishResult result = app.publishWith().topic(inbox).qos(MqttQos.AT_LEAST_ONCE).payload(payload)
                    .userProperties().add("ora-sender", "urn:ora:app:someone-else").add("trace", "t-1")
                    .applyUserProperties().send();

            assertThat(pubAckCode(result)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            Mqtt5Publish delivered = received.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(delivered.getTopic().toString()).isEqualTo(inbox);
            assertThat(delivered.getPayloadAsBytes()).isEqualTo(payload);
            assertThat(delivered.getUserProperties().asList())
                    .extracting(p -> p.getName().toString() + "=" + p.getValue().toString())
                    .containsExactlyInAnyOrder("trace=t-1", "ora-sender=urn:ora:app:" + appId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            hub.disconnect();
            app.disconnect();
        }
    }

    @Test
    void hubAnswersTheAppOverTheAppsInbox() throws InterruptedException {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        relay.grant(appId, hubId);
        Mqtt5BlockingClient hub = mqtt5(relay.hub(hubId));
        Mqtt5BlockingClient app = mqtt5(relay.app(appId));
        String appInbox = Topics.inbox(new PeerId.App(appId));
        try (Mqtt5BlockingClient.Mqtt5Publishes received = app.publishes(MqttGlobalPublishFilter.ALL)) {
            app.subscribeWith().topicFilter(appInbox + "/#").qos(MqttQos.AT_MOST_ONCE).send();
            hub.publishWith().topic(appInbox + "/status").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("on".getBytes(StandardCharsets.UTF_8)).send();

            Mqtt5Publish delivered = received.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(delivered.getTopic().toString()).isEqualTo(appInbox + "/status");
            assertThat(new String(delivered.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("on");
            assertThat(delivered.getQos()).isEqualTo(MqttQos.AT_MOST_ONCE);
        } finally {
            hub.disconnect();
            app.disconnect();
        }
    }

    @Test
    void paho311SubscriberSeesTheSenderAsATopicSuffix() throws Exception {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        relay.grant(appId, hubId);
        PeerCredentials hubCredentials = relay.hub(hubId);
        MqttClient hub = new MqttClient("ssl://127.0.0.1:" + relay.port(), hubCredentials.identity().urn(),
                new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setSocketFactory(hubCredentials.sslContext().getSocketFactory());
        options.setCleanSession(true);
        hub.connect(options);
        BlockingQueue<Map.Entry<String, MqttMessage>> received = new LinkedBlockingQueue<>();
        String inbox = Topics.hubInbox(hubId);
        hub.subscribe(inbox + "/#", 1, (topic, message) -> received.add(Map.entry(topic, message)));
        Mqtt5BlockingClient app = mqtt5(relay.app(appId));
        byte[] payload = randomBytes(64);
        try {
            Mqtt5PublishResult result = app.publishWith().topic(inbox).qos(MqttQos.AT_LEAST_ONCE).payload(payload)
                    .send();

            assertThat(pubAckCode(result)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            Map.Entry<String, MqttMessage> delivered = received.poll(5, TimeUnit.SECONDS);
            assertThat(delivered).isNotNull();
            assertThat(delivered.getKey()).isEqualTo(inbox + "/urn:ora:app:" + appId);
            assertThat(delivered.getValue().getPayload()).isEqualTo(payload);
        } finally {
            hub.disconnect();
            hub.close();
            app.disconnect();
        }
    }

    @Test
    void mosquittoClientsExchangeBytesBothWaysExactly() throws Exception {
        assumeTrue(onPath("mosquitto_pub") && onPath("mosquitto_sub"),
                "mosquitto_pub/mosquitto_sub not installed (Debian package mosquitto-clients; .ci/run installs it)");
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        relay.grant(appId, hubId);
        relay.hub(hubId);
        PeerId hubPeer = new PeerId.Hub(hubId);
        Path hubDir = relay.credentialsDir(hubPeer);
        Mqtt5BlockingClient app = mqtt5(relay.app(appId));
        String hubInbox = Topics.hubInbox(hubId);
        String appInbox = Topics.inbox(new PeerId.App(appId));
        try (Mqtt5BlockingClient.Mqtt5Publishes appReceives = app.publishes(MqttGlobalPublishFilter.ALL)) {
            // Hub as mosquitto_sub: prints the payload in hex once it arrives.
            byte[] down = randomBytes(300);
            Process sub = new ProcessBuilder(mosquitto(relay, "mosquitto_sub", hubDir, hubPeer.urn(),
                    "-t", hubInbox + "/#", "-q", "1", "-C", "1", "-W", "20", "-F", "%x"))
                    .redirectErrorStream(true).start();
            Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() ->
                    pubAckCode(app.publishWith().topic(hubInbox).qos(MqttQos.AT_LEAST_ONCE).payload(down).send())
                            == Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(sub.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String hex = new String(sub.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            assertThat(HexFormat.of().parseHex(hex)).isEqualTo(down);

            // Hub as mosquitto_pub: a binary file, byte for byte, to the app.
            app.subscribeWith().topicFilter(appInbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            byte[] up = randomBytes(1000);
            Path file = Files.write(dir.resolve("up-" + hubId + ".bin"), up);
            Process pub = new ProcessBuilder(mosquitto(relay, "mosquitto_pub", hubDir, hubPeer.urn(),
                    "-t", appInbox, "-q", "1", "-f", file.toString()))
                    .redirectErrorStream(true).start();
            assertThat(pub.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(pub.exitValue()).as(new String(pub.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isZero();
            Optional<Mqtt5Publish> delivered = appReceives.receive(5, TimeUnit.SECONDS);
            assertThat(delivered).isPresent();
            assertThat(delivered.get().getPayloadAsBytes()).isEqualTo(up);
        } finally {
            app.disconnect();
        }
    }

    private static Mqtt5BlockingClient mqtt5(PeerCredentials credentials) {
        return connect(relay, credentials);
    }
}
