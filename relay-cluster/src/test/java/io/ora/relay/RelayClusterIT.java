package io.ora.relay;

import static io.ora.relay.RelayTestKit.publishQos1;
import static io.ora.relay.RelayTestKit.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.ora.core.topic.Topics;
import io.ora.hubkit.PeerCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three relay nodes forming one real Pekko cluster in this JVM (separate actor systems, artery over loopback, each
 * with its own MQTT listener): routing does not care which node a peer is connected to.
 */
class RelayClusterIT {

    @TempDir
    static Path dir;
    static TestRelay a;
    static TestRelay b;
    static TestRelay c;

    @BeforeAll
    static void formCluster() {
        a = TestRelay.start(dir.resolve("a"));
        b = TestRelay.start(dir.resolve("b"), Map.of(), a);
        c = TestRelay.start(dir.resolve("c"), Map.of(), a);
        a.awaitMembersUp(3);
    }

    @AfterAll
    static void stop() {
        c.close();
        b.close();
        a.close();
    }

    @Test
    void anAppOnOneNodeReachesAHubOnAnotherAndBack() throws InterruptedException {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        a.grant(appId, hubId);
        Mqtt5BlockingClient hub = RelayTestKit.connect(b, a.hub(hubId));
        Mqtt5BlockingClient app = RelayTestKit.connect(a, a.app(appId));
        String hubInbox = Topics.hubInbox(hubId);
        String appInbox = Topics.inbox(a.app(appId).identity());
        try (Mqtt5BlockingClient.Mqtt5Publishes toHub = hub.publishes(MqttGlobalPublishFilter.ALL);
             Mqtt5BlockingClient.Mqtt5Publishes toApp = app.publishes(MqttGlobalPublishFilter.ALL)) {
            hub.subscribeWith().topicFilter(hubInbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            app.subscribeWith().topicFilter(appInbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            byte[] request = randomBytes(256);

            assertThat(publishQos1(app, hubInbox, request)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(toHub.receive(5, TimeUnit.SECONDS).map(Mqtt5Publish::getPayloadAsBytes)).contains(request);

            byte[] response = randomBytes(128);
            assertThat(publishQos1(hub, appInbox, response)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(toApp.receive(5, TimeUnit.SECONDS).map(Mqtt5Publish::getPayloadAsBytes)).contains(response);
        } finally {
            hub.disconnect();
            app.disconnect();
        }
    }

    @Test
    void aHubThatReconnectsToAnotherNodeIsReachableThere() throws InterruptedException {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        a.grant(appId, hubId);
        PeerCredentials hubCredentials = a.hub(hubId);
        Mqtt5BlockingClient app = RelayTestKit.connect(a, a.app(appId));
        String inbox = Topics.hubInbox(hubId);

        Mqtt5BlockingClient onB = RelayTestKit.connect(b, hubCredentials);
        onB.subscribeWith().topicFilter(inbox + "/#").send();
        assertThat(publishQos1(app, inbox, randomBytes(8))).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        onB.disconnect();

        Mqtt5BlockingClient onC = RelayTestKit.connect(c, hubCredentials);
        try (Mqtt5BlockingClient.Mqtt5Publishes received = onC.publishes(MqttGlobalPublishFilter.ALL)) {
            onC.subscribeWith().topicFilter(inbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            byte[] payload = randomBytes(64);

            assertThat(publishQos1(app, inbox, payload)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(received.receive(5, TimeUnit.SECONDS).map(Mqtt5Publish::getPayloadAsBytes)).contains(payload);
        } finally {
            onC.disconnect();
            app.disconnect();
        }
    }

    @Test
    void aRevokedBindingStopsTrafficAtOnceOnEveryNode() {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        a.grant(appId, hubId);
        Mqtt5BlockingClient hub = RelayTestKit.connect(b, a.hub(hubId));
        String inbox = Topics.hubInbox(hubId);
        hub.subscribeWith().topicFilter(inbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient appOnC = RelayTestKit.connect(c, a.app(appId));
        // Each node has cached "bound" (the cache lives 5 minutes), and the app is connected and publishing.
        assertThat(publishQos1(appOnC, inbox, randomBytes(8))).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);

        a.revoke(appId, hubId);

        // The change is announced by PostgreSQL; node C drops its cached answer without any TTL passing.
        Awaitility.await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).until(
                () -> publishQos1(appOnC, inbox, randomBytes(8)) == Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        a.grant(appId, hubId);
        Awaitility.await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).until(
                () -> publishQos1(appOnC, inbox, randomBytes(8)) == Mqtt5PubAckReasonCode.SUCCESS);
        appOnC.disconnect();
        hub.disconnect();
    }

    @Test
    void aConnectionOnAnotherNodeTakesOverTheSession() {
        UUID hubId = UUID.randomUUID();
        PeerCredentials hubCredentials = a.hub(hubId);
        WatchedClient onB = WatchedClient.connect(b, hubCredentials);

        Mqtt5BlockingClient onC = RelayTestKit.connect(c, hubCredentials);

        assertThat(onB.awaitDisconnect(Duration.ofSeconds(10)))
                .isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
        onC.disconnect();
    }
}
