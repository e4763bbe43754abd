package io.ora.load.portal;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the portal simulations share: where the portal is, where the population file lives, and how one measured
 * step is run. Everything is read from system properties ({@code -Dportal.*}, passed on by the Gatling Maven plugin),
 * with the defaults below; README "Portal simulations" lists them.
 *
 * <p>A step is an open model: {@code portal.rate} new virtual users per second, each making one request, first for
 * {@code portal.warmup} seconds (ramping up, see {@link Step#inject}) under a request name of its own, so the warm-up
 * never enters the measured figures, then for {@code portal.duration} seconds under the measured name. Arrivals do
 * not wait for answers, so a slow portal shows up as latency and errors, never as a lower offered rate.
 */
final class PortalBenchmark {

    /** Prefix of every warm-up request name; the measured request has the same name without it. */
    static final String WARM_UP = "warm-up: ";

    private static final Logger LOG = LoggerFactory.getLogger(PortalBenchmark.class);

    private PortalBenchmark() {
    }

    /** {@code portal.url}: the portal's base URL. Load tests only ever target this machine. */
    static String baseUrl() {
        return System.getProperty("portal.url", "http://127.0.0.1:8080");
    }

    /** {@code portal.population}: the CSV that {@link PortalSetupSimulation} writes and the steps read. */
    static Path population() {
        return Path.of(System.getProperty("portal.population", "target/portal-benchmark/population.csv"))
                .toAbsolutePath();
    }

    static int intProperty(String name, int fallback, int min, int max) {
        String text = System.getProperty(name);
        int value;
        try {
            value = text == null ? fallback : Integer.parseInt(text.trim());
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException("-D" + name + " must be a whole number, not " + text, notANumber);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("-D" + name + " must be between " + min + " and " + max);
        }
        return value;
    }

    /**
     * HTTP/1.1 with keep-alive connections shared by all virtual users, as browsers behind a load balancer reuse
     * theirs: one new TCP connection per request would measure connection set-up, not the portal.
     *
     * <p>{@code portal.source-addresses} (1 by default) spreads the virtual users over that many loopback source
     * addresses, 127.0.0.1, 127.0.0.2, ..., so that the portal's per-address rate-limit buckets see many clients, as
     * they do in production, instead of one address carrying the whole load.
     */
    static HttpProtocolBuilder protocol() {
        int sources = intProperty("portal.source-addresses", 1, 1, 254);
        HttpProtocolBuilder protocol = http.baseUrl(baseUrl())
                .shareConnections()
                .disableWarmUp()
                .acceptHeader("application/json")
                .userAgentHeader("ora-load-tests/gatling");
        return sources == 1 ? protocol
                : protocol.localAddresses(IntStream.rangeClosed(1, sources).mapToObj(i -> "127.0.0." + i).toList());
    }

    /** One measured step at {@code portal.rate} requests per second (see the class comment). */
    record Step(int rate, int warmupSeconds, int durationSeconds, int p99LimitMillis) {

        static Step fromSystemProperties() {
            return new Step(intProperty("portal.rate", 500, 1, 100_000),
                    intProperty("portal.warmup", 20, 0, 3600),
                    intProperty("portal.duration", 60, 1, 3600),
                    intProperty("portal.p99-limit-ms", 50, 1, 60_000));
        }

        /**
         * Logs the wall-clock start of the load, just before Gatling injects the first user: run-portal-benchmark.sh
         * reads it to find the measured window for its CPU figures.
         */
        void announce(String what) {
            LOG.info("{} at {}/s against {}: load starts at {} (epoch ms), {} s warm-up, {} s measured", what, rate,
                    baseUrl(), System.currentTimeMillis(), warmupSeconds, durationSeconds);
        }

        /**
         * Warm-up, then the measured load at the rate. The warm-up ramps from a tenth of the rate to the rate over its
         * first half and holds the rate for its second half: a cold generator offered the full rate at once starts
         * with a burst of new connections and queued requests that says more about the start than about the portal.
         */
        PopulationBuilder inject(ScenarioBuilder warmUp, ScenarioBuilder measured) {
            PopulationBuilder load = measured.injectOpen(constantUsersPerSec(rate).during(durationSeconds));
            if (warmupSeconds == 0) {
                return load;
            }
            int ramp = warmupSeconds / 2;
            return warmUp.injectOpen(
                            rampUsersPerSec(Math.max(1, rate / 10.0)).to(rate).during(Math.max(1, ramp)),
                            constantUsersPerSec(rate).during(Math.max(1, warmupSeconds - ramp)))
                    .andThen(load);
        }

        /** The step passes with no failed request and a p99 below the limit; Gatling then exits 0. */
        List<Assertion> assertions(String measuredRequest) {
            return List.of(
                    details(measuredRequest).failedRequests().count().is(0L),
                    details(measuredRequest).responseTime().percentile(99.0).lt(p99LimitMillis));
        }
    }
}
