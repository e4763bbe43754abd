package io.ora.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.ora.core.identity.PeerId;
import io.ora.hubkit.PeerCredentials;
import io.ora.persistence.CapturedLogs;
import io.ora.persistence.TestDatabase;
import io.ora.persistence.telemetry.HubPseudonym;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Telemetry through a whole node: a hub publishes over MQTT (mTLS) and posts over HTTPS with the same certificate,
 * and each is acknowledged only once the samples are in PostgreSQL, under the hub's pseudonym; a payload naming
 * people-sensing data is refused and leaves no row and no log line; an operator reads the hub's aggregated health
 * over the portal and erases it.
 */
class TelemetryStoryIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

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
    void aHubsHealthIsStoredUnderItsPseudonymReadByOperatorsAndErasedWhilePeopleSensingDataIsRefused()
            throws Exception {
        story = StoryNode.start(home);
        String portal = story.portal();
        HubPseudonym pseudonym = HubPseudonym.from(story.node().system().settings().config());
        UUID hubId = UUID.randomUUID();
        PeerCredentials credentials = NodeTestKit.credentials(home, new PeerId.Hub(hubId));
        Mqtt5BlockingClient hub = story.connect(credentials);
        String topic = "ora/v1/hub/" + hubId + "/telemetry";
        String marker = "Mk" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

        try (CapturedLogs logs = new CapturedLogs()) {
            // Acknowledged means stored: the rows are there as soon as the PUBACK is.
            hub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(utf8(
                    "[{\"ts\":1795774530000,\"fw\":\"3.1.4\",\"cpu\":20,\"ram\":50,\"rssi\":-60,\"room\":\""
                            + marker + "\"},{\"cpu\":40,\"ram\":70}]")).send();
            assertThat(rows(pseudonym.of(hubId))).isEqualTo(2);

            assertThatThrownBy(() -> hub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(utf8(
                    "{\"cpu\":10,\"zones\":[{\"Occupancy_State\":\"" + marker + "\"}]}")).send())
                    .isInstanceOfSatisfying(Mqtt5PubAckException.class, refused -> assertThat(
                            refused.getMqttMessage().getReasonCode())
                            .isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID));
            assertThat(rows(pseudonym.of(hubId))).isEqualTo(2);

            // The same hub over HTTPS, with the same device certificate: 200 only once stored, 422 for the refused.
            HttpClient https = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .sslContext(credentials.sslContext()).build();
            URI endpoint = URI.create("https://127.0.0.1:" + story.node().deviceHttps().orElseThrow().port()
                    + "/ingest/v1/telemetry");
            assertThat(post(https, endpoint, "{\"cpu\":60,\"ram\":30,\"owner\":\"" + marker + "\"}"))
                    .isEqualTo(200);
            assertThat(rows(pseudonym.of(hubId))).isEqualTo(3);
            assertThat(post(https, endpoint, "{\"cpu\":60,\"Microphone-Level\":\"" + marker + "\"}"))
                    .isEqualTo(422);
            assertThat(rows(pseudonym.of(hubId))).isEqualTo(3);
            assertThat(logs.texts()).noneMatch(text -> text.contains(marker));
        }
        assertThat(StoryNode.storedText()).doesNotContain(marker, hubId.toString());

        String operator = story.token("ops-" + UUID.randomUUID(), "operator", 0);
        JsonNode health = call(portal, "GET", "/v1/operator/hubs/" + hubId + "/health", operator, 200);
        assertThat(health.get("samples").asLong()).isEqualTo(3);
        assertThat(health.get("firmware").asString()).isEqualTo("3.1.4");
        assertThat(health.get("cpu").get("avg").asDouble()).isEqualTo(40.0);
        assertThat(health.get("ram").get("max").asDouble()).isEqualTo(70.0);
        assertThat(health.get("rssi").get("count").asLong()).isEqualTo(1);
        String electrician = story.token("sparky-" + UUID.randomUUID(), "electrician", 0);
        call(portal, "GET", "/v1/operator/hubs/" + hubId + "/health", electrician, 403);

        JsonNode erased = call(portal, "DELETE", "/v1/operator/hubs/" + hubId + "/telemetry", operator, 200);
        assertThat(erased.get("erased").asLong()).isEqualTo(3);
        assertThat(rows(pseudonym.of(hubId))).isZero();
        assertThat(call(portal, "GET", "/v1/operator/hubs/" + hubId + "/health", operator, 200)
                .get("samples").asLong()).isZero();
    }

    private static int post(HttpClient https, URI endpoint, String json) throws Exception {
        return https.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Connection connect() throws Exception {
        var db = TestDatabase.connection();
        return DriverManager.getConnection(db.url(), db.user(), db.password());
    }

    private static long rows(byte[] hub) throws Exception {
        try (Connection connection = connect();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT count(*) FROM telemetry_sample WHERE hub = ?")) {
            select.setBytes(1, hub);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static JsonNode call(String portal, String method, String path, String token, int status)
            throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(portal + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(method + " " + path).isEqualTo(status);
        return response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
    }
}
