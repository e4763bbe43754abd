package io.ora.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.opentelemetry.proto.trace.v1.Span;
import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import io.ora.hubkit.RelayClients;
import io.ora.persistence.CapturedLogs;
import io.ora.persistence.TestRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Traces leave the node over OTLP/HTTP to a real receiver (decoded with the OpenTelemetry protocol's classes): a
 * portal request continues its caller's {@code traceparent} and is named after its route template, and the node's
 * log lines for it carry the span's ids; an app's PUBLISH to a hub connected to another node is one trace, the
 * receiver's delivery span the child of the sender edge's span across the cluster hop. Metrics go to the same
 * receiver, and every export carries the configured header intact (a Base64 value ends in '=').
 */
class TracingAcrossNodesIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String AUTHORIZATION = "Basic b3JhLXRlc3Q6c2VjcmV0LXRva2VuLTE=";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path home;

    @Test
    void aPortalRequestAndAPublishToAnotherNodeAreTracedAndExported() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver(); CapturedLogs logs = new CapturedLogs()) {
            int seedPort = TestPorts.free();
            Node a = Node.start(exporting(receiver, home.resolve("a"), seedPort), Map.of());
            Node b = null;
            try {
                b = Node.start(exporting(receiver, home.resolve("b"), TestPorts.free()),
                        Map.of("ORA_SEED_NODES", "pekko://ora@127.0.0.1:" + seedPort));
                Node second = b;
                Awaitility.await().atMost(WAIT).until(() -> NodeTestKit.upMembers(a) == 2
                        && NodeTestKit.upMembers(second) == 2);

                portalRequestContinuesItsCallersTrace(a, receiver, logs);
                publishToAHubOnTheOtherNodeIsOneTrace(a, b, receiver);

                // Each node exports on its own step: node b's export (no portal request there) may come first.
                Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(receiver.metricNames())
                        .contains("ora_relay_connections", "ora_portal_request_seconds", "jvm.memory.used"));
                assertThat(receiver.authorizations()).isNotEmpty().allMatch(AUTHORIZATION::equals);
            } finally {
                if (b != null) {
                    b.close();
                }
                a.close();
            }
        }
    }

    private static void portalRequestContinuesItsCallersTrace(Node node, OtlpReceiver receiver, CapturedLogs logs)
            throws Exception {
        String portal = "http://127.0.0.1:" + node.portal().orElseThrow().port();
        String token = token(portal, "sparky-" + UUID.randomUUID(), "electrician");
        String callerTrace = hex(16);
        String callerSpan = hex(8);
        HttpResponse<String> listed = HTTP.send(HttpRequest.newBuilder(URI.create(portal + "/v1/projects"))
                .header("Authorization", "Bearer " + token)
                .header("traceparent", "00-" + callerTrace + "-" + callerSpan + "-01").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(listed.statusCode()).isEqualTo(200);

        Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(receiver.spans())
                .anyMatch(span -> span.name().equals("GET /v1/projects") && span.traceId().equals(callerTrace)));
        OtlpReceiver.ReceivedSpan span = receiver.span("GET /v1/projects", callerTrace).orElseThrow();
        assertThat(span.parentSpanId()).isEqualTo(callerSpan);
        assertThat(span.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(span.attributes()).containsEntry("http.route", "/v1/projects")
                .containsEntry("http.request.method", "GET").containsEntry("http.response.status_code", "200");
        // The request's access line (and anything else logged for it) carries the span's ids.
        Awaitility.await().atMost(WAIT).until(() -> logs.texts().stream()
                .anyMatch(line -> line.contains("GET /v1/projects answered 200")
                        && line.contains("trace_id=" + callerTrace) && line.contains("span_id=" + span.spanId())));
    }

    private void publishToAHubOnTheOtherNodeIsOneTrace(Node sender, Node receiving, OtlpReceiver receiver)
            throws Exception {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        sender.relay().orElseThrow().bindings().grant(appId, hubId);
        Mqtt5BlockingClient hub = RelayClients.mqtt5(NodeTestKit.credentials(home.resolve("b"), new PeerId.Hub(hubId)),
                "127.0.0.1", receiving.relay().orElseThrow().server().port()).buildBlocking();
        Mqtt5BlockingClient app = RelayClients.mqtt5(NodeTestKit.credentials(home.resolve("a"), new PeerId.App(appId)),
                "127.0.0.1", sender.relay().orElseThrow().server().port()).buildBlocking();
        try {
            hub.connect();
            hub.subscribeWith().topicFilter(Topics.hubInbox(hubId)).qos(MqttQos.AT_LEAST_ONCE).send();
            app.connect();
            try (Mqtt5BlockingClient.Mqtt5Publishes inbox = hub.publishes(MqttGlobalPublishFilter.ALL)) {
                // The first goes through the hub's entity; once the sender's node has learned where the hub's
                // connection is, the next go straight to it on the other node.
                for (int i = 0; i < 3; i++) {
                    app.publishWith().topic(Topics.hubInbox(hubId)).qos(MqttQos.AT_LEAST_ONCE)
                            .payload(("message " + i).getBytes(StandardCharsets.UTF_8)).send();
                    Optional<Mqtt5Publish> received = inbox.receive(10, TimeUnit.SECONDS);
                    assertThat(received).isPresent();
                }
            }
            assertThat(NodeMetrics.get(sender.system()).value("ora_relay_routed_total", "via", "other_node"))
                    .isPositive();

            Awaitility.await().atMost(WAIT).until(() -> deliveries(receiver).size() >= 3);
            for (OtlpReceiver.ReceivedSpan delivery : deliveries(receiver)) {
                OtlpReceiver.ReceivedSpan publish = receiver.spans().stream()
                        .filter(span -> span.name().equals("relay.publish") && span.traceId()
                                .equals(delivery.traceId())).findFirst().orElseThrow();
                assertThat(delivery.parentSpanId()).isEqualTo(publish.spanId());
                assertThat(publish.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_PRODUCER);
                assertThat(publish.attributes()).containsEntry("ora.peer.kind", "app")
                        .containsEntry("ora.outcome", "routed");
                assertThat(delivery.attributes()).containsEntry("ora.peer.kind", "hub")
                        .containsEntry("ora.outcome", "sent");
            }
            assertThat(receiver.spans()).anySatisfy(span -> {
                assertThat(span.name()).isEqualTo("mqtt.connect");
                assertThat(span.attributes()).containsEntry("ora.outcome", "accepted")
                        .containsEntry("mqtt.protocol_version", "5");
            });
        } finally {
            app.disconnect();
            hub.disconnect();
        }
    }

    private static List<OtlpReceiver.ReceivedSpan> deliveries(OtlpReceiver receiver) {
        return receiver.spans().stream().filter(span -> span.name().equals("relay.deliver")).toList();
    }

    private static Config exporting(OtlpReceiver receiver, Path nodeHome, int clusterPort) {
        Map<String, Object> settings = NodeTestKit.config(nodeHome, clusterPort, TestPorts.free());
        Config redis = TestRedis.config(ConfigFactory.empty());
        settings.put("ora.redis.url", redis.getString("ora.redis.url"));
        settings.put("ora.redis.key-prefix", redis.getString("ora.redis.key-prefix"));
        settings.put("ora.observability.otlp.endpoint", receiver.endpoint());
        settings.put("ora.observability.otlp.headers", "Authorization=" + AUTHORIZATION);
        settings.put("ora.observability.otlp.metrics-step", "1s");
        settings.put("ora.observability.tracing.sampler", "always");
        settings.put("ora.observability.tracing.report-interval", "200ms");
        return ConfigFactory.parseMap(settings);
    }

    private static String token(String portal, String subject, String role) throws Exception {
        HttpResponse<String> minted = HTTP.send(HttpRequest.newBuilder(URI.create(portal + "/dev-oidc/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("sub=" + subject + "&role=" + role + "&auth_age=0"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(minted.statusCode()).isEqualTo(200);
        return JSON.readTree(minted.body()).get("access_token").asString();
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
