package io.ora.load.portal;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.csv;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Body;
import io.gatling.javaapi.core.FeederBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

/**
 * Creating projects: {@code POST /v1/projects} by a random electrician of the population that
 * {@link PortalSetupSimulation} wrote, from their organisation's template, at {@code portal.rate} requests per second
 * (see {@link PortalBenchmark.Step}). Each creation checks the licence and the template, inserts the project and an
 * audit row in one transaction, and reads the project back; the body is schema-validated first.
 */
public final class PortalCreateSimulation extends Simulation {

    /** The measured request's name in Gatling's statistics. */
    static final String MEASURED = "POST /v1/projects";

    /** A project with every field set, as an installer's first save would be; the data is made up. */
    static final Body PROJECT = StringBody("{\"templateId\":\"#{templateId}\",\"templateVersion\":1,"
            + "\"siteAddress\":\"12 Example Street, Newtown NSW 2042\",\"customer\":{\"name\":\"Alex Example\","
            + "\"email\":\"alex@example.com\",\"phone\":\"+61 2 9000 0000\"},\"notes\":\"Gate code at the office; "
            + "dog in the back yard.\"}");

    private final PortalBenchmark.Step step = PortalBenchmark.Step.fromSystemProperties();

    {
        FeederBuilder<String> installers = csv(PortalBenchmark.population().toString()).random();
        ScenarioBuilder warmUp = scenario("warm-up").feed(installers)
                .exec(create(PortalBenchmark.WARM_UP + MEASURED));
        ScenarioBuilder measured = scenario("creates").feed(installers).exec(create(MEASURED));
        setUp(step.inject(warmUp, measured))
                .protocols(PortalBenchmark.protocol())
                .assertions(step.assertions(MEASURED));
    }

    @Override
    public void before() {
        step.announce("creates");
    }

    private static HttpRequestActionBuilder create(String name) {
        return http(name).post("/v1/projects")
                .header("Authorization", "Bearer #{token}")
                .body(PROJECT).asJson()
                .check(status().is(201));
    }
}
