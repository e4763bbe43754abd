package io.ora.relay;

import static io.ora.relay.RelayTestKit.NONE;
import static io.ora.relay.RelayTestKit.WAIT;
import static io.ora.relay.RelayTestKit.assertAck;
import static io.ora.relay.RelayTestKit.checkOta;
import static io.ora.relay.RelayTestKit.onPath;
import static io.ora.relay.RelayTestKit.otaTopic;
import static io.ora.relay.RelayTestKit.publishQos1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.ora.core.identity.PeerId;
import io.ora.core.ota.OtaDesk;
import io.ora.core.topic.Topics;
import io.ora.hubkit.PeerCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub's OTA status check over real MQTT: the hub publishes to its own {@code ota} topic and the relay answers on
 * the hub's inbox, "wait" while the hub is locked for a handover and otherwise what the OTA desk says (here a desk
 * that answers "none" and keeps what it was given); reports on {@code ota/report} go to the desk. Clients nobody here
 * wrote: HiveMQ (MQTT 5), Eclipse Paho (3.1.1) and mosquitto_rr (both).
 */
class RelayOtaIT {

    @TempDir
    static Path dir;
    static TestRelay relay;
    static HubLockClient locks;
    /** What the desk was handed: "check <hub> <payload>" or "report <hub> <payload>". */
    static final List<String> HANDED = new CopyOnWriteArrayList<>();
    static final OtaDesk DESK = new OtaDesk() {
        @Override
        public CompletionStage<byte[]> check(UUID hub, byte[] payload) {
            HANDED.add("check " + hub + " " + new String(payload, StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(NONE.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public CompletionStage<Receipt> report(UUID hub, byte[] payload) {
            HANDED.add("report " + hub + " " + new String(payload, StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(payload.length == 0 ? Receipt.REJECTED : Receipt.STORED);
        }
    };

    @BeforeAll
    static void start() {
        relay = TestRelay.start(dir, DESK);
        locks = HubLockClient.of(relay.system());
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    @Test
    void theAnswerIsNoneThenWaitWhileLockedThenNoneAgainAfterTheRelease() throws InterruptedException {
        UUID hubId = UUID.randomUUID();
        Mqtt5BlockingClient hub = RelayTestKit.connect(relay, relay.hub(hubId));
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = hub.publishes(MqttGlobalPublishFilter.ALL)) {
            hub.subscribeWith().topicFilter(Topics.hubInbox(hubId) + "/#").qos(MqttQos.AT_LEAST_ONCE).send();

            assertThat(checkOta(hub, inbox, hubId)).isEqualTo(NONE);
            assertAck(locks.lock(hubId, "project-1"));
            assertThat(checkOta(hub, inbox, hubId)).isEqualTo(WAIT);
            assertAck(locks.release(hubId, "project-1"));
            assertThat(checkOta(hub, inbox, hubId)).isEqualTo(NONE);
        } finally {
            hub.disconnect();
        }
    }

    @Test
    void theCheckReachesTheDeskByteForByteAndAReportIsAcknowledgedWithTheDesksReceipt() throws InterruptedException {
        UUID hubId = UUID.randomUUID();
        Mqtt5BlockingClient hub = RelayTestKit.connect(relay, relay.hub(hubId));
        String check = "{\"model\":\"ora-hub-1\",\"version\":\"1.2.3\"}";
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = hub.publishes(MqttGlobalPublishFilter.ALL)) {
            hub.subscribeWith().topicFilter(Topics.hubInbox(hubId) + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            assertThat(publishQos1(hub, otaTopic(hubId), check.getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(new String(inbox.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes(),
                    StandardCharsets.UTF_8)).isEqualTo(NONE);

            String report = Topics.otaReport(new PeerId.Hub(hubId));
            assertThat(publishQos1(hub, report, "{\"status\":\"installed\"}".getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(publishQos1(hub, report, new byte[0])).isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);
            assertThat(HANDED).contains("check " + hubId + " " + check,
                    "report " + hubId + " {\"status\":\"installed\"}", "report " + hubId + " ");
        } finally {
            hub.disconnect();
        }
    }

    @Test
    void aQos0CheckIsAnsweredAtQos0AndALockedHubsCheckNeverReachesTheDesk() throws InterruptedException {
        UUID hubId = UUID.randomUUID();
        assertAck(locks.lock(hubId, "project-2"));
        Mqtt5BlockingClient hub = RelayTestKit.connect(relay, relay.hub(hubId));
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = hub.publishes(MqttGlobalPublishFilter.ALL)) {
            hub.subscribeWith().topicFilter(Topics.otaStatus(new PeerId.Hub(hubId))).qos(MqttQos.AT_LEAST_ONCE)
                    .send();

            hub.publishWith().topic(otaTopic(hubId)).qos(MqttQos.AT_MOST_ONCE)
                    .payload("{\"firmware\":\"1.2.3\"}".getBytes(StandardCharsets.UTF_8)).send();

            Mqtt5Publish answer = inbox.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(answer.getQos()).isEqualTo(MqttQos.AT_MOST_ONCE);
            assertThat(new String(answer.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo(WAIT);
            assertThat(HANDED).noneMatch(handed -> handed.contains(hubId.toString()));
        } finally {
            hub.disconnect();
        }
    }

    @Test
    void aHubThatHasNotSubscribedToItsInboxIsToldNoMatchingSubscribers() {
        UUID hubId = UUID.randomUUID();
        Mqtt5BlockingClient hub = RelayTestKit.connect(relay, relay.hub(hubId));
        try {
            assertThat(publishQos1(hub, otaTopic(hubId), new byte[0]))
                    .isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
        } finally {
            hub.disconnect();
        }
    }

    @Test
    void nobodyButTheHubItselfMayAskForItsOtaStatus() {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        relay.grant(appId, hubId);
        Mqtt5BlockingClient otherHub = RelayTestKit.connect(relay, relay.hub(UUID.randomUUID()));
        Mqtt5BlockingClient boundApp = RelayTestKit.connect(relay, relay.app(appId));
        long refused = relay.metric("ora_relay_publishes_refused_total", "reason", "not_authorized");
        try {
            assertThat(publishQos1(otherHub, otaTopic(hubId), new byte[0]))
                    .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
            assertThat(publishQos1(boundApp, otaTopic(hubId), new byte[0]))
                    .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
            assertThat(relay.metric("ora_relay_publishes_refused_total", "reason", "not_authorized"))
                    .isEqualTo(refused + 2);
        } finally {
            otherHub.disconnect();
            boundApp.disconnect();
        }
    }

    @Test
    void paho311HubGetsTheAnswerWithTheRelayAsTheSenderSuffix() throws Exception {
        UUID hubId = UUID.randomUUID();
        PeerCredentials credentials = relay.hub(hubId);
        MqttClient hub = new MqttClient("ssl://127.0.0.1:" + relay.port(), credentials.identity().urn(),
                new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setSocketFactory(credentials.sslContext().getSocketFactory());
        options.setCleanSession(true);
        hub.connect(options);
        BlockingQueue<Map.Entry<String, MqttMessage>> received = new LinkedBlockingQueue<>();
        hub.subscribe(Topics.hubInbox(hubId) + "/#", 1, (topic, message) -> received.add(Map.entry(topic, message)));
        try {
            assertAck(locks.lock(hubId, "project-3"));
            hub.publish(otaTopic(hubId), new byte[0], 1, false);

            Map.Entry<String, MqttMessage> answer = received.poll(5, TimeUnit.SECONDS);
            assertThat(answer).isNotNull();
            assertThat(answer.getKey()).isEqualTo(Topics.otaStatus(new PeerId.Hub(hubId)) + "/urn:ora:relay");
            assertThat(new String(answer.getValue().getPayload(), StandardCharsets.UTF_8)).isEqualTo(WAIT);
        } finally {
            hub.disconnect();
            hub.close();
        }
    }

    @Test
    void mosquittoRrGetsTheAnswerOverMqtt5And311() throws Exception {
        assumeTrue(onPath("mosquitto_rr"),
                "mosquitto_rr not installed (Debian package mosquitto-clients; .ci/run installs it)");
        UUID hubId = UUID.randomUUID();
        PeerId.Hub hub = new PeerId.Hub(hubId);
        relay.hub(hubId);
        String answerTopic = Topics.otaStatus(hub);

        assertThat(mosquittoRr(hub, "mqttv5", answerTopic)).isEqualTo(NONE);
        assertAck(locks.lock(hubId, "project-4"));
        // 3.1.1 deliveries carry the sender as one more topic level: the answer's exact topic is below in/ota.
        assertThat(mosquittoRr(hub, "mqttv311", answerTopic + "/urn:ora:relay")).isEqualTo(WAIT);
    }

    /** Asks at QoS 1 through mosquitto_rr, waiting for the answer on {@code responseTopic}; returns the payload. */
    private static String mosquittoRr(PeerId.Hub hub, String version, String responseTopic) throws Exception {
        Path credentials = relay.credentialsDir(hub);
        List<String> command = new ArrayList<>(List.of("mosquitto_rr", "-h", "127.0.0.1",
                "-p", String.valueOf(relay.port()),
                "--cafile", credentials.resolve("ca.crt").toString(),
                "--cert", credentials.resolve("client.crt").toString(),
                "--key", credentials.resolve("client.key").toString(),
                "--tls-version", "tlsv1.3", "-V", version, "-i", hub.urn(), "-q", "1", "-W", "20",
                "-t", otaTopic(hub.uuid()), "-e", responseTopic, "-m", "ignored"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(25, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
