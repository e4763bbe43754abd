package io.ora.portal.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.ora.portal.Portal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Over real HTTP: every error the portal answers is an RFC 9457 problem. */
class PortalProblemsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ActorSystem<Void> system;
    private static Portal portal;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "portal-test", ConfigFactory.parseMap(Map.of(
                "ora.portal.http.host", "127.0.0.1", "ora.portal.http.port", 0,
                "pekko.loglevel", "WARNING")).withFallback(ConfigFactory.load()));
        portal = Portal.start(system);
    }

    @AfterAll
    static void stop() {
        portal.close();
        system.terminate();
    }

    @Test
    void healthAnswersJson() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/health")).GET());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("status").asText()).isEqualTo("up");
    }

    @Test
    void anUnknownPathIsANotFoundProblem() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/no-such-thing")).GET());

        assertProblem(response, 404);
    }

    @Test
    void aWrongMethodIsAMethodNotAllowedProblemNamingTheAllowedOnes() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/health"))
                .DELETE());

        assertProblem(response, 405);
        assertThat(response.headers().firstValue("Allow")).contains("GET");
    }

    private static void assertProblem(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("type").asText()).isEqualTo("about:blank");
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + portal.port() + path);
    }
}
