package io.ora.load.ota;

import io.ora.core.firmware.FirmwareKeys;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.ReleaseMetadata;
import io.ora.core.firmware.RootMetadata;
import io.ora.core.firmware.SignedEnvelope;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Puts firmware on a node the way an operator does (docs/ota.md, "Operators"), for a benchmark: the firmware team's
 * keys made offline ({@link #keys}), then over the portal's API with an operator token the root metadata, a signed
 * release of an image file and the image itself ({@link #release}), and a rollout of it to every hub in one stage
 * ({@link #rollout}). Each step answers a {@code RESULT} line for scripts. Only the portal URL given is contacted.
 */
public final class OtaSetup {

    /** The key files {@link #keys} writes, PEM as {@code firmware keygen} does. */
    public static final String ROOT_KEY = "root.key";
    public static final String ROOT_PUB = "root.pub";
    public static final String RELEASE_KEY = "release.key";
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration ROOT_LIFETIME = Duration.ofDays(365);
    private static final Duration RELEASE_LIFETIME = Duration.ofDays(30);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int CREATED = 201;
    private static final int OK = 200;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String portal;
    private final String token;

    /** The operator's side, against {@code portal} (e.g. {@code http://127.0.0.1:8080}) with {@code token}. */
    public OtaSetup(String portal, String token) {
        this.portal = portal.endsWith("/") ? portal.substring(0, portal.length() - 1) : portal;
        this.token = token;
    }

    /** Makes a root key and a release key into {@code dir}; the node is given {@code root.pub}. */
    public static List<String> keys(Path dir) throws IOException {
        Files.createDirectories(dir);
        KeyPair root = FirmwareKeys.generate();
        KeyPair release = FirmwareKeys.generate();
        FirmwareKeys.writePrivate(root.getPrivate(), dir.resolve(ROOT_KEY));
        FirmwareKeys.writePublic(root.getPublic(), dir.resolve(ROOT_PUB));
        FirmwareKeys.writePrivate(release.getPrivate(), dir.resolve(RELEASE_KEY));
        return List.of("RESULT ota-keys dir=" + dir + " root_keyid=" + FirmwareKeys.keyId(root.getPublic())
                + " release_keyid=" + FirmwareKeys.keyId(release.getPublic()));
    }

    /**
     * Uploads root metadata version 1 (root key signs roots, release key signs releases) unless the node holds a root
     * already, then registers a release of {@code image} as {@code model} {@code version} (from 1.0.0 up) and uploads
     * the image; answers its id, size and SHA-256.
     */
    public List<String> release(Path keys, Path image, String model, String version)
            throws IOException, InterruptedException {
        PrivateKey rootKey = FirmwareKeys.readPrivate(keys.resolve(ROOT_KEY));
        PrivateKey releaseKey = FirmwareKeys.readPrivate(keys.resolve(RELEASE_KEY));
        Answer roots = call("GET", "/v1/ota/roots", null, null);
        expect(roots, OK, "list the roots");
        JsonNode items = roots.json().get("items");
        if (items == null || items.isEmpty()) {
            RootMetadata root = new RootMetadata(1, Instant.now().plus(ROOT_LIFETIME),
                    List.of(FirmwareKeys.publicOf(rootKey)), List.of(FirmwareKeys.publicOf(releaseKey)));
            expect(call("POST", "/v1/ota/roots", "application/json", HttpRequest.BodyPublishers.ofByteArray(
                    SignedEnvelope.sign(SignedEnvelope.ROOT_TYPE, root.toJson(), List.of(rootKey)).toJson())),
                    CREATED, "upload the root metadata");
        }
        long size = Files.size(image);
        byte[] sha256 = sha256(image);
        ReleaseMetadata metadata = new ReleaseMetadata(model, parse(version), parse("1.0.0"), size, sha256,
                "load-tests release", Instant.now().plus(RELEASE_LIFETIME));
        Answer registered = call("POST", "/v1/ota/releases", "application/json", HttpRequest.BodyPublishers
                .ofByteArray(SignedEnvelope.sign(SignedEnvelope.RELEASE_TYPE, metadata.toJson(), List.of(releaseKey))
                        .toJson()));
        expect(registered, CREATED, "register the release");
        String releaseId = registered.json().get("id").asString();
        Answer uploaded = call("PUT", "/v1/ota/releases/" + releaseId + "/artifact", "application/octet-stream",
                HttpRequest.BodyPublishers.ofFile(image));
        expect(uploaded, OK, "upload the artifact");
        return List.of(String.format(Locale.ROOT, "RESULT ota-release release=%s model=%s version=%s size=%d"
                + " sha256=%s state=%s", releaseId, model, version, size, HexFormat.of().formatHex(sha256),
                uploaded.json().get("state").asString()));
    }

    /**
     * Aborts {@code abort} first when given (one rollout per model is open at a time), then starts a rollout of
     * {@code releaseId} to every targeted hub in one stage of 100 %, at most {@code maxOffersPerMinute} offers a
     * minute; answers its id.
     */
    public List<String> rollout(String releaseId, int maxOffersPerMinute, String abort)
            throws IOException, InterruptedException {
        if (abort != null) {
            expect(call("POST", "/v1/ota/rollouts/" + abort + "/abort", null, null), OK, "abort " + abort);
        }
        Answer created = call("POST", "/v1/ota/rollouts", "application/json", HttpRequest.BodyPublishers.ofByteArray(
                JSON.writeValueAsBytes(Map.of("releaseId", releaseId,
                        "stages", List.of(Map.of("percent", 100, "soakMinutes", 0)),
                        "maxOffersPerMinute", maxOffersPerMinute))));
        expect(created, CREATED, "start the rollout");
        return List.of(String.format(Locale.ROOT, "RESULT ota-rollout rollout=%s release=%s"
                + " max_offers_per_minute=%d status=%s", created.json().get("id").asString(), releaseId,
                maxOffersPerMinute, created.json().get("status").asString()));
    }

    /** Status and body of one call. */
    private record Answer(int status, JsonNode json, String body) {
    }

    private Answer call(String method, String path, String contentType, HttpRequest.BodyPublisher body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(portal + path))
                .header("Authorization", "Bearer " + token).timeout(CALL_TIMEOUT);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String text = response.body();
        JsonNode json = null;
        if (text != null && !text.isEmpty()) {
            try {
                json = JSON.readTree(text);
            } catch (RuntimeException notJson) {
                json = null;
            }
        }
        return new Answer(response.statusCode(), json, text);
    }

    private static void expect(Answer answer, int status, String what) throws IOException {
        if (answer.status() != status) {
            throw new IOException("could not " + what + ": HTTP " + answer.status() + " " + answer.body());
        }
    }

    private static FirmwareVersion parse(String version) {
        return FirmwareVersion.parse(version).orElseThrow(() -> new IllegalArgumentException(
                "not a MAJOR.MINOR.PATCH version: '" + version + "'"));
    }

    private static byte[] sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JDK has SHA-256", impossible);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return digest.digest();
    }
}
