package io.ora.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.ora.core.handover.AccessKeyCode;
import io.ora.core.identity.PeerId;
import io.ora.core.pki.DevPki;
import io.ora.core.pki.Pem;
import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.handover.ProjectKeyEnvelope;
import io.ora.node.observe.FakeSentry;
import io.ora.persistence.CapturedLogs;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The remote handover as one story, on one whole node, over real HTTP and real MQTT (mTLS): the electrician signs
 * in, builds the project and registers its hub, their app gets a certificate and talks to the hub, they issue an
 * AccessKey and upload the Project Key wrapped under it, start the handover (hub locked, OTA waits, their app
 * restricted to the handover topic), the homeowner claims it, is sent to sign in again, fetches the wrapped key,
 * unwraps it to the original bytes and completes the handover (lock released, the installer's app cut off, the
 * homeowner's app let in), and no personal data is left anywhere.
 */
class HandoverStoryIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path home;

    private StoryNode story;
    /** A release rolled out to every hub of the model, so a hub out of the lock is offered it. */
    private OtaFixture ota;

    @AfterEach
    void stop() {
        if (story != null) {
            story.close();
        }
    }

    record Answer(int status, Map<String, List<String>> headers, JsonNode json) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse("");
        }
    }

    private String portal;

    Answer call(String method, String path, String token, Object body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(portal + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode json = response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
        return new Answer(response.statusCode(), response.headers().map(), json);
    }

    Answer ok(String method, String path, String token, Object body) throws Exception {
        Answer answer = call(method, path, token, body, Map.of());
        assertThat(answer.status()).as(method + " " + path + ": " + answer.json()).isBetween(200, 204);
        return answer;
    }

    Answer transition(String project, String token, String to) throws Exception {
        String etag = call("GET", project, token, null, Map.of()).header("ETag");
        Answer answer = call("POST", project + "/transitions", token, Map.of("to", to), Map.of("If-Match", etag));
        assertThat(answer.status()).as("-> " + to + ": " + answer.json()).isEqualTo(200);
        return answer;
    }

    /** An app install: a key made here, a certificate from the portal for it, credentials on disk. */
    PeerCredentials appInstall(String token, String installId) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = generator.generateKeyPair();
        StringWriter csr = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(csr)) {
            writer.writeObject(new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + installId),
                    key.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        }
        Answer issued = call("POST", "/v1/app-certificates", token, Map.of("installId", installId,
                "csr", csr.toString()), Map.of());
        assertThat(issued.status()).isEqualTo(201);
        Path dir = home.resolve("apps").resolve(installId);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("ca.crt"), issued.json().get("caCertificate").asString());
        Files.writeString(dir.resolve("client.crt"), issued.json().get("certificate").asString());
        Pem.write(dir.resolve("client.key"), Pem.privateKey(key.getPrivate()), true);
        return PeerCredentials.load(dir);
    }

    static Mqtt5PubAckReasonCode publish(Mqtt5BlockingClient client, String topic, String payload) {
        try {
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(payload.getBytes(StandardCharsets.UTF_8)).send()).getPubAck().getReasonCode();
        } catch (Mqtt5PubAckException refused) {
            return refused.getMqttMessage().getReasonCode();
        }
    }

    static String received(Mqtt5BlockingClient.Mqtt5Publishes inbox) throws InterruptedException {
        Optional<Mqtt5Publish> message = inbox.receive(10, TimeUnit.SECONDS);
        assertThat(message).as("a message arrives").isPresent();
        return new String(message.get().getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void anElectricianHandsAHomeToItsOwnerRemotely() throws Exception {
        // Every logger at ALL, traces and metrics exported (every trace sampled), errors reported: none of them may
        // hold the customer's data, the AccessKey code, a token or a relayed payload.
        try (OtlpReceiver otlp = new OtlpReceiver(); FakeSentry sentry = new FakeSentry();
             CapturedLogs logs = new CapturedLogs()) {
            ota = new OtaFixture(home);
            Map<String, Object> settings = new java.util.HashMap<>(ota.settings(TestPorts.free()));
            settings.putAll(Map.of("ora.observability.otlp.endpoint", otlp.endpoint(),
                    "ora.observability.tracing.sampler", "always",
                    "ora.observability.tracing.report-interval", "200ms",
                    "ora.observability.otlp.metrics-step", "1s",
                    "ora.observability.sentry.dsn", sentry.dsn()));
            story = StoryNode.start(home, settings);
            List<String> secrets = handOver();
            // An error while serving, with the secrets in its arguments and its exception's message: Sentry gets it
            // without them.
            LoggerFactory.getLogger(HandoverStoryIT.class).error("a forced error in the story, about {}",
                    secrets.get(0), new IllegalStateException("failed for " + String.join(" and ", secrets)));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !sentry.events().isEmpty()
                    && otlp.spans().stream().anyMatch(span -> span.name().equals("handover.transition"))
                    && otlp.spans().stream().anyMatch(span -> span.name().equals("hub.lock"))
                    && otlp.metricNames().contains("ora_portal_request_seconds"));
            story.close();
            story = null;

            String exported = otlp.everything();
            String reported = sentry.requests().stream().map(request -> new String(request.body(),
                    StandardCharsets.UTF_8)).collect(Collectors.joining("\n"));
            List<String> lines = logs.texts().stream()
                    .filter(line -> !line.startsWith("a forced error in the story")).toList();
            for (String secret : secrets) {
                assertThat(exported).as("spans and metrics").doesNotContain(secret);
                assertThat(reported).as("Sentry").doesNotContain(secret);
                assertThat(lines).as("log lines").noneMatch(line -> line.contains(secret));
            }
        }
    }

    /** The story itself; answers what must never leave the node: personal data, the code, tokens, a payload. */
    private List<String> handOver() throws Exception {
        portal = story.portal();
        String marker = "Qx" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

        // The electrician signs in, is licensed, sets up an organisation, a template and the customer's project.
        String electrician = story.token("sparky-" + UUID.randomUUID(), "electrician", 0);
        String operator = story.token("ops-" + UUID.randomUUID(), "operator", 0);
        String rollout = ota.shipToEveryone(portal, operator, OtaFixture.image(64 * 1024), "1.4.0");
        String check = "{\"model\":\"" + OtaFixture.MODEL + "\",\"version\":\"1.2.0\"}";
        String licence = ok("PUT", "/v1/me/licence", electrician, Map.of("licenceNumber", "EC-123456",
                "issuingState", "VIC", "licenceClass", "A-grade", "expiresOn", LocalDate.now().plusYears(1)
                        .toString())).json().get("id").asString();
        ok("POST", "/v1/operator/licences/" + licence + "/review", operator, Map.of("decision", "VERIFIED"));
        ok("POST", "/v1/organisations", electrician, Map.of("name", "Sparks & Co"));
        String template = ok("POST", "/v1/templates", electrician, Map.of("name", "Home", "content",
                Map.of("rooms", List.of(Map.of("id", "kitchen", "name", "Kitchen"))))).json().get("id").asString();
        Answer created = call("POST", "/v1/projects", electrician, Map.of("templateId", template,
                "siteAddress", "1 " + marker + " Road, Melbourne", "notes", "dog called " + marker,
                "customer", Map.of("name", "Client " + marker, "email", marker.toLowerCase(Locale.ROOT)
                        + "@example.com", "phone", "+61 3 5550 0000")), Map.of());
        assertThat(created.status()).isEqualTo(201);
        String project = created.header("Location");
        UUID projectId = UUID.fromString(created.json().get("id").asString());

        // The hub: factory-provisioned identity, registered to the project by fingerprint, connected over mTLS.
        UUID hubId = UUID.randomUUID();
        Path hubDir = home.resolve("hub");
        X509Certificate hubCertificate = DevPki.open(home.resolve("pki"))
                .issuePeerFiles(new PeerId.Hub(hubId), Duration.ofDays(1), hubDir);
        String fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(hubCertificate.getEncoded()));
        ok("POST", project + "/hubs", electrician, Map.of("hubId", hubId.toString(),
                "certificateFingerprint", fingerprint));
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        HttpResponse<String> floorPlan = HTTP.send(HttpRequest.newBuilder(URI.create(portal + project
                        + "/floor-plan?fileName=" + marker + ".png")).header("Authorization", "Bearer " + electrician)
                .header("Content-Type", "image/png").header("If-None-Match", "*")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(floorPlan.statusCode()).isEqualTo(201);
        Mqtt5BlockingClient hub = story.connect(PeerCredentials.load(hubDir));
        hub.subscribeWith().topicFilter("ora/v1/hub/" + hubId + "/in/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient.Mqtt5Publishes hubInbox = hub.publishes(MqttGlobalPublishFilter.ALL);
        String hubTopic = "ora/v1/hub/" + hubId + "/in";

        // Commissioning: the installer's app gets its certificate from the portal and talks to the hub.
        transition(project, electrician, "COMMISSIONING");
        PeerCredentials installerApp = appInstall(electrician, "van-tablet");
        Mqtt5BlockingClient installer = story.connect(installerApp);
        assertThat(publish(installer, hubTopic, "pair kitchen dimmer")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(received(hubInbox)).isEqualTo("pair kitchen dimmer");

        // The AccessKey, and the Project Key wrapped under it on the installer's device.
        String code = ok("POST", project + "/access-key", electrician, null).json().get("code").asString();
        byte[] projectKey = new byte[32];
        new SecureRandom().nextBytes(projectKey);
        String envelope = ProjectKeyEnvelope.wrap(projectKey, AccessKeyCode.parse(code).orElseThrow(), projectId,
                ProjectKeyEnvelope.Parameters.RECOMMENDED);
        ok("PUT", project + "/project-key", electrician, JSON.readTree(envelope));

        // PENDING_HANDOVER: the hub is locked, OTA waits, the installer's app only reaches the handover topic.
        assertThat(transition(project, electrician, "PENDING_HANDOVER").json().get("hubsLocked").asBoolean())
                .isTrue();
        assertThat(publish(hub, "ora/v1/hub/" + hubId + "/ota", check)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(received(hubInbox)).as("a rollout includes every hub, but this one is locked")
                .isEqualTo("{\"ota\":\"wait\",\"reason\":\"pending_handover\"}");
        assertThat(publish(installer, hubTopic, "rewire")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(publish(installer, hubTopic + "/handover", "handover ready"))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(received(hubInbox)).isEqualTo("handover ready");

        // The homeowner claims the project with the code as they typed it.
        String ownerSubject = "owner-" + UUID.randomUUID();
        String homeowner = story.token(ownerSubject, "homeowner", 0);
        ok("POST", "/v1/access-keys/claim", homeowner, Map.of("code", code.toLowerCase(Locale.ROOT)));

        // An old sign-in is not enough for the secret: step-up.
        Answer stale = call("GET", project + "/project-key", story.token(ownerSubject, "homeowner", 900), null,
                Map.of());
        assertThat(stale.status()).isEqualTo(401);
        assertThat(stale.header("WWW-Authenticate")).contains("insufficient_user_authentication")
                .contains("max_age");

        // A fresh sign-in gets the wrapped key, and the code opens it on the homeowner's device.
        JsonNode wrapped = ok("GET", project + "/project-key", homeowner, null).json();
        byte[] unwrapped = ProjectKeyEnvelope.unwrap(JSON.writeValueAsString(wrapped),
                AccessKeyCode.parse(code).orElseThrow(), projectId);
        assertThat(unwrapped).isEqualTo(projectKey);

        // HANDED_OVER: the lock is released, the installer is out, the homeowner is in.
        assertThat(transition(project, homeowner, "HANDED_OVER").json().get("hubsLocked").asBoolean()).isFalse();
        assertThat(publish(hub, "ora/v1/hub/" + hubId + "/ota", check)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        String offered = received(hubInbox);
        assertThat(offered).as("out of the lock, the rollout offers it the release again by itself")
                .startsWith("{\"ota\":\"offer\",\"rollout\":\"" + rollout + "\"");
        assertThat(publish(installer, hubTopic, "still here?")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(publish(installer, hubTopic + "/handover", "still here?"))
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        Mqtt5BlockingClient owner = story.connect(appInstall(homeowner, "phone"));
        String payload = "lights on " + UUID.randomUUID();
        assertThat(publish(owner, hubTopic, payload)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(received(hubInbox)).isEqualTo(payload);

        // No personal data is left: not in any table, not in Redis.
        assertThat(StoryNode.storedText()).doesNotContain(marker).doesNotContain(marker.toLowerCase(Locale.ROOT));
        assertThat(StoryNode.redisText()).doesNotContain(marker).doesNotContain(marker.toLowerCase(Locale.ROOT));
        return List.of(marker, marker.toLowerCase(Locale.ROOT), code, code.toLowerCase(Locale.ROOT), electrician,
                operator, homeowner, payload);
    }
}
