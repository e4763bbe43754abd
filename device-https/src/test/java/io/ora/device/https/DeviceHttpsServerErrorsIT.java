package io.ora.device.https;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.ora.persistence.CapturedLogs;
import io.ora.persistence.RawHttp;
import io.ora.persistence.ServerRefusal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The listener's HTTP server refuses some requests before any route sees them, and times out requests a route does
 * not answer: these are problems like every other refusal, quoting nothing that was sent and logging none of it.
 * Raw requests over a TLS socket with a hub's certificate, because no HTTP client sends most of them; a request
 * timeout of one second keeps the timeout case short.
 */
class DeviceHttpsServerErrorsIT {

    private static final String MARKER = ServerRefusal.MARKER;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TestRoutes ROUTES = new TestRoutes("test", 1024);
    private static final String ECHO = ROUTES.path("echo");

    @RegisterExtension
    static final TestDeviceHttps HTTPS = new TestDeviceHttps(Map.of("pekko.http.server.request-timeout", "1s"),
            config -> List.of(ROUTES));

    static RawHttp.Response send(String head) {
        return send(head, new byte[0]);
    }

    static RawHttp.Response send(String head, byte[] body) {
        return RawHttp.exchange(HTTPS.socket(HTTPS.hub()), head.getBytes(StandardCharsets.ISO_8859_1), body);
    }

    static void assertProblem(RawHttp.Response response, int status, String... sent) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("type").asString()).isNotBlank();
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).isNotBlank();
        assertThat(response.text()).doesNotContain(MARKER);
        for (String part : sent) {
            assertThat(response.text()).doesNotContain(part);
        }
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void theServersOwnRefusalsAreProblemsThatQuoteNothing(ServerRefusal refusal) {
        assertProblem(send(refusal.head()), refusal.status(), refusal.sent().toArray(String[]::new));
    }

    static List<ServerRefusal> refusals() {
        return ServerRefusal.to(ECHO);
    }

    @Test
    void aDeclaredBodyOverTheLimitIsA413Problem() {
        assertProblem(send("POST " + ECHO + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 99999999999\r\nX-Note: " + MARKER + "\r\n"), 413, "99999999999");
    }

    @Test
    void aRequestNoRouteAnswersInTimeIsA503Problem() {
        TestDeviceHttps.Peer hub = HTTPS.hub();
        long measured = HTTPS.metrics().observations("ora_device_request_seconds", "route", "unmatched");
        byte[] body = ("{\"fw\":\"" + MARKER + "\"}").getBytes(StandardCharsets.UTF_8);
        RawHttp.Response response = RawHttp.exchange(HTTPS.socket(hub), ("POST " + ROUTES.path("silent")
                + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1), body);
        assertProblem(response, 503);
        assertThat(ROUTES.reached()).extracting(DevicePeer::id).contains(hub.id());
        // The server's own answer ends the request's span and latency too (no route's response ever will).
        assertThat(HTTPS.metrics().observations("ora_device_request_seconds", "route", "unmatched"))
                .isEqualTo(measured + 1);
    }

    /** A route that throws is a 500 problem, logged by the exception's type only. */
    @Test
    void aRouteThatFailsIsA500ProblemLoggedByTypeOnly() {
        try (CapturedLogs logs = new CapturedLogs()) {
            assertProblem(send("GET " + ROUTES.path("fails") + "?" + MARKER + " HTTP/1.1\r\nHost: x\r\n"), 500);
            assertThat(logs.texts(Level.ERROR)).singleElement().asString()
                    .contains(IllegalStateException.class.getName()).doesNotContain("a route failed");
        }
    }

    /** Neither a refused request nor a malformed header is written to the log; nothing above debug at all. */
    @Test
    void refusedRequestsAndMalformedHeadersLogNothingAClientWrote() {
        try (CapturedLogs logs = new CapturedLogs()) {
            refusals().forEach(refusal -> send(refusal.head()));
            send(MARKER + " " + ECHO + " HTTP/1.1\r\nHost: x\r\n");
            byte[] sample = "{\"cpu\":1.5}".getBytes(StandardCharsets.UTF_8);
            RawHttp.Response stored = send("POST " + ECHO + " HTTP/1.1\r\nHost: x\r\nContent-Type: "
                    + "application/json\r\nContent-Length: " + sample.length + "\r\nExpect: " + MARKER + "\r\n"
                    + "If-Match: \"" + MARKER + "\r\n", sample);
            assertThat(stored.status()).isEqualTo(200);
            assertThat(logs.texts()).noneMatch(line -> line.contains(MARKER));
            assertThat(logs.texts(Level.WARN)).isEmpty();
        }
    }
}
