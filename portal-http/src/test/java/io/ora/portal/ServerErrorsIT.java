package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.ora.persistence.CapturedLogs;
import io.ora.persistence.ServerRefusal;
import io.ora.portal.auth.Role;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The portal's HTTP server refuses some requests before any route sees them: these are RFC 9457 problems like
 * every other error, and their detail never quotes what was sent. Raw sockets, because a real client will not send
 * most of these requests.
 */
class ServerErrorsIT {

    private static final String MARKER = ServerRefusal.MARKER;

    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal();

    static void assertProblemWithoutEcho(ApiClient.Response response, int status, String... sent) {
        PortalTestKit.assertProblem(response, status);
        assertThat(response.text()).doesNotContain(MARKER);
        for (String part : sent) {
            assertThat(response.text()).doesNotContain(part);
        }
    }

    static ApiClient.Response send(String head) {
        return RawHttp.exchange(PORTAL.portal().port(), head);
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void theServersOwnRefusalsAreProblemsThatQuoteNothing(ServerRefusal refusal) {
        assertProblemWithoutEcho(send(refusal.head()), refusal.status(), refusal.sent().toArray(String[]::new));
    }

    static List<ServerRefusal> refusals() {
        return ServerRefusal.to("/v1/projects");
    }

    @Test
    void aMalformedPathIsA400Problem() {
        assertProblemWithoutEcho(send("GET /v1/projects/{" + MARKER + "} HTTP/1.1\r\nHost: x\r\n"), 400);
    }

    @Test
    void aDeclaredBodyOverTheServersLimitIsA413Problem() {
        assertProblemWithoutEcho(send("POST /v1/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + PORTAL.token(Role.ELECTRICIAN) + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: 99999999999\r\nX-Note: " + MARKER + "\r\n"), 413, "99999999999");
    }

    @Test
    void aChunkedBodyOverTheLimitIsA413Problem() {
        byte[] chunk = ("{\"notes\":\"" + "x".repeat(70 * 1024)).getBytes(StandardCharsets.UTF_8);
        byte[] body = (Integer.toHexString(chunk.length) + "\r\n" + new String(chunk, StandardCharsets.UTF_8)
                + "\r\n0\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        assertProblemWithoutEcho(RawHttp.exchange(PORTAL.portal().port(), ("POST /v1/projects HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer " + PORTAL.token(Role.ELECTRICIAN) + "\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n").getBytes(StandardCharsets.ISO_8859_1), body), 413, "xxxxxxxx");
    }

    @Test
    void aBodyThatExpectsContinueButIsTooLargeIsRefusedWithA413ProblemInsteadOfAContinue() {
        assertProblemWithoutEcho(send("POST /v1/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + PORTAL.token(Role.ELECTRICIAN) + "\r\nContent-Type: application/json\r\n"
                + "Expect: 100-continue\r\nContent-Length: 99999999999\r\n"), 413);
    }

    @Test
    void bytesThatAreNotAnHttpRequestAreAProblem() {
        assertProblemWithoutEcho(RawHttp.exchange(PORTAL.portal().port(), (MARKER + "\u0000\u0001 \u00ff\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), new byte[0]), 501);
        assertProblemWithoutEcho(send("GET /v1/health HTTP/1.1\r\n"), 400);
    }

    /**
     * A header the server cannot parse is ignored (an unknown expectation too), and the request answered as usual;
     * what the client wrote in it is not written to the log.
     */
    @Test
    void aMalformedHeaderIsIgnoredAndNotQuotedInTheLog() {
        try (CapturedLogs logs = new CapturedLogs()) {
            assertThat(send("GET /v1/health HTTP/1.1\r\nHost: x\r\nExpect: " + MARKER + "\r\n"
                    + "If-Match: \"" + MARKER + "\r\nAccept: " + MARKER + "//\r\n").status()).isEqualTo(200);
            assertThat(logs.texts()).noneMatch(line -> line.contains(MARKER));
        }
    }

    /** The parser's refusals are not logged above debug, and never with what was sent. */
    @Test
    void refusedRequestsLogNothingAClientWrote() {
        try (CapturedLogs logs = new CapturedLogs()) {
            refusals().forEach(refusal -> send(refusal.head()));
            send("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-" + MARKER + ": " + "x".repeat(9 * 1024) + "\r\n");
            send(MARKER + " /v1/health HTTP/1.1\r\nHost: x\r\n");
            assertThat(logs.texts()).noneMatch(line -> line.contains(MARKER));
            assertThat(logs.texts(Level.WARN)).isEmpty();
        }
    }
}
