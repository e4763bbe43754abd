package io.ora.relay;

import static io.ora.relay.RelayTestKit.mosquitto;
import static io.ora.relay.RelayTestKit.onPath;
import static io.ora.relay.RelayTestKit.pubAckCode;
import static io.ora.relay.RelayTestKit.publishQos1;
import static io.ora.relay.RelayTestKit.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.ora.core.identity.PeerId;
import io.ora.core.telemetry.TelemetryIntake.Receipt;
import io.ora.core.topic.Topics;
import io.ora.hubkit.PeerCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub's telemetry over real TLS 1.3 sockets and real clients (HiveMQ MQTT 5, Paho 3.1.1, mosquitto_pub): the
 * relay hands the exact bytes and the hub's identity to the ingest role's intake instead of routing them, and the
 * hub's PUBACK waits for the intake's receipt and reports it (docs/mqtt.md, "Telemetry"). The intake here is a
 * {@link RecordingIntake}, so each test decides when and how the ingest answers.
 */
class RelayTelemetryIT {

    private static final long WAIT_SECONDS = 10;

    @TempDir
    static Path dir;
    static final RecordingIntake intake = new RecordingIntake();
    static TestRelay relay;

    @BeforeAll
    static void start() {
        relay = TestRelay.start(dir.resolve("with-ingest"), intake);
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    @Test
    void aQos1PublishReachesTheIntakeAndIsAcknowledgedOnlyOnceStored() throws Exception {
        UUID hubId = UUID.randomUUID();
        Mqtt5BlockingClient hub = RelayTestKit.connect(relay, relay.hub(hubId));
        byte[] payload = randomBytes(512);
        long stored = relay.metric("ora_relay_telemetry_total", "receipt", "stored");
        try {
            CompletableFuture<Mqtt5PublishResult> pubAck = publishAsync(hub, hubId, payload);
            RecordingIntake.Submission submission = intake.next(hubId);
            assertThat(submission.hub()).isEqualTo(hubId);
            assertThat(submission.payload()).isEqualTo(payload);

            // The relay serves one connection's packets in order: a PUBACK sent on submission would precede this
            // SUBACK. The client may surface a PUBACK a little after the SUBACK, hence the second, patient check.
            hub.subscribeWith().topicFilter(Topics.hubInbox(hubId) + "/#").send();
            Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> !pubAck.isDone());
            submission.complete(Receipt.STORED);

            assertThat(pubAckCode(pubAck.get(WAIT_SECONDS, TimeUnit.SECONDS)))
                    .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(intake.submitted(hubId)).isEqualTo(1);
            assertThat(relay.metric("ora_relay_telemetry_total", "receipt", "stored")).isEqualTo(stored + 1);
        } finally {
            hub.disconnect();
        }
    }

    @Test
    void mqtt5RejectedIsPayloadFormatInvalidAndUnavailableIsQuotaExceeded() throws Exception {
        UUID hubId = UUID.randomUUID();
        Mqtt5BlockingClient hub = RelayTestKit.connect(relay, relay.hub(hubId));
        try {
            CompletableFuture<Mqtt5PublishResult> rejected = publishAsync(hub, hubId, randomBytes(16));
            intake.next(hubId).complete(Receipt.REJECTED);
            assertThat(reasonCode(rejected)).isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);

            CompletableFuture<Mqtt5PublishResult> unavailable = publishAsync(hub, hubId, randomBytes(16));
            intake.next(hubId).complete(Receipt.UNAVAILABLE);
            assertThat(reasonCode(unavailable)).isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
        } finally {
            hub.disconnect();
        }
    }

    @Test
    void mqtt311RejectedIsAcknowledgedAndUnavailableClosesTheConnectionSoTheHubResendsLater() throws Exception {
        UUID hubId = UUID.randomUUID();
        MqttAsyncClient hub = paho(relay.hub(hubId));
        try {
            IMqttDeliveryToken rejected = hub.publish(telemetryTopic(hubId), randomBytes(16), 1, false);
            intake.next(hubId).complete(Receipt.REJECTED);
            rejected.waitForCompletion(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertThat(rejected.getException()).isNull();
            assertThat(hub.isConnected()).isTrue();

            IMqttDeliveryToken unavailable = hub.publish(telemetryTopic(hubId), randomBytes(16), 1, false);
            intake.next(hubId).complete(Receipt.UNAVAILABLE);
            Awaitility.await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> !hub.isConnected());
            assertThat(unavailable.isComplete() && unavailable.getException() == null).as("acknowledged").isFalse();
        } finally {
            if (hub.isConnected()) {
                hub.disconnect().waitForCompletion(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            }
            hub.close();
        }
    }

    @Test
    void neitherAnAppNorAnotherHubMayPublishAHubsTelemetry() {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        String qos0AppId = "app-" + UUID.randomUUID();
        relay.grant(appId, hubId);
        relay.grant(qos0AppId, hubId);
        Mqtt5BlockingClient boundApp = RelayTestKit.connect(relay, relay.app(appId));
        Mqtt5BlockingClient otherHub = RelayTestKit.connect(relay, relay.hub(UUID.randomUUID()));
        WatchedClient qos0App = WatchedClient.connect(relay, relay.app(qos0AppId));
        long refused = relay.metric("ora_relay_publishes_refused_total", "reason", "not_authorized");
        try {
            assertThat(publishQos1(boundApp, telemetryTopic(hubId), randomBytes(8)))
                    .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
            assertThat(publishQos1(otherHub, telemetryTopic(hubId), randomBytes(8)))
                    .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
            qos0App.client().publishWith().topic(telemetryTopic(hubId)).qos(MqttQos.AT_MOST_ONCE)
                    .payload(randomBytes(8)).send();
            assertThat(qos0App.awaitDisconnect(Duration.ofSeconds(WAIT_SECONDS)))
                    .isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);

            assertThat(intake.submitted(hubId)).isZero();
            assertThat(relay.metric("ora_relay_publishes_refused_total", "reason", "not_authorized"))
                    .isEqualTo(refused + 3);
        } finally {
            boundApp.disconnect();
            otherHub.disconnect();
        }
    }

    @Test
    void nobodySubscribesToTelemetryNotEvenTheHubItself() {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        relay.grant(appId, hubId);
        Mqtt5BlockingClient hub = RelayTestKit.connect(relay, relay.hub(hubId));
        Mqtt5BlockingClient app = RelayTestKit.connect(relay, relay.app(appId));
        try {
            assertSubscriptionRefused(hub, telemetryTopic(hubId));
            assertSubscriptionRefused(app, telemetryTopic(hubId));
            assertSubscriptionRefused(app, "ora/v1/hub/+/telemetry");
        } finally {
            hub.disconnect();
            app.disconnect();
        }
    }

    @Test
    void mosquittoPubDeliversItsOwnTelemetryAndExitsOnceStored() throws Exception {
        assumeTrue(onPath("mosquitto_pub"),
                "mosquitto_pub not installed (Debian package mosquitto-clients; .ci/run installs it)");
        UUID hubId = UUID.randomUUID();
        PeerId.Hub hub = new PeerId.Hub(hubId);
        relay.hub(hubId);
        byte[] payload = "{\"fw\":\"2.1.0\",\"cpu\":12.5,\"ram\":40,\"rssi\":-61}".getBytes(StandardCharsets.UTF_8);
        Path file = Files.write(dir.resolve("telemetry-" + hubId + ".json"), payload);

        Process pub = new ProcessBuilder(mosquitto(relay, "mosquitto_pub", relay.credentialsDir(hub), hub.urn(),
                "-t", telemetryTopic(hubId), "-q", "1", "-f", file.toString()))
                .redirectErrorStream(true).start();
        try {
            RecordingIntake.Submission submission = intake.next(hubId);
            assertThat(submission.payload()).isEqualTo(payload);
            assertThat(pub.isAlive()).as("mosquitto_pub still waits for its PUBACK").isTrue();
            submission.complete(Receipt.STORED);

            assertThat(pub.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(pub.exitValue()).as(new String(pub.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isZero();
        } finally {
            pub.destroy();
        }
    }

    @Test
    void aRelayStartedWithoutAnIngestAnswersQuotaExceeded() {
        try (TestRelay plain = TestRelay.start(dir.resolve("without-ingest"))) {
            UUID hubId = UUID.randomUUID();
            Mqtt5BlockingClient hub = RelayTestKit.connect(plain, plain.hub(hubId));
            try {
                assertThat(publishQos1(hub, telemetryTopic(hubId), randomBytes(8)))
                        .isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
                assertThat(plain.metric("ora_relay_telemetry_total", "receipt", "unavailable")).isEqualTo(1);
            } finally {
                hub.disconnect();
            }
        }
    }

    static String telemetryTopic(UUID hub) {
        return "ora/v1/hub/" + hub + "/telemetry";
    }

    private static CompletableFuture<Mqtt5PublishResult> publishAsync(Mqtt5BlockingClient hub, UUID hubId,
                                                                      byte[] payload) {
        return hub.toAsync().publishWith().topic(telemetryTopic(hubId)).qos(MqttQos.AT_LEAST_ONCE).payload(payload)
                .send();
    }

    /** The PUBACK's reason code (HiveMQ fails the future for error codes; this returns them). */
    private static Mqtt5PubAckReasonCode reasonCode(CompletableFuture<Mqtt5PublishResult> pubAck) throws Exception {
        try {
            return pubAckCode(pubAck.get(WAIT_SECONDS, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(Mqtt5PubAckException.class);
            return ((Mqtt5PubAckException) e.getCause()).getMqttMessage().getReasonCode();
        }
    }

    private static void assertSubscriptionRefused(Mqtt5BlockingClient client, String filter) {
        assertThatThrownBy(() -> client.subscribeWith().topicFilter(filter).send())
                .isInstanceOfSatisfying(Mqtt5SubAckException.class, refused ->
                        assertThat(refused.getMqttMessage().getReasonCodes())
                                .containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));
    }

    private static MqttAsyncClient paho(PeerCredentials credentials) throws MqttException {
        MqttAsyncClient paho = new MqttAsyncClient("ssl://127.0.0.1:" + relay.port(), credentials.identity().urn(),
                new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setSocketFactory(credentials.sslContext().getSocketFactory());
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        paho.connect(options).waitForCompletion(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        return paho;
    }
}
