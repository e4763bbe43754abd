package io.ora.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.ora.core.telemetry.TelemetryIntake.Receipt;
import io.ora.device.https.TestDeviceHttps;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The telemetry endpoint over real TLS and real HTTP: what reaches the intake, and every status a hub can be
 * answered with. The per-hub rate is {@link IngestHttpsRateLimitIT}; what the listener refuses on its own (TLS,
 * revocation, the server's errors) is device-https's tests'.
 */
class IngestHttpsIT {

    private static final String JSON = "application/json";
    private static final int MAX_BYTES = ConfigFactory.load().getInt("ora.ingest.filter.max-bytes");
    private static final byte[] SAMPLE = "{\"ts\":\"2026-11-27T10:00:00+10:00\",\"fw\":\"2.1.0\",\"cpu\":12.5}"
            .getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    static final TestIngestHttps INGEST = new TestIngestHttps();

    @Test
    void aHubPostingJsonHandsExactlyItsBytesAndItsUuidToTheIntakeAndIsToldStored() throws IOException {
        TestDeviceHttps.Peer hub = INGEST.hub();
        long okBefore = INGEST.metric("ora_device_https_requests_total", "status", "ok");

        HttpResponse<String> response = INGEST.post(INGEST.client(hub), JSON, SAMPLE);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{\"result\":\"stored\"}");
        assertThat(INGEST.intake().from(hub.hub())).singleElement().satisfies(submission ->
                assertThat(submission.payload()).isEqualTo(SAMPLE));
        assertThat(INGEST.metric("ora_device_https_requests_total", "status", "ok")).isGreaterThan(okBefore);
    }

    @Test
    void anAppCertificateIsForbiddenAndNeverReachesTheIntake() throws IOException {
        TestDeviceHttps.Peer app = INGEST.app();
        long forbidden = INGEST.metric("ora_device_https_requests_total", "status", "forbidden");

        HttpResponse<String> response = INGEST.post(INGEST.client(app), JSON, SAMPLE);

        assertThat(response.statusCode()).isEqualTo(403);
        assertProblem(response, "https://ora.io/problems/hub-certificate-required");
        assertThat(response.body()).doesNotContain(app.id().topicSegment());
        assertThat(INGEST.metric("ora_device_https_requests_total", "status", "forbidden")).isEqualTo(forbidden + 1);
    }

    @Test
    void aRejectedPayloadIsA422ProblemThatDoesNotEchoTheInput() throws IOException {
        TestDeviceHttps.Peer hub = INGEST.hub();
        INGEST.intake().answer(hub.hub(), Receipt.REJECTED);
        byte[] body = "{\"camera\":\"secret-marker-7f3a\"}".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = INGEST.post(INGEST.client(hub), JSON, body);

        assertThat(response.statusCode()).isEqualTo(422);
        assertProblem(response, "https://ora.io/problems/telemetry-rejected");
        assertThat(response.body()).doesNotContain("secret-marker-7f3a").doesNotContain(hub.hub().toString());
        assertThat(INGEST.intake().from(hub.hub())).hasSize(1);
    }

    @Test
    void anUnavailablePipelineIsA503ProblemWithRetryAfter() throws IOException {
        TestDeviceHttps.Peer hub = INGEST.hub();
        INGEST.intake().answer(hub.hub(), Receipt.UNAVAILABLE);

        HttpResponse<String> response = INGEST.post(INGEST.client(hub), JSON, SAMPLE);

        assertThat(response.statusCode()).isEqualTo(503);
        assertProblem(response, "https://ora.io/problems/ingest-unavailable");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
    }

    @Test
    void onlyJsonIsAcceptedAndAnythingElseIs415WithoutReachingTheIntake() throws IOException {
        TestDeviceHttps.Peer hub = INGEST.hub();
        HttpClient client = INGEST.client(hub);

        assertThat(INGEST.post(client, "text/plain", SAMPLE).statusCode()).isEqualTo(415);
        assertThat(INGEST.post(client, "application/x-www-form-urlencoded", SAMPLE).statusCode()).isEqualTo(415);
        HttpResponse<String> untyped = TestDeviceHttps.send(client, HttpRequest.newBuilder(
                INGEST.uri("/ingest/v1/telemetry")).POST(HttpRequest.BodyPublishers.ofByteArray(SAMPLE)).build());
        assertThat(untyped.statusCode()).isEqualTo(415);
        assertProblem(untyped, "about:blank");
        assertThat(INGEST.intake().from(hub.hub())).isEmpty();

        assertThat(INGEST.post(client, "application/json; charset=utf-8", SAMPLE).statusCode()).isEqualTo(200);
        assertThat(INGEST.intake().from(hub.hub())).hasSize(1);
    }

    @Test
    void aBodyOverTheLimitIs413WhetherItsLengthIsDeclaredOrStreamedAndNeverReachesTheIntake() throws IOException {
        TestDeviceHttps.Peer hub = INGEST.hub();
        byte[] tooLarge = padded(MAX_BYTES + 1);

        HttpResponse<String> declared = INGEST.post(INGEST.client(hub), JSON, tooLarge);
        HttpResponse<String> chunked = TestDeviceHttps.send(INGEST.client(hub), HttpRequest.newBuilder(
                        INGEST.uri("/ingest/v1/telemetry")).header("Content-Type", JSON)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(tooLarge))).build());

        assertThat(declared.statusCode()).isEqualTo(413);
        assertProblem(declared, "about:blank");
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(INGEST.intake().from(hub.hub())).isEmpty();

        byte[] atTheLimit = padded(MAX_BYTES);
        assertThat(INGEST.post(INGEST.client(hub), JSON, atTheLimit).statusCode()).isEqualTo(200);
        assertThat(INGEST.intake().from(hub.hub())).singleElement().satisfies(submission ->
                assertThat(submission.payload()).isEqualTo(atTheLimit));
    }

    @Test
    void otherPathsAre404AndOtherMethodsAre405WithAllow() throws IOException {
        TestDeviceHttps.Peer hub = INGEST.hub();
        HttpClient client = INGEST.client(hub);

        for (String method : List.of("GET", "PUT", "DELETE")) {
            HttpResponse<String> response = TestDeviceHttps.send(client, HttpRequest.newBuilder(
                    INGEST.uri("/ingest/v1/telemetry")).method(method, HttpRequest.BodyPublishers.noBody()).build());
            assertThat(response.statusCode()).as(method).isEqualTo(405);
            assertThat(response.headers().firstValue("Allow")).as(method).hasValue("POST");
            assertProblem(response, "about:blank");
        }
        for (String path : List.of("/", "/ingest/v1/telemetry/extra", "/ingest/v2/telemetry", "/metrics")) {
            HttpResponse<String> response = TestDeviceHttps.send(client, HttpRequest.newBuilder(INGEST.uri(path))
                    .header("Content-Type", JSON).POST(HttpRequest.BodyPublishers.ofByteArray(SAMPLE)).build());
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertProblem(response, "about:blank");
        }
        assertThat(INGEST.intake().from(hub.hub())).isEmpty();
        assertThat(INGEST.metric("ora_device_https_requests_total", "status", "not_found")).isGreaterThanOrEqualTo(4);
    }

    /** How a hub's developer would try it by hand: curl with the files the pki CLI writes. */
    @Test
    void curlPostsWithTheHubsCertificateFiles() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        Assumptions.assumeTrue(Files.isExecutable(curl), "curl is not installed (apt-get install curl)");
        TestDeviceHttps.Peer hub = INGEST.hub();
        Path body = Files.write(hub.dir().resolve("sample.json"), SAMPLE);

        Process process = new ProcessBuilder(curl.toString(), "--silent", "--show-error", "--max-time", "30",
                "--cert", hub.dir().resolve("client.crt").toString(),
                "--key", hub.dir().resolve("client.key").toString(),
                "--cacert", hub.dir().resolve("ca.crt").toString(),
                "--header", "Content-Type: application/json", "--data-binary", "@" + body,
                "--write-out", "\n%{http_code}", INGEST.uri("/ingest/v1/telemetry").toString())
                .redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).isEqualTo("{\"result\":\"stored\"}\n200");
        assertThat(INGEST.intake().from(hub.hub())).singleElement().satisfies(submission ->
                assertThat(submission.payload()).isEqualTo(SAMPLE));
    }

    private static void assertProblem(HttpResponse<String> response, String type) {
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("\"type\":\"" + type + "\"")
                .contains("\"status\":" + response.statusCode());
    }

    /** A JSON document of exactly {@code size} bytes. */
    private static byte[] padded(int size) {
        String prefix = "{\"fw\":\"";
        String suffix = "\"}";
        char[] filler = new char[size - prefix.length() - suffix.length()];
        Arrays.fill(filler, 'a');
        return (prefix + new String(filler) + suffix).getBytes(StandardCharsets.US_ASCII);
    }
}
