package io.ora.node;

import static io.ora.node.OtaFixture.call;
import static io.ora.node.OtaFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.ora.core.firmware.FirmwareKeys;
import io.ora.core.firmware.FirmwareRefusal;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.SignedEnvelope;
import io.ora.core.firmware.TrustedRoot;
import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.ota.FirmwareVerification;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Firmware distribution end to end on one whole node, over real HTTP, MQTT (mTLS) and HTTPS (mTLS): the firmware team
 * signs offline; the operator uploads the root, is refused a tampered and a wrongly signed release, uploads the real
 * one and its image (a wrong image is refused, nothing kept), and rolls it out; a hub checks over MQTT, is offered it,
 * downloads it with one interrupted download resumed by a range request, verifies it as hub-kit does and reports;
 * the progress shows it, pause makes the hub wait, abort ends offers; and no table holds the hub's UUID.
 */
class OtaStoryIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path home;

    private StoryNode story;

    @AfterEach
    void stop() {
        if (story != null) {
            story.close();
        }
    }

    @Test
    void signUploadRollOutDownloadResumeVerifyReportPauseAbort() throws Exception {
        OtaFixture ota = new OtaFixture(home);
        int devicePort = TestPorts.free();
        story = StoryNode.start(home, ota.settings(devicePort));
        String portal = story.portal();
        String operator = story.token("op-" + UUID.randomUUID(), "operator", 0);
        String electrician = story.token("el-" + UUID.randomUUID(), "electrician", 0);

        assertThat(json(portal, operator, "POST", "/v1/ota/roots", ota.rootMetadata()).status()).isEqualTo(201);
        assertThat(json(portal, electrician, "GET", "/v1/ota/releases", null).status()).isEqualTo(403);

        byte[] image = OtaFixture.image(3 * 1024 * 1024 + 17);
        byte[] signed = OtaFixture.release(image, "1.4.0", ota.release.getPrivate());
        // Tampered after signing: the payload says another size, the signature no longer covers it.
        JsonNode tree = JSON.readTree(signed);
        String payload = new String(java.util.Base64.getDecoder().decode(tree.get("payload").asString()),
                StandardCharsets.UTF_8).replace("\"size\":" + image.length, "\"size\":" + (image.length + 1));
        byte[] tampered = JSON.writeValueAsBytes(((tools.jackson.databind.node.ObjectNode) tree).put("payload",
                java.util.Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8))));
        OtaFixture.Answer refused = json(portal, operator, "POST", "/v1/ota/releases", tampered);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().get("type").asString()).endsWith("/signature-invalid");
        OtaFixture.Answer wrongKey = json(portal, operator, "POST", "/v1/ota/releases",
                OtaFixture.release(image, "1.4.0", FirmwareKeys.generate().getPrivate()));
        assertThat(wrongKey.json().get("type").asString()).endsWith("/signature-invalid");

        OtaFixture.Answer registered = json(portal, operator, "POST", "/v1/ota/releases", signed);
        assertThat(registered.status()).isEqualTo(201);
        assertThat(registered.json().get("state").asString()).isEqualTo("awaiting_artifact");
        String releaseId = registered.json().get("id").asString();
        byte[] wrong = image.clone();
        wrong[wrong.length / 2] ^= 1;
        OtaFixture.Answer mismatch = call(portal, operator, "PUT", "/v1/ota/releases/" + releaseId + "/artifact",
                "application/octet-stream", wrong);
        assertThat(mismatch.status()).isEqualTo(422);
        assertThat(mismatch.json().get("type").asString()).endsWith("/artifact-mismatch");
        assertThat(json(portal, operator, "GET", "/v1/ota/releases/" + releaseId, null).json().get("state")
                .asString()).isEqualTo("awaiting_artifact");
        assertThat(call(portal, operator, "PUT", "/v1/ota/releases/" + releaseId + "/artifact",
                "application/octet-stream", image).json().get("state").asString()).isEqualTo("available");

        OtaFixture.Answer created = json(portal, operator, "POST", "/v1/ota/rollouts", Map.of("releaseId", releaseId,
                "fromVersions", Map.of("min", "1.0.0"),
                "stages", List.of(Map.of("percent", 100, "soakMinutes", 0)), "maxOffersPerMinute", 1000,
                "autoPause", Map.of("failures", 100)));
        assertThat(created.status()).as(String.valueOf(created.json())).isEqualTo(201);
        String rolloutId = created.json().get("id").asString();

        UUID hubId = UUID.randomUUID();
        PeerCredentials hub = NodeTestKit.credentials(home, new PeerId.Hub(hubId));
        Mqtt5BlockingClient client = story.connect(hub);
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = client.publishes(MqttGlobalPublishFilter.ALL)) {
            client.subscribeWith().topicFilter(Topics.hubInbox(hubId) + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            String check = "{\"model\":\"" + OtaFixture.MODEL + "\",\"version\":\"1.2.0\"}";
            JsonNode offer = await().atMost(Duration.ofSeconds(10)).until(() -> answer(client, inbox, hubId, check),
                    answer -> answer.get("ota").asString().equals("offer"));
            assertThat(offer.get("rollout").asString()).isEqualTo(rolloutId);
            assertThat(answer(client, inbox, hubId, "{\"model\":\"other\",\"version\":\"1.2.0\"}").toString())
                    .isEqualTo("{\"ota\":\"none\"}");
            assertThat(answer(client, inbox, hubId, "{\"model\":\"" + OtaFixture.MODEL + "\",\"version\":\"1.4.0\"}")
                    .toString()).as("a hub on the release's version is not offered it again")
                    .isEqualTo("{\"ota\":\"none\"}");

            // The hub's own checks, before a byte is downloaded.
            SignedEnvelope release = SignedEnvelope.of(offer.get("release"));
            List<SignedEnvelope> roots = new ArrayList<>();
            for (JsonNode root : offer.get("roots")) {
                roots.add(SignedEnvelope.of(root));
            }
            FirmwareVerification verification = new FirmwareVerification(
                    TrustedRoot.pinned(FirmwareKeys.readPublic(ota.rootPublicKey)), OtaFixture.MODEL,
                    FirmwareVersion.parse("1.2.0").orElseThrow());
            FirmwareVerification.Outcome before = verification.beforeDownload(release, roots, Instant.now());
            assertThat(before.refusal()).isEmpty();
            report(client, hubId, rolloutId, "downloading", null);

            // Download, interrupted after the first MiB, resumed with a range request.
            String url = offer.get("download").get("url").asString();
            HttpClient https = HttpClient.newBuilder().sslContext(hub.sslContext()).build();
            String sha256 = offer.get("download").get("sha256").asString();
            HttpResponse<byte[]> first = https.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Range", "bytes=0-1048575").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(first.statusCode()).isEqualTo(206);
            assertThat(first.headers().firstValue("Content-Range")).contains("bytes 0-1048575/" + image.length);
            assertThat(first.headers().firstValue("ETag")).contains("\"" + sha256 + "\"");
            HttpResponse<byte[]> rest = https.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Range", "bytes=1048576-").header("If-Range", "\"" + sha256 + "\"").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(rest.statusCode()).isEqualTo(206);
            ByteArrayOutputStream downloaded = new ByteArrayOutputStream();
            downloaded.write(first.body());
            downloaded.write(rest.body());
            Path file = home.resolve("downloaded.bin");
            Files.write(file, downloaded.toByteArray());
            assertThat(FirmwareVerification.afterDownload(before.accepted().orElseThrow().release(), file)).isEmpty();
            assertThat(downloaded.toByteArray()).isEqualTo(image);
            HttpResponse<byte[]> stale = https.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Range", "bytes=1048576-").header("If-Range", "\"0000\"").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(stale.statusCode()).as("another version's tag: the whole body again").isEqualTo(200);
            assertThat(https.send(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=" + image.length
                    + "-").build(), HttpResponse.BodyHandlers.ofByteArray()).statusCode()).isEqualTo(416);
            byte[] corrupt = downloaded.toByteArray();
            corrupt[7] ^= 1;
            Files.write(file, corrupt);
            assertThat(FirmwareVerification.afterDownload(before.accepted().get().release(), file))
                    .contains(FirmwareRefusal.HASH_MISMATCH);
            report(client, hubId, rolloutId, "verified", null);
            report(client, hubId, rolloutId, "installed", null);
            assertThat(publishReport(client, hubId, "{\"rollout\":\"" + UUID.randomUUID()
                    + "\",\"status\":\"installed\"}")).isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);

            // Progress: the offer is counted at the next sweep, the newest report per hub counts.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode stage = json(portal, operator, "GET", "/v1/ota/rollouts/" + rolloutId, null).json()
                        .get("stages").get(0);
                assertThat(stage.get("offers").asLong()).isGreaterThanOrEqualTo(1);
                assertThat(stage.get("reports").get("installed").asLong()).isEqualTo(1);
                assertThat(stage.get("reports").get("downloading").asLong()).isZero();
            });

            // Pause: the hub waits; resume: offered again; abort: never again.
            assertThat(json(portal, operator, "POST", "/v1/ota/rollouts/" + rolloutId + "/pause", null).json()
                    .get("status").asString()).isEqualTo("paused");
            await().atMost(Duration.ofSeconds(10)).until(() -> answer(client, inbox, hubId, check).toString(),
                    "{\"ota\":\"wait\",\"reason\":\"paused\"}"::equals);
            assertThat(json(portal, operator, "POST", "/v1/ota/rollouts/" + rolloutId + "/pause", null).status())
                    .isEqualTo(409);
            json(portal, operator, "POST", "/v1/ota/rollouts/" + rolloutId + "/resume", null);
            await().atMost(Duration.ofSeconds(10)).until(() -> answer(client, inbox, hubId, check).get("ota")
                    .asString(), "offer"::equals);
            assertThat(json(portal, operator, "POST", "/v1/ota/rollouts/" + rolloutId + "/abort", null).json()
                    .get("status").asString()).isEqualTo("aborted");
            await().atMost(Duration.ofSeconds(10)).until(() -> answer(client, inbox, hubId, check).toString(),
                    "{\"ota\":\"none\"}"::equals);
            report(client, hubId, rolloutId, "installed", null);
        }

        JsonNode audit = json(portal, operator, "GET", "/v1/ota/audit", null).json();
        assertThat(audit.get("items").findValuesAsString("action")).contains("OTA_ROOT_UPLOADED",
                "OTA_RELEASE_REGISTERED", "OTA_ARTIFACT_UPLOADED", "OTA_ROLLOUT_CREATED", "OTA_ROLLOUT_PAUSED",
                "OTA_ROLLOUT_RESUMED", "OTA_ROLLOUT_ABORTED");
        assertThat(StoryNode.storedText()).doesNotContain(hubId.toString())
                .doesNotContain(hubId.toString().replace("-", ""));
    }

    /** One check at QoS 1 and its answer, which must come from the relay. */
    private static JsonNode answer(Mqtt5BlockingClient client, Mqtt5BlockingClient.Mqtt5Publishes inbox, UUID hubId,
                                   String check) throws Exception {
        assertThat(HandoverStoryIT.publish(client, "ora/v1/hub/" + hubId + "/ota", check))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        Mqtt5Publish answer = inbox.receive(10, TimeUnit.SECONDS).orElseThrow();
        assertThat(answer.getTopic().toString()).isEqualTo("ora/v1/hub/" + hubId + "/in/ota");
        assertThat(answer.getUserProperties().asList().toString()).contains("urn:ora:relay");
        return JSON.readTree(answer.getPayloadAsBytes());
    }

    private static void report(Mqtt5BlockingClient client, UUID hubId, String rollout, String status, String reason) {
        String body = "{\"rollout\":\"" + rollout + "\",\"status\":\"" + status + "\""
                + (reason == null ? "" : ",\"reason\":\"" + reason + "\"") + "}";
        assertThat(publishReport(client, hubId, body)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    }

    private static Mqtt5PubAckReasonCode publishReport(Mqtt5BlockingClient client, UUID hubId, String body) {
        return HandoverStoryIT.publish(client, Topics.otaReport(new PeerId.Hub(hubId)), body);
    }

}
