package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.typesafe.config.ConfigFactory;
import io.ora.core.metrics.Metrics;
import io.ora.persistence.CapturedLogs;
import io.ora.portal.http.ProblemHandling;
import io.ora.portal.http.Traced;
import io.ora.portal.refusal.Refusal;
import io.ora.portal.refusal.Refused;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.DurationConverters;

/**
 * The answers the HTTP server gives on its own once a route has the request — a request that outlives the request
 * timeout, an exception a route throws or fails with — are problems too. A server bound exactly as the portal
 * binds its API ({@link ProblemHandling#adapt} on the settings, {@link ProblemHandling#wrap} around the route),
 * over routes that misbehave on purpose; a request timeout of 300 ms keeps the test short.
 */
class ProblemHandlingIT {

    private static final Metrics METRICS = new Metrics();

    private static final String MARKER = "marker7f3a";

    static ActorSystem<Void> system;
    static ServerBinding binding;

    @BeforeAll
    static void bind() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "problem-handling-test", ConfigFactory.parseMap(Map.of(
                "pekko.loglevel", "WARNING")).withFallback(ConfigFactory.load()));
        Route routes = Directives.concat(
                Directives.path("never", () -> Directives.completeWithFuture(new CompletableFuture<HttpResponse>())),
                Directives.path("throws", () -> Directives.extractRequest(request -> {
                    throw new IllegalStateException(MARKER);
                })),
                Directives.path("fails", () -> Directives.completeWithFuture(
                        CompletableFuture.failedFuture(new IllegalArgumentException(MARKER)))),
                Directives.path("refuses", () -> Directives.extractRequest(request -> {
                    throw new Refusal.LockedOut("locked for a while", Duration.ofSeconds(42)).refused();
                })),
                Directives.path("refuses-later", () -> Directives.completeWithFuture(
                        CompletableFuture.failedFuture(Refused.notFound("thing")))));
        binding = Http.get(system).newServerAt("127.0.0.1", 0)
                .adaptSettings(settings -> ProblemHandling.adapt(settings).withTimeouts(settings.getTimeouts()
                        .withRequestTimeout(DurationConverters.toScala(Duration.ofMillis(300)))))
                .bind(Traced.requests(METRICS, ProblemHandling.wrap(routes)))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        binding.unbind();
        system.terminate();
    }

    static void assertProblem(ApiClient.Response response, int status, String detail) {
        PortalTestKit.assertProblem(response, status);
        assertThat(response.json().get("detail").asString()).contains(detail);
        assertThat(response.text()).doesNotContain(MARKER);
    }

    static ApiClient.Response get(String path) {
        return RawHttp.exchange(binding.localAddress().getPort(), "GET " + path + " HTTP/1.1\r\nHost: x\r\n");
    }

    @Test
    void aRequestThatOutlivesTheRequestTimeoutIsA503Problem() {
        long measured = METRICS.observations("ora_portal_request_seconds", "route", "unmatched");
        assertProblem(get("/never?" + MARKER), 503, "in time");
        // The server's own answer ends the request's span and latency too (the route never answers).
        assertThat(METRICS.observations("ora_portal_request_seconds", "route", "unmatched")).isEqualTo(measured + 1);
    }

    @Test
    void aDomainRefusalARouteThrowsOrFailsWithIsItsProblem() {
        ApiClient.Response locked = get("/refuses");
        assertProblem(locked, 429, "locked for a while");
        assertThat(locked.header("Retry-After")).contains("42");
        assertProblem(get("/refuses-later"), 404, "no such thing");
    }

    @Test
    void anExceptionARouteThrowsOrFailsWithIsA500ProblemLoggedByTypeOnly() {
        try (CapturedLogs logs = new CapturedLogs()) {
            assertProblem(get("/throws"), 500, "could not be completed");
            assertProblem(get("/fails"), 500, "could not be completed");
            assertThat(logs.texts(Level.ERROR)).isNotEmpty().noneMatch(line -> line.contains(MARKER));
        }
    }
}
