package io.ora.relay;

import static io.ora.relay.RelayTestKit.publishQos1;
import static io.ora.relay.RelayTestKit.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
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
 * The data plane on a real two-node cluster: once a sender's node knows where the receiver's connection is, messages
 * go straight there (on the same node or the other one) and no longer through the receiver's entity; a takeover or
 * a disconnect is never answered wrongly because of a location learned before it.
 */
class DataPlaneIT {

    private static final int MESSAGES = 20;
    private static final String ROUTED = "ora_relay_routed_total";
    private static final String LOCKDOWNS = "ora_relay_lockdowns_started_total";
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    static TestRelay a;
    static TestRelay b;

    @BeforeAll
    static void formCluster() {
        a = TestRelay.start(dir.resolve("a"));
        b = TestRelay.start(dir.resolve("b"), Map.of(), a);
        a.awaitMembersUp(2);
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
    }

    @Test
    void afterTheFirstMessagesDeliveriesGoStraightToAConnectionOnThisNode() throws InterruptedException {
        assertStraightTo(a, "this_node");
    }

    @Test
    void afterTheFirstMessagesDeliveriesGoStraightToAConnectionOnTheOtherNode() throws InterruptedException {
        assertStraightTo(b, "other_node");
    }

    /** An app on node A sends to a hub on {@code hubNode}: all arrive, and all but the first go straight there. */
    private static void assertStraightTo(TestRelay hubNode, String via) throws InterruptedException {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        a.grant(appId, hubId);
        Mqtt5BlockingClient hub = RelayTestKit.connect(hubNode, a.hub(hubId));
        Mqtt5BlockingClient app = RelayTestKit.connect(a, a.app(appId));
        String inbox = Topics.hubInbox(hubId);
        try (Mqtt5BlockingClient.Mqtt5Publishes received = hub.publishes(MqttGlobalPublishFilter.ALL)) {
            hub.subscribeWith().topicFilter(inbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            long throughEntity = a.metric(ROUTED, "via", "entity");
            long straight = a.metric(ROUTED, "via", via);
            for (int i = 0; i < MESSAGES; i++) {
                byte[] payload = randomBytes(32);
                assertThat(publishQos1(app, inbox, payload)).as("message %s", i)
                        .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
                assertThat(received.receive(5, TimeUnit.SECONDS).map(Mqtt5Publish::getPayloadAsBytes))
                        .contains(payload);
            }
            // The first goes through the entity, which tells node A where the hub is; a second may cross that news.
            assertThat(a.metric(ROUTED, "via", "entity") - throughEntity).isBetween(1L, 2L);
            assertThat(a.metric(ROUTED, "via", via) - straight).isGreaterThanOrEqualTo(MESSAGES - 2);
        } finally {
            hub.disconnect();
            app.disconnect();
        }
    }

    @Test
    void aHubTakenOverOnTheSendersNodeGetsEveryMessageThereAtOnce() throws InterruptedException {
        assertTakeoverOn(a);
    }

    @Test
    void aHubTakenOverOnItsOwnNodeGetsEveryMessageThereAtOnce() throws InterruptedException {
        // Node A still knows the old connection's location: what it sends there goes on through the entity.
        assertTakeoverOn(b);
    }

    /** A hub connected to node B connects again to {@code node}, taking its session over, while an app on A sends. */
    private static void assertTakeoverOn(TestRelay node) throws InterruptedException {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        a.grant(appId, hubId);
        PeerCredentials credentials = a.hub(hubId);
        String inbox = Topics.hubInbox(hubId);
        Mqtt5BlockingClient app = RelayTestKit.connect(a, a.app(appId));
        Mqtt5BlockingClient first = RelayTestKit.connect(b, credentials);
        first.subscribeWith().topicFilter(inbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
        for (int i = 0; i < 3; i++) {
            assertThat(publishQos1(app, inbox, randomBytes(8))).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        }

        // The same hub connects again: it takes the session over from the connection node A knows.
        Mqtt5BlockingClient second = RelayTestKit.connect(node, credentials);
        try (Mqtt5BlockingClient.Mqtt5Publishes received = second.publishes(MqttGlobalPublishFilter.ALL)) {
            second.subscribeWith().topicFilter(inbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            for (int i = 0; i < MESSAGES; i++) {
                byte[] payload = randomBytes(32);
                assertThat(publishQos1(app, inbox, payload)).as("message %s after the takeover", i)
                        .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
                assertThat(received.receive(5, TimeUnit.SECONDS).map(Mqtt5Publish::getPayloadAsBytes))
                        .contains(payload);
            }
        } finally {
            second.disconnect();
            app.disconnect();
        }
    }

    @Test
    void aHubThatLeftIsAnsweredNoSubscribersOnceItsLocationIsDropped() {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        a.grant(appId, hubId);
        String inbox = Topics.hubInbox(hubId);
        Mqtt5BlockingClient app = RelayTestKit.connect(a, a.app(appId));
        Mqtt5BlockingClient hub = RelayTestKit.connect(b, a.hub(hubId));
        hub.subscribeWith().topicFilter(inbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
        long known = a.metric("ora_relay_routes_known", "", "");
        assertThat(publishQos1(app, inbox, randomBytes(8))).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        Awaitility.await().until(() -> a.metric("ora_relay_routes_known", "", "") > known);

        hub.disconnect();
        // Death watch tells node A that the connection on node B stopped.
        Awaitility.await().until(() -> a.metric("ora_relay_routes_known", "", "") <= known);
        try {
            assertThat(publishQos1(app, inbox, randomBytes(8)))
                    .isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
        } finally {
            app.disconnect();
        }
    }

    @Test
    void aHubThatConnectsAndIsSentMessagesNeverWaitsForItsLockToBeRead() throws Exception {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        a.grant(appId, hubId);
        long before = lockdownsStarted();
        Mqtt5BlockingClient hub = RelayTestKit.connect(b, a.hub(hubId));
        Mqtt5BlockingClient app = RelayTestKit.connect(a, a.app(appId));
        String inbox = Topics.hubInbox(hubId);
        try {
            hub.subscribeWith().topicFilter(inbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            for (int i = 0; i < 5; i++) {
                assertThat(publishQos1(app, inbox, randomBytes(8))).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            }
            assertThat(lockdownsStarted() - before).as("connecting and messages read no lock").isZero();

            assertThat(a.relay().router().status(hubId, TIMEOUT).toCompletableFuture().get().connected()).isTrue();
            a.relay().router().status(hubId, TIMEOUT).toCompletableFuture().get();
            assertThat(lockdownsStarted() - before).as("status queries read it, once").isEqualTo(1);
        } finally {
            hub.disconnect();
            app.disconnect();
        }
    }

    /** Hub lock states read from the journal, on either node (the hub's entity lives on one of them). */
    private static long lockdownsStarted() {
        return a.metric(LOCKDOWNS, "", "") + b.metric(LOCKDOWNS, "", "");
    }
}
