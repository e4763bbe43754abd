package io.ora.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.core.firmware.FirmwareKeys;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.ReleaseMetadata;
import io.ora.core.firmware.RootMetadata;
import io.ora.core.firmware.SignedEnvelope;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.ora.persistence.Database;
import io.ora.persistence.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Firmware for a story: an offline root and release key (the test plays the firmware team), a signed root metadata
 * and release, and the operator's calls that put them on the node over its real HTTP API.
 */
final class OtaFixture {

    static final String MODEL = "ora-hub-1";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final KeyPair root = FirmwareKeys.generate();
    final KeyPair release = FirmwareKeys.generate();
    final Path rootPublicKey;

    /**
     * A fixture in {@code dir}, on a test database without OTA state: the root chain and the open rollout per model
     * are the deployment's, one of each, so every story that ships firmware starts from none (and leaves what it
     * made to the next one's reset).
     */
    OtaFixture(Path dir) throws Exception {
        Database.Connection db = TestDatabase.connection();
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
             Statement reset = c.createStatement()) {
            reset.execute("DELETE FROM ota_outcome; DELETE FROM ota_offer_count; DELETE FROM ota_rollout;"
                    + " DELETE FROM ota_artifact_chunk; DELETE FROM ota_release; DELETE FROM ota_root");
        }
        this.rootPublicKey = dir.resolve("root.pub");
        FirmwareKeys.writePublic(root.getPublic(), rootPublicKey);
    }

    /** The node settings a story with OTA needs: the root key, and the download URL on a fixed device port. */
    Map<String, Object> settings(int devicePort) {
        return Map.of("ora.ota.root-public-key-file", rootPublicKey.toString(),
                "ora.device-https.port", devicePort,
                "ora.ota.download-base-url", "https://127.0.0.1:" + devicePort,
                "ora.ota.refresh-interval", "100ms",
                "ora.ota.sweep-interval", "200ms");
    }

    /** Root metadata version 1: the root key signs the next root, the release key signs releases. */
    byte[] rootMetadata() {
        RootMetadata metadata = new RootMetadata(1, Instant.now().plus(Duration.ofDays(365)),
                List.of(root.getPublic()), List.of(release.getPublic()));
        return SignedEnvelope.sign(SignedEnvelope.ROOT_TYPE, metadata.toJson(), List.of(root.getPrivate())).toJson();
    }

    /** A random image of {@code size} bytes. */
    static byte[] image(int size) {
        byte[] image = new byte[size];
        new SecureRandom().nextBytes(image);
        return image;
    }

    /** Release metadata of {@code image} as {@code version}, signed with {@code key}. */
    static byte[] release(byte[] image, String version, java.security.PrivateKey key) throws Exception {
        ReleaseMetadata metadata = new ReleaseMetadata(MODEL, FirmwareVersion.parse(version).orElseThrow(),
                FirmwareVersion.parse("1.0.0").orElseThrow(), image.length,
                MessageDigest.getInstance("SHA-256").digest(image), "test release",
                Instant.now().plus(Duration.ofDays(30)));
        return SignedEnvelope.sign(SignedEnvelope.RELEASE_TYPE, metadata.toJson(), List.of(key)).toJson();
    }

    /** An operator's call: status and body. */
    record Answer(int status, JsonNode json) {
    }

    static Answer call(String portal, String token, String method, String path, String contentType, byte[] body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(portal + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30));
        if (body != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body().isEmpty() ? null : JSON.readTree(response.body()));
    }

    static Answer json(String portal, String token, String method, String path, Object body) throws Exception {
        return call(portal, token, method, path, "application/json",
                body == null ? null : body instanceof byte[] bytes ? bytes : JSON.writeValueAsBytes(body));
    }

    /**
     * Puts the root, a release of {@code image} as {@code version} and a one-stage rollout of every hub on the node;
     * answers the rollout's id.
     */
    String shipToEveryone(String portal, String operator, byte[] image, String version) throws Exception {
        assertThat(json(portal, operator, "POST", "/v1/ota/roots", rootMetadata()).status()).isEqualTo(201);
        Answer registered = json(portal, operator, "POST", "/v1/ota/releases",
                release(image, version, release.getPrivate()));
        assertThat(registered.status()).as(String.valueOf(registered.json())).isEqualTo(201);
        String releaseId = registered.json().get("id").asString();
        assertThat(call(portal, operator, "PUT", "/v1/ota/releases/" + releaseId + "/artifact",
                "application/octet-stream", image).status()).isEqualTo(200);
        Answer rollout = json(portal, operator, "POST", "/v1/ota/rollouts", Map.of("releaseId", releaseId,
                "stages", List.of(Map.of("percent", 100, "soakMinutes", 0)), "maxOffersPerMinute", 1000));
        assertThat(rollout.status()).as(String.valueOf(rollout.json())).isEqualTo(201);
        return rollout.json().get("id").asString();
    }
}
