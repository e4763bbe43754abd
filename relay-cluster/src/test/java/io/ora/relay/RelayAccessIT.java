package io.ora.relay;

import static io.ora.relay.RelayTestKit.publishQos1;
import static io.ora.relay.RelayTestKit.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.zaxxer.hikari.HikariDataSource;
import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import io.ora.persistence.PortalRows;
import io.ora.persistence.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relay access from the portal's data, over real MQTT: two relay nodes in one cluster sharing PostgreSQL and Redis,
 * HiveMQ MQTT 5 clients with certificates for {@code urn:ora:app:<portal user id>:<install id>} issued by the test
 * CA, and the portal's rows written in SQL as the portal writes them (docs/handover.md, "Relay access during and
 * after handover").
 */
class RelayAccessIT {

    private static final Duration WITHIN = Duration.ofSeconds(5);
    // The revocation test publishes as fast as it can; the rate limits are not what it is about.
    private static final Map<String, Object> UNLIMITED = Map.of(
            "ora.relay.limits.publish-rate", 100_000, "ora.relay.limits.publish-burst", 100_000,
            "ora.relay.limits.inbound-rate", 100_000, "ora.relay.limits.inbound-burst", 100_000);

    @TempDir
    static Path dir;
    static TestRelay a;
    static TestRelay b;
    static HikariDataSource pool;
    static PortalRows portal;

    @BeforeAll
    static void start() {
        a = TestRelay.start(dir.resolve("a"), UNLIMITED, null);
        b = TestRelay.start(dir.resolve("b"), UNLIMITED, a);
        a.awaitMembersUp(2);
        pool = TestDatabase.dataSource();
        portal = new PortalRows(pool);
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
        pool.close();
    }

    @Test
    void theInstallerHasTheHubUntilHandoverThenOnlyTheHandoverFlowThenNothingAndTheHomeownerHasIt()
            throws InterruptedException {
        UUID organisation = portal.organisation();
        UUID installer = portal.member(organisation);
        UUID project = portal.project(organisation, "COMMISSIONING");
        UUID hubId = portal.hub(project);
        UUID homeowner = portal.user();
        PeerId.App installerApp = new PeerId.App(installer + ":phone");
        PeerId.App homeownerApp = new PeerId.App(homeowner + ":phone");
        String hubInbox = Topics.hubInbox(hubId);
        String installerInbox = Topics.inbox(installerApp);
        String homeownerInbox = Topics.inbox(homeownerApp);
        Mqtt5BlockingClient hub = RelayTestKit.connect(b, a.hub(hubId));
        Mqtt5BlockingClient app = RelayTestKit.connect(a, a.app(installerApp.id()));
        Mqtt5BlockingClient owner = RelayTestKit.connect(b, a.app(homeownerApp.id()));
        try (Mqtt5BlockingClient.Mqtt5Publishes toHub = hub.publishes(MqttGlobalPublishFilter.ALL);
             Mqtt5BlockingClient.Mqtt5Publishes toApp = app.publishes(MqttGlobalPublishFilter.ALL);
             Mqtt5BlockingClient.Mqtt5Publishes toOwner = owner.publishes(MqttGlobalPublishFilter.ALL)) {
            hub.subscribeWith().topicFilter(hubInbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            app.subscribeWith().topicFilter(installerInbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            owner.subscribeWith().topicFilter(homeownerInbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();

            // COMMISSIONING: the installer's app and the hub reach each other anywhere in their inboxes.
            assertDelivered(app, hubInbox, toHub);
            assertDelivered(app, hubInbox + "/lights", toHub);
            assertDelivered(hub, installerInbox, toApp);
            assertRefused(owner, hubInbox);

            // PENDING_HANDOVER: only the handover flow, both ways.
            portal.status(project, "PENDING_HANDOVER");
            awaitRefused(app, hubInbox);
            assertRefused(app, hubInbox + "/lights");
            assertDelivered(app, hubInbox + "/handover", toHub);
            assertDelivered(app, hubInbox + "/handover/key-check", toHub);
            assertDelivered(hub, installerInbox + "/handover", toApp);
            assertRefused(hub, installerInbox);
            portal.claim(project, homeowner);
            assertRefused(owner, hubInbox + "/handover");

            // HANDED_OVER: the installer's app is refused everywhere, the homeowner's app has the hub.
            portal.handOver(project, homeowner);
            awaitRefused(app, hubInbox + "/handover");
            assertRefused(app, hubInbox);
            assertRefused(hub, installerInbox + "/handover");
            assertRefused(hub, installerInbox);
            assertDelivered(owner, hubInbox, toHub);
            assertDelivered(owner, hubInbox + "/handover", toHub);
            assertDelivered(hub, homeownerInbox, toOwner);

            assertThat(a.metric("ora_relay_publishes_refused_total", "reason", "not_authorized")
                    + b.metric("ora_relay_publishes_refused_total", "reason", "not_authorized")).isPositive();
        } finally {
            hub.disconnect();
            app.disconnect();
            owner.disconnect();
        }
    }

    /**
     * The issue's test: an installer's two app installs, one on each node, publish QoS 1 to their project's hub in a
     * loop; the installer leaves the organisation; within seconds every publish of both is refused, and stays so.
     */
    @Test
    void removingTheInstallerFromTheOrganisationStopsAppsThatArePublishingOnEveryNode() throws Exception {
        UUID organisation = portal.organisation();
        UUID installer = portal.member(organisation);
        UUID project = portal.project(organisation, "COMMISSIONING");
        UUID hubId = portal.hub(project);
        String hubInbox = Topics.hubInbox(hubId);
        Mqtt5BlockingClient hub = RelayTestKit.connect(b, a.hub(hubId));
        hub.toAsync().subscribeWith().topicFilter(hubInbox + "/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(delivered -> { }).send().join();
        PeerId.App phone = new PeerId.App(installer + ":phone");
        PeerId.App tablet = new PeerId.App(installer + ":tablet");
        Mqtt5BlockingClient onA = RelayTestKit.connect(a, a.app(phone.id()));
        Mqtt5BlockingClient onB = RelayTestKit.connect(b, a.app(tablet.id()));
        ExecutorService publishers = Executors.newFixedThreadPool(2);
        AtomicBoolean running = new AtomicBoolean(true);
        List<Outcome> fromA = Collections.synchronizedList(new ArrayList<>());
        List<Outcome> fromB = Collections.synchronizedList(new ArrayList<>());
        try {
            Future<?> loopA = publishers.submit(() -> publishUntilStopped(onA, hubInbox, running, fromA));
            Future<?> loopB = publishers.submit(() -> publishUntilStopped(onB, hubInbox, running, fromB));
            long localAnswersBefore = answeredOnNode(a);
            Awaitility.await().atMost(WITHIN).until(() -> successes(fromA) >= 50 && successes(fromB) >= 50);
            assertThat(answeredOnNode(a)).as("node A answers from its cache while the app publishes")
                    .isGreaterThan(localAnswersBefore);

            long removed = System.nanoTime();
            portal.removeMember(organisation, installer);

            Awaitility.await().atMost(WITHIN).until(() -> firstRefusal(fromA, removed).isPresent()
                    && firstRefusal(fromB, removed).isPresent());
            int refusedA = firstRefusal(fromA, removed).orElseThrow();
            int refusedB = firstRefusal(fromB, removed).orElseThrow();
            Awaitility.await().atMost(WITHIN)
                    .until(() -> fromA.size() > refusedA + 50 && fromB.size() > refusedB + 50);
            running.set(false);
            loopA.get(5, TimeUnit.SECONDS);
            loopB.get(5, TimeUnit.SECONDS);

            assertThat(codesFrom(fromA, refusedA)).as("node A, after its first refusal")
                    .containsOnly(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
            assertThat(codesFrom(fromB, refusedB)).as("node B, after its first refusal")
                    .containsOnly(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
            assertThat(publishQos1(hub, Topics.inbox(phone), randomBytes(8)))
                    .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
            assertThat(publishQos1(hub, Topics.inbox(tablet), randomBytes(8)))
                    .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        } finally {
            running.set(false);
            publishers.shutdown();
            assertThat(publishers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            onA.disconnect();
            onB.disconnect();
            hub.disconnect();
        }
    }

    private record Outcome(long at, Mqtt5PubAckReasonCode code) {
    }

    private static void publishUntilStopped(Mqtt5BlockingClient app, String topic, AtomicBoolean running,
                                            List<Outcome> outcomes) {
        byte[] payload = randomBytes(16);
        while (running.get()) {
            Mqtt5PubAckReasonCode code = publishQos1(app, topic, payload);
            outcomes.add(new Outcome(System.nanoTime(), code));
        }
    }

    private static long successes(List<Outcome> outcomes) {
        synchronized (outcomes) {
            return outcomes.stream().filter(outcome -> outcome.code() == Mqtt5PubAckReasonCode.SUCCESS).count();
        }
    }

    /** The index of the first refusal acknowledged after {@code since}. */
    private static Optional<Integer> firstRefusal(List<Outcome> outcomes, long since) {
        synchronized (outcomes) {
            for (int i = 0; i < outcomes.size(); i++) {
                Outcome outcome = outcomes.get(i);
                if (outcome.at() > since && outcome.code() == Mqtt5PubAckReasonCode.NOT_AUTHORIZED) {
                    return Optional.of(i);
                }
            }
            return Optional.empty();
        }
    }

    private static List<Mqtt5PubAckReasonCode> codesFrom(List<Outcome> outcomes, int from) {
        synchronized (outcomes) {
            return outcomes.subList(from, outcomes.size()).stream().map(Outcome::code).toList();
        }
    }

    private static void assertDelivered(Mqtt5BlockingClient sender, String topic,
                                        Mqtt5BlockingClient.Mqtt5Publishes receiver) throws InterruptedException {
        byte[] payload = randomBytes(32);
        assertThat(publishQos1(sender, topic, payload)).as("publish to " + topic)
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        // Earlier publishes that were still delivered (while waiting for a change to arrive) may come first.
        Optional<Mqtt5Publish> delivered = receiver.receive(5, TimeUnit.SECONDS);
        while (delivered.isPresent() && !Arrays.equals(delivered.get().getPayloadAsBytes(), payload)) {
            delivered = receiver.receive(5, TimeUnit.SECONDS);
        }
        assertThat(delivered.map(publish -> publish.getTopic().toString())).as("delivered").contains(topic);
    }

    private static void assertRefused(Mqtt5BlockingClient sender, String topic) {
        assertThat(publishQos1(sender, topic, randomBytes(8))).as("publish to " + topic)
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    }

    private static void awaitRefused(Mqtt5BlockingClient sender, String topic) {
        Awaitility.await().atMost(WITHIN).pollInterval(Duration.ofMillis(50)).until(
                () -> publishQos1(sender, topic, randomBytes(8)) == Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    }

    /** Access look-ups node {@code node} answered without Redis or PostgreSQL: its cache, or the connection's. */
    private static long answeredOnNode(TestRelay node) {
        return node.metric("ora_relay_access_lookups_total", "answered_by", "local")
                + node.metric("ora_relay_access_lookups_total", "answered_by", "connection");
    }
}
