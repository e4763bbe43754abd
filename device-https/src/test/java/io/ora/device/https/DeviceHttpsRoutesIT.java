package io.ora.device.https;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two roles' routes on one listener, as a node with several roles mounts them: each is reached on its own paths,
 * what neither matches is the listener's 404 or 405, each route's body limit holds, and the largest of them bounds
 * every body, even one a route reads without a limit of its own.
 */
class DeviceHttpsRoutesIT {

    private static final String JSON = "application/json";
    private static final TestRoutes SMALL = new TestRoutes("small", 1_000);
    private static final TestRoutes LARGE = new TestRoutes("large", 4_000);

    @RegisterExtension
    static final TestDeviceHttps HTTPS = new TestDeviceHttps(Map.of(), config -> List.of(SMALL, LARGE));

    @Test
    void eachRolesRoutesAreReachedOnTheirOwnPaths() throws IOException {
        TestDeviceHttps.Peer hub = HTTPS.hub();
        HttpClient client = HTTPS.client(hub);
        long ok = HTTPS.metric(ResponseCounter.REQUESTS, "status", "ok");

        assertThat(HTTPS.post(client, SMALL.path("echo"), JSON, new byte[10]).body()).endsWith("\"bytes\":10}");
        assertThat(HTTPS.post(client, LARGE.path("echo"), JSON, new byte[20]).body()).endsWith("\"bytes\":20}");

        assertThat(SMALL.reached()).extracting(DevicePeer::id).containsOnlyOnce(hub.id());
        assertThat(LARGE.reached()).extracting(DevicePeer::id).containsOnlyOnce(hub.id());
        assertThat(HTTPS.metric(ResponseCounter.REQUESTS, "status", "ok")).isEqualTo(ok + 2);
    }

    @Test
    void whatNoRouteMatchesIsA404AndAMethodNoneTakesA405WithAllow() throws IOException {
        HttpClient client = HTTPS.client(HTTPS.hub());
        long notFound = HTTPS.metric(ResponseCounter.REQUESTS, "status", "not_found");

        for (String path : List.of("/", "/small/v1/echo/extra", "/small/v2/echo", "/metrics")) {
            HttpResponse<String> response = HTTPS.post(client, path, JSON, new byte[1]);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertProblem(response);
        }
        for (String method : List.of("GET", "PUT", "DELETE")) {
            HttpResponse<String> response = TestDeviceHttps.send(client, HttpRequest.newBuilder(
                    HTTPS.uri(LARGE.path("echo"))).method(method, HttpRequest.BodyPublishers.noBody()).build());
            assertThat(response.statusCode()).as(method).isEqualTo(405);
            assertThat(response.headers().firstValue("Allow")).as(method).hasValue("POST");
            assertProblem(response);
        }
        assertThat(HTTPS.metric(ResponseCounter.REQUESTS, "status", "not_found")).isEqualTo(notFound + 4);
        assertThat(HTTPS.metric(ResponseCounter.REQUESTS, "status", "method_not_allowed")).isGreaterThanOrEqualTo(3);
    }

    @Test
    void eachRouteHoldsItsOwnLimitWhetherTheLengthIsDeclaredOrStreamed() throws IOException {
        TestDeviceHttps.Peer hub = HTTPS.hub();
        HttpClient client = HTTPS.client(hub);

        assertThat(HTTPS.post(client, SMALL.path("echo"), JSON, new byte[1_000]).statusCode()).isEqualTo(200);
        HttpResponse<String> declared = HTTPS.post(client, SMALL.path("echo"), JSON, new byte[1_001]);
        assertThat(declared.statusCode()).isEqualTo(413);
        assertProblem(declared);
        assertThat(chunked(client, SMALL.path("echo"), 1_001).statusCode()).isEqualTo(413);
        // The same size is within the other role's limit.
        assertThat(HTTPS.post(client, LARGE.path("echo"), JSON, new byte[1_001]).statusCode()).isEqualTo(200);
        assertThat(chunked(client, LARGE.path("echo"), 4_000).statusCode()).isEqualTo(200);
        assertThat(chunked(client, LARGE.path("echo"), 4_001).statusCode()).isEqualTo(413);
        assertThat(SMALL.reached()).extracting(DevicePeer::id).containsOnlyOnce(hub.id());
    }

    @Test
    void theLargestLimitOfAllRoutesBoundsEveryBody() throws IOException {
        HttpClient client = HTTPS.client(HTTPS.hub());

        assertThat(HTTPS.post(client, SMALL.path("unbounded"), JSON, new byte[4_000]).body()).isEqualTo("read 4000");
        HttpResponse<String> declared = HTTPS.post(client, SMALL.path("unbounded"), JSON, new byte[4_001]);
        HttpResponse<String> streamed = chunked(client, SMALL.path("unbounded"), 4_001);

        assertThat(declared.statusCode()).isEqualTo(413);
        assertProblem(declared);
        assertThat(streamed.statusCode()).isEqualTo(413);
        assertProblem(streamed);
    }

    private static HttpResponse<String> chunked(HttpClient client, String path, int size) throws IOException {
        return TestDeviceHttps.send(client, HttpRequest.newBuilder(HTTPS.uri(path)).header("Content-Type", JSON)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[size])))
                .build());
    }

    private static void assertProblem(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("\"type\":\"about:blank\"")
                .contains("\"status\":" + response.statusCode());
    }
}
