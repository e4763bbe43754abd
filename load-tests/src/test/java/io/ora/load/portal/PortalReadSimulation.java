package io.ora.load.portal;

import static io.gatling.javaapi.core.CoreDsl.csv;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.FeederBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

/**
 * Authenticated project reads: {@code GET /v1/projects/{id}} by the project's electrician, at {@code portal.rate}
 * requests per second (see {@link PortalBenchmark.Step}). Each request picks a random project of the population that
 * {@link PortalSetupSimulation} wrote, so reads spread over all its installers and projects. Every request goes the
 * whole way: token verification, both rate-limit buckets in Redis, the principal look-up, the tenancy-checked SQL.
 */
public final class PortalReadSimulation extends Simulation {

    /** The measured request's name in Gatling's statistics. */
    static final String MEASURED = "GET /v1/projects/{id}";

    private final PortalBenchmark.Step step = PortalBenchmark.Step.fromSystemProperties();

    {
        FeederBuilder<String> projects = csv(PortalBenchmark.population().toString()).random();
        ScenarioBuilder warmUp = scenario("warm-up").feed(projects).exec(read(PortalBenchmark.WARM_UP + MEASURED));
        ScenarioBuilder measured = scenario("reads").feed(projects).exec(read(MEASURED));
        setUp(step.inject(warmUp, measured))
                .protocols(PortalBenchmark.protocol())
                .assertions(step.assertions(MEASURED));
    }

    @Override
    public void before() {
        step.announce("reads");
    }

    private static HttpRequestActionBuilder read(String name) {
        return http(name).get("/v1/projects/#{projectId}")
                .header("Authorization", "Bearer #{token}")
                .check(status().is(200));
    }
}
