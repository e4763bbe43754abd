package io.ora.load.scenario;

import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import io.ora.load.client.ClientLoops;
import io.ora.load.identities.CertificateSet;
import io.ora.load.measure.Latency;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTA checks (docs/ota.md, "Check"): N hubs, each subscribed at QoS 1 to its own {@code ora/v1/hub/<uuid>/in/ota},
 * publish the check document to their own {@code ora/v1/hub/<uuid>/ota} at QoS 1 on an open-loop schedule spread
 * over the hubs (check {@code k} from hub {@code k mod N}, so each hub checks once every {@code N / rate} seconds),
 * and the relay answers each on the hub's inbox from {@code urn:ora:relay}. Latency runs from a check's due time to
 * its answer's arrival; answers are counted by kind ({@code offer}, {@code none}, {@code wait/<reason>}). Either one
 * run at a fixed rate, or a sweep for the highest rate at which every check is answered, none with a failure kind,
 * and p99 stays under a limit.
 */
public final class OtaCheckBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(OtaCheckBenchmark.class);
    /** The model the benchmark's hubs claim, and the version they run. */
    public static final String MODEL = "ora-hub-1";
    public static final String VERSION = "1.2.0";
    /** The relay's identity on its answers (MQTT 5 user property {@code ora-sender}). */
    public static final String RELAY = "urn:ora:relay";
    /** The relay's per-connection publish rate by default ({@code ora.relay.limits.publish-rate}). */
    public static final double RELAY_PUBLISH_RATE = 500;
    private static final double MAX_RATE = 1_000_000;
    /** Pause after a warm-up run, for late answers to arrive before the next run's listener is installed. */
    private static final Duration SETTLE = Duration.ofSeconds(2);

    private OtaCheckBenchmark() {
    }

    /** Where a hub checks: its own {@code ora/v1/hub/<uuid>/ota} (docs/mqtt.md). */
    public static String checkTopic(UUID hub) {
        return "ora/v1/hub/" + hub + "/ota";
    }

    /** The check document every hub sends: {@code {"model":"ora-hub-1","version":"1.2.0"}}. */
    public static byte[] check(String model, String version) {
        return ("{\"model\":\"" + model + "\",\"version\":\"" + version + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The population, how it connects, and what else is watched.
     *
     * @param target             the relay
     * @param certs              a directory written by {@code certs}; its first {@code hubs} hubs check
     * @param hubs               how many hubs check
     * @param connectConcurrency connects in flight at most while setting up
     * @param connectLimit       bound on the connect phase
     * @param limits             drain (for late answers) and the largest send lag before a run gives up
     * @param serverPid          the node's process, whose CPU is read over the measured window
     * @param perHubLimit        most checks per second one hub may be scheduled: the relay's per-connection
     *                           publish rate, so that the limit is never what a run measures
     * @param check              the check document
     */
    public record Settings(Target target, Path certs, int hubs, int connectConcurrency, Duration connectLimit,
                           RelayBenchmark.Limits limits, OptionalLong serverPid, double perHubLimit, byte[] check) {
        public Settings {
            if (hubs < 1 || connectConcurrency < 1 || !(perHubLimit > 0)) {
                throw new IllegalArgumentException("need at least one hub, a connect concurrency of at least 1 and"
                        + " a per-hub limit above 0");
            }
        }
    }

    /**
     * The offered load of one run.
     *
     * @param rate     checks per second, all hubs together
     * @param warmup   leading part of the run that is sent and counted but not in the rate and latency figures
     * @param duration measured part of the run
     */
    public record Load(double rate, Duration warmup, Duration duration) {
        public Load {
            RelayBenchmark.checkSchedule(rate, MAX_RATE, warmup, duration);
        }
    }

    /** The steps of a sweep and the best passing rate (0 when none passed). */
    public record SweepResult(Sweep.Plan plan, List<OtaCheckResult> steps, double bestRate, String conclusion) {
        public SweepResult {
            steps = List.copyOf(steps);
        }

        /** Lines for the command line: one per step, then the verdict. */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(String.format(Locale.ROOT, "ota-check sweep: every check answered, no refusal, no failure"
                    + " answer, p99 < %.1f ms; %d steps", plan.p99LimitMs(), steps.size()));
            for (OtaCheckResult step : steps) {
                lines.add(String.format(Locale.ROOT,
                        "  step %2d: target %7.0f checks/s  answered %8.1f/s  kinds %s  lost %4d  p50 %7.1f ms"
                                + "  p99 %8.1f ms  max %8.1f ms  lag p99 %6.1f ms  node %s %%  gen %s %%  %s%s",
                        step.run(), step.targetRate(), step.answeredPerSecond(), step.measured().kinds(),
                        step.lost(), Latency.Summary.millis(step.latency().p50()),
                        Latency.Summary.millis(step.latency().p99()), Latency.Summary.millis(step.latency().max()),
                        Latency.Summary.millis(step.sendLag().p99()), percent(step.cpu().serverPercent()),
                        percent(step.cpu().generatorPercent()),
                        step.meets(plan.p99LimitMs()) ? "pass" : "FAIL",
                        step.generatorBound() ? " (generator-bound)" : ""));
            }
            lines.add(String.format(Locale.ROOT, "RESULT ota-check-sweep best_rate=%.0f steps=%d conclusion=\"%s\"",
                    bestRate, steps.size(), conclusion));
            return lines;
        }
    }

    /**
     * Runs at fixed rates, one after the other over the same connections, after an unmeasured run of
     * {@code warmupRun} at the first rate (none when zero): it warms both JVMs, and it makes the relay start every
     * hub's entity, which a hub's first check does.
     */
    public static List<OtaCheckResult> run(Settings settings, List<Load> loads, Duration warmupRun, double p99LimitMs)
            throws IOException, InterruptedException {
        if (loads.isEmpty()) {
            throw new IllegalArgumentException("no rate to run");
        }
        for (Load load : loads) {
            checkPerHub(settings, load.rate());
        }
        try (ClientLoops loops = ClientLoops.open(settings.target().eventLoops());
             Fleet fleet = connect(loops, settings)) {
            double first = loads.get(0).rate();
            if (!warmupRun.isZero()) {
                OtaCheckResult warm = OtaCheckRun.execute(fleet, 0, new Load(first, Duration.ZERO, warmupRun),
                        settings);
                LOG.info("warm-up run at {} checks/s for {} s: {} (not measured)", Math.round(first),
                        warmupRun.toSeconds(), describe(warm, p99LimitMs));
                Thread.sleep(SETTLE.toMillis());
            }
            List<OtaCheckResult> results = new ArrayList<>();
            for (Load load : loads) {
                OtaCheckResult result = OtaCheckRun.execute(fleet, results.size() + 1, load, settings);
                LOG.info("run {} at {} checks/s: {}", result.run(), Math.round(load.rate()),
                        describe(result, p99LimitMs));
                results.add(result);
                Thread.sleep(SETTLE.toMillis());
            }
            return results;
        }
    }

    /** A rate sweep over one set of connections. */
    public static SweepResult sweep(Settings settings, Sweep.Plan plan) throws IOException, InterruptedException {
        checkPerHub(settings, plan.maxRate());
        try (ClientLoops loops = ClientLoops.open(settings.target().eventLoops());
             Fleet fleet = connect(loops, settings)) {
            Sweep.Outcome<OtaCheckResult> outcome = Sweep.run(plan,
                    (run, rate, warmup, duration) -> OtaCheckRun.execute(fleet, run, new Load(rate, warmup, duration),
                            settings),
                    step -> step.meets(plan.p99LimitMs()), step -> describe(step, plan.p99LimitMs()));
            return new SweepResult(plan, outcome.steps(), outcome.bestRate(), outcome.conclusion());
        }
    }

    /** Refuses a rate at which one hub would be scheduled faster than the relay lets one connection publish. */
    private static void checkPerHub(Settings settings, double rate) {
        if (rate / settings.hubs() > settings.perHubLimit()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%.0f checks/s over %d hubs is %.1f/s"
                    + " per hub, above the per-hub limit of %.1f/s: use more hubs", rate, settings.hubs(),
                    rate / settings.hubs(), settings.perHubLimit()));
        }
    }

    /** One line on a run for the log. */
    private static String describe(OtaCheckResult run, double p99LimitMs) {
        List<String> problems = run.problems(p99LimitMs);
        return String.format(Locale.ROOT, "%.0f answers/s %s, p99 %.1f ms, node %s %%, generator %s %%, %s",
                run.answeredPerSecond(), run.measured().kinds(), Latency.Summary.millis(run.latency().p99()),
                percent(run.cpu().serverPercent()), percent(run.cpu().generatorPercent()),
                problems.isEmpty() ? "ok" : problems);
    }

    static String percent(OptionalDouble value) {
        return value.isPresent() ? String.format(Locale.ROOT, "%.0f", value.getAsDouble()) : "n/a";
    }

    private static Fleet connect(ClientLoops loops, Settings settings) throws IOException, InterruptedException {
        CertificateSet set = CertificateSet.open(settings.certs());
        List<UUID> hubs = set.bindings().hubs();
        if (hubs.size() < settings.hubs()) {
            throw new IllegalArgumentException("asked for " + settings.hubs() + " hubs but " + settings.certs()
                    + " holds only " + hubs.size());
        }
        return Fleet.connectHubs(loops, set, hubs.subList(0, settings.hubs()), settings.target(),
                hub -> Topics.otaStatus(new PeerId.Hub(hub)), 1, settings.connectConcurrency(),
                settings.connectLimit());
    }
}
