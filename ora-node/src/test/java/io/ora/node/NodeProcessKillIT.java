package io.ora.node;

import static io.ora.node.NodeTestKit.upMembers;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.RelayClients;
import io.ora.persistence.Database;
import io.ora.persistence.TestDatabase;
import io.ora.persistence.TestRedis;
import io.ora.relay.api.HubLocks;
import io.ora.relay.peer.PeerRouter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay node in a separate OS process is killed (SIGKILL, no goodbye): its hub reconnects to the surviving node,
 * traffic resumes, and the hub's handover lock — whose entity may have lived on the dead node — is still set.
 */
class NodeProcessKillIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final String SBR_STRATEGY = "pekko.cluster.split-brain-resolver.active-strategy";

    @TempDir
    Path home;

    @Test
    void hubsOfAKilledNodeReconnectElsewhereAndKeepTheirLock() throws Exception {
        int seedPort = TestPorts.free();
        // Two nodes: keep-majority would settle the 1-1 split by address order, possibly downing the survivor.
        // keep-oldest keeps the seed, which is the node this test keeps alive.
        Node survivor = Node.start(ConfigFactory.parseMap(Map.of(SBR_STRATEGY, "keep-oldest"))
                .withFallback(ConfigFactory.parseMap(
                        NodeTestKit.config(home.resolve("a"), seedPort, TestPorts.free()))),
                Map.of());
        Process doomed = null;
        Path log = Path.of(System.getProperty("java.io.tmpdir"), "doomed-node-" + UUID.randomUUID() + ".log");
        try {
            int doomedMqtt = TestPorts.free();
            doomed = startSecondNode(home.resolve("b"), seedPort, doomedMqtt, log);
            // The banner is printed once every role of the node is serving.
            Awaitility.await().atMost(Duration.ofSeconds(90))
                    .until(() -> Files.readString(log, StandardCharsets.UTF_8).contains("Ora node up"));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> upMembers(survivor) == 2);

            UUID hubId = UUID.randomUUID();
            String appId = "app-" + UUID.randomUUID();
            survivor.relay().orElseThrow().bindings().grant(appId, hubId);
            PeerCredentials hubCredentials = NodeTestKit.credentials(home.resolve("a"), new PeerId.Hub(hubId));
            Mqtt5BlockingClient app = connect(NodeTestKit.credentials(home.resolve("a"), new PeerId.App(appId)),
                    survivor.relay().orElseThrow().server().port());
            String inbox = Topics.hubInbox(hubId);

            Mqtt5BlockingClient hubOnDoomed = connect(hubCredentials, doomedMqtt);
            hubOnDoomed.subscribeWith().topicFilter(inbox + "/#").send();
            Awaitility.await().atMost(TIMEOUT).until(() -> publish(app, inbox) == Mqtt5PubAckReasonCode.SUCCESS);
            PeerRouter router = survivor.relay().orElseThrow().router();
            ClusterSharding.get(survivor.system()).entityRefFor(HubLocks.KEY, hubId.toString())
                    .<Done>askWithStatus(replyTo -> new HubLocks.Lock("project-kill", replyTo), TIMEOUT)
                    .toCompletableFuture().get();

            doomed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Awaitility.await().atMost(TIMEOUT).until(() -> hubOnDoomed.getState() != MqttClientState.CONNECTED);

            Mqtt5BlockingClient hub = connect(hubCredentials, survivor.relay().orElseThrow().server().port());
            try (Mqtt5BlockingClient.Mqtt5Publishes received = hub.publishes(MqttGlobalPublishFilter.ALL)) {
                hub.subscribeWith().topicFilter(inbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
                Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> publish(app, inbox) == Mqtt5PubAckReasonCode.SUCCESS);
                assertThat(received.receive(5, TimeUnit.SECONDS).map(Mqtt5Publish::getTopic).map(Object::toString))
                        .contains(inbox);
            }
            assertThat(router.status(hubId, TIMEOUT).toCompletableFuture().get().locked()).isTrue();
            // The split-brain resolver downs the silent node, and the survivor carries on alone.
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> upMembers(survivor) == 1);
            hub.disconnect();
            app.disconnect();
        } finally {
            if (doomed != null) {
                doomed.destroyForcibly();
            }
            survivor.close();
        }
    }

    private Process startSecondNode(Path nodeHome, int seedPort, int mqttPort, Path log) throws Exception {
        Database.Connection db = TestDatabase.connection();
        Path pki = home.resolve("a").resolve("pki");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-D" + SBR_STRATEGY + "=keep-oldest",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("ORA_HOME", nodeHome.toString());
        env.put("ORA_DEV_PKI", "off");
        env.put("ORA_TLS_CA", pki.resolve("ca.crt").toString());
        env.put("ORA_TLS_CERTIFICATE", pki.resolve("server.crt").toString());
        env.put("ORA_TLS_KEY", pki.resolve("server.key").toString());
        env.put("ORA_TLS_REVOKED_SERIALS", pki.resolve("revoked-serials").toString());
        env.put("ORA_APP_CA_CERTIFICATE", pki.resolve("ca.crt").toString());
        env.put("ORA_APP_CA_KEY", pki.resolve("ca.key").toString());
        env.put("ORA_DB_URL", db.url());
        env.put("ORA_DB_USER", db.user());
        env.put("ORA_DB_PASSWORD", db.password());
        env.put("ORA_DB_POOL_SIZE", "3");
        // The shared test Redis, not an embedded one: SIGKILL gives a node no chance to stop its child process.
        Config redis = TestRedis.config(ConfigFactory.empty());
        env.put("ORA_REDIS_URL", redis.getString("ora.redis.url"));
        env.put("ORA_REDIS_KEY_PREFIX", redis.getString("ora.redis.key-prefix"));
        env.put("ORA_HTTP_HOST", "127.0.0.1");
        env.put("ORA_HTTP_PORT", String.valueOf(TestPorts.free()));
        env.put("ORA_DEVICE_HTTPS_PORT", String.valueOf(TestPorts.free()));
        env.put("ORA_MQTT_HOST", "127.0.0.1");
        env.put("ORA_MQTT_PORT", String.valueOf(mqttPort));
        env.put("ORA_CLUSTER_PORT", String.valueOf(TestPorts.free()));
        env.put("ORA_MANAGEMENT_PORT", String.valueOf(TestPorts.free()));
        env.put("ORA_SEED_NODES", "pekko://ora@127.0.0.1:" + seedPort);
        env.put("ORA_SBR_STABLE_AFTER", "3s");
        Files.createDirectories(nodeHome);
        return builder.start();
    }

    private static Mqtt5BlockingClient connect(PeerCredentials credentials, int port) {
        Mqtt5BlockingClient client = RelayClients.mqtt5(credentials, "127.0.0.1", port).buildBlocking();
        client.connect();
        return client;
    }

    private static Mqtt5PubAckReasonCode publish(Mqtt5BlockingClient app, String topic) {
        try {
            Mqtt5PublishResult result = app.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .payload("ping".getBytes(StandardCharsets.UTF_8)).send();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getReasonCode();
        } catch (Mqtt5PubAckException refused) {
            return refused.getMqttMessage().getReasonCode();
        }
    }
}
