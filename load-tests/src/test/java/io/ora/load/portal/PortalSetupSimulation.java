package io.ora.load.portal;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.exitBlockOnFail;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Populates a running portal for {@link PortalReadSimulation} and {@link PortalCreateSimulation}, through its API
 * only, the way {@code portal-http}'s {@code Installers} test fixture does: an operator, then
 * {@code portal.installers} electricians (50), each of whom gets a token from the development issuer, submits a
 * licence that the operator marks {@code VERIFIED}, creates an organisation and a template, and creates
 * {@code portal.projects-per-installer} projects (20).
 *
 * <p>Writes {@link PortalBenchmark#population()}: a header, then one {@code token,templateId,projectId} row per
 * project. Tokens are the development issuer's (valid for {@code ora.portal.oidc.dev-issuer.token-ttl}, one hour by
 * default): run the steps within that time, or run this again. Subjects start with {@code portal.run-id}, new for
 * every run, so populations of several runs can live in one database.
 *
 * <p>The set-up makes about {@code installers × (projects + 6)} requests from one address, far beyond the
 * {@code token}, {@code sensitive} and {@code write} rate limits: the benchmark node runs with raised limits
 * (run-portal-benchmark.sh). Any failed request fails the run.
 */
public final class PortalSetupSimulation extends Simulation {

    private static final Logger LOG = LoggerFactory.getLogger(PortalSetupSimulation.class);

    private final int installers = PortalBenchmark.intProperty("portal.installers", 50, 1, 10_000);
    private final int projectsPerInstaller = PortalBenchmark.intProperty("portal.projects-per-installer", 20, 1,
            10_000);
    private final String runId = System.getProperty("portal.run-id", "bench" + System.currentTimeMillis());
    private final AtomicReference<String> operatorToken = new AtomicReference<>();
    private final Queue<String> rows = new ConcurrentLinkedQueue<>();

    {
        ScenarioBuilder operator = scenario("operator").exec(
                token("operator", runId + "-operator", "operator"),
                exec(session -> {
                    operatorToken.set(session.getString("token"));
                    return session;
                }));
        ScenarioBuilder installer = scenario("installers")
                .feed(subjects())
                .exec(exitBlockOnFail().on(
                        token("electrician", "#{sub}", "electrician"),
                        exec(authorised(http("setup: GET /v1/me").get("/v1/me"))),
                        exec(authorised(http("setup: PUT /v1/me/licence").put("/v1/me/licence")
                                .body(StringBody("{\"licenceNumber\":\"EC-#{licenceNumber}\",\"issuingState\":"
                                        + "\"NSW\",\"licenceClass\":\"Unrestricted electrician\",\"expiresOn\":\""
                                        + LocalDate.now().plusYears(1) + "\"}")).asJson()
                                .check(status().is(200), jsonPath("$.id").saveAs("licenceId")))),
                        exec(http("setup: POST /v1/operator/licences/{id}/review")
                                .post("/v1/operator/licences/#{licenceId}/review")
                                .header("Authorization", session -> "Bearer " + operatorToken.get())
                                .body(StringBody("{\"decision\":\"VERIFIED\"}")).asJson()
                                .check(status().is(200), jsonPath("$.status").is("VERIFIED"))),
                        exec(authorised(http("setup: POST /v1/organisations").post("/v1/organisations")
                                .body(StringBody("{\"name\":\"Benchmark Electrical #{sub}\"}")).asJson()
                                .check(status().is(201)))),
                        exec(authorised(http("setup: POST /v1/templates").post("/v1/templates")
                                .body(StringBody("{\"name\":\"Standard home\",\"content\":{\"rooms\":["
                                        + "{\"id\":\"kitchen\",\"name\":\"Kitchen\"},{\"id\":\"hall\",\"name\":"
                                        + "\"Hall\"}],\"devices\":[{\"type\":\"dimmer\",\"room\":\"kitchen\","
                                        + "\"count\":2}]}}")).asJson()
                                .check(status().is(201), jsonPath("$.id").saveAs("templateId")))),
                        repeat(projectsPerInstaller).on(
                                exec(authorised(http("setup: POST /v1/projects").post("/v1/projects")
                                        .body(PortalCreateSimulation.PROJECT).asJson()
                                        .check(status().is(201), jsonPath("$.id").saveAs("projectId")))),
                                exec(session -> {
                                    rows.add(session.getString("token") + "," + session.getString("templateId")
                                            + "," + session.getString("projectId"));
                                    return session;
                                }))));
        setUp(operator.injectOpen(atOnceUsers(1)).andThen(installer.injectOpen(atOnceUsers(installers))))
                .protocols(PortalBenchmark.protocol())
                .assertions(global().failedRequests().count().is(0L));
    }

    @Override
    public void before() {
        LOG.info("setting up {} installers with {} projects each on {} (run {})", installers,
                projectsPerInstaller, PortalBenchmark.baseUrl(), runId);
    }

    @Override
    public void after() {
        Path file = PortalBenchmark.population();
        List<String> lines = new ArrayList<>(rows.size() + 1);
        lines.add("token,templateId,projectId");
        lines.addAll(rows);
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.info("wrote {} projects of {} installers to {}", rows.size(), installers, file);
    }

    private static ChainBuilder token(String who, String subject, String role) {
        return exec(http("setup: POST /dev-oidc/token (" + who + ")").post("/dev-oidc/token")
                .formParam("sub", subject)
                .formParam("role", role)
                .check(status().is(200), jsonPath("$.access_token").saveAs("token")));
    }

    private static HttpRequestActionBuilder authorised(HttpRequestActionBuilder request) {
        return request.header("Authorization", "Bearer #{token}");
    }

    /** One subject per installer virtual user, with a licence number of its own. */
    private Iterator<Map<String, Object>> subjects() {
        AtomicInteger next = new AtomicInteger();
        return Stream.generate(() -> {
            int index = next.getAndIncrement();
            return Map.<String, Object>of("sub", runId + "-installer-" + index,
                    "licenceNumber", String.format("%06d", index));
        }).iterator();
    }
}
