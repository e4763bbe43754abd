package io.ora.load.scenario;

import io.ora.load.identities.CertificateSet;
import io.ora.load.client.ClientLoops;
import io.ora.load.measure.Latency;
import io.ora.load.measure.TelemetryPayload;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Telemetry ingest end to end: N hubs publish health reports (arrays of samples) to their own
 * {@code ora/v1/hub/<uuid>/telemetry} at QoS 1, at an offered total rate on an open-loop schedule, and the relay
 * answers each PUBACK with the ingest role's outcome: success only once the samples are committed to PostgreSQL,
 * {@code 0x97} when the pipeline cannot take them now, {@code 0x99} when the filter refused them. Either one run at
 * a fixed rate, or a sweep for the highest rate at which every message is acknowledged with success, none is refused
 * or lost, and p99 stays under a limit.
 *
 * <p>Optionally reads the node's resident memory during each run (to show it stays bounded) and counts the sample
 * table before and after (to check that at least as many rows were committed as samples were acknowledged).
 */
public final class TelemetryBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(TelemetryBenchmark.class);
    private static final double MAX_RATE = 1_000_000;
    /** Pause after a warm-up run, for what it left in the pipeline to be committed. */
    private static final Duration SETTLE = Duration.ofSeconds(2);

    private TelemetryBenchmark() {
    }

    /**
     * The population, how it connects, and what else is watched.
     *
     * @param target             the relay
     * @param certs              a directory written by {@code certs}; its first {@code hubs} hubs publish
     * @param hubs               how many hubs publish
     * @param connectConcurrency connects in flight at most while setting up
     * @param connectLimit       bound on the connect phase
     * @param limits             bounds of every run; the drain should exceed the relay's outcome timeout (20 s by
     *                           default), so that a message the node never answers is told apart from one it answers
     *                           late
     * @param serverPid          the node's process, to read its resident memory once a second during each run
     * @param table              the node's sample table, counted before and after each run
     */
    public record Settings(Target target, Path certs, int hubs, int connectConcurrency, Duration connectLimit,
                           RelayBenchmark.Limits limits, OptionalLong serverPid, Optional<SampleTable> table) {
        public Settings {
            if (hubs < 1 || connectConcurrency < 1) {
                throw new IllegalArgumentException("need at least one hub and a connect concurrency of at least 1");
            }
        }
    }

    /**
     * The offered load of one run.
     *
     * @param rate     messages per second, all hubs together
     * @param warmup   leading part of the run that is sent and counted but not in the rate and latency figures
     * @param duration measured part of the run
     * @param samples  samples per message: the length of the JSON array (1: a single object)
     */
    public record Load(double rate, Duration warmup, Duration duration, int samples) {
        public Load {
            RelayBenchmark.checkSchedule(rate, MAX_RATE, warmup, duration);
            if (samples < 1 || TelemetryPayload.maxBytes(samples) > TelemetryPayload.MAX_BYTES) {
                throw new IllegalArgumentException("samples per message must be within 1.."
                        + maxSamples() + ": " + samples);
            }
        }

        /** Samples per second offered. */
        public double sampleRate() {
            return rate * samples;
        }

        /** The most samples one message may carry and still fit the filter's and the relay's size limits. */
        public static int maxSamples() {
            int samples = TelemetryPayload.MAX_SAMPLES;
            while (TelemetryPayload.maxBytes(samples) > TelemetryPayload.MAX_BYTES) {
                samples--;
            }
            return samples;
        }
    }

    /** The steps of a sweep and the best passing rate (0 when none passed). */
    public record SweepResult(Sweep.Plan plan, int samples, List<TelemetryResult> steps, double bestRate,
                              String conclusion) {
        public SweepResult {
            steps = List.copyOf(steps);
        }

        /** Lines for the command line: one per step, then the verdict. */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(String.format(Locale.ROOT, "telemetry sweep: every PUBACK success, nothing lost,"
                    + " p99 < %.1f ms; %d samples per message; %d steps", plan.p99LimitMs(), samples, steps.size()));
            for (TelemetryResult step : steps) {
                lines.add(String.format(Locale.ROOT,
                        "  step %2d: target %7.0f msg/s  acked %8.1f msg/s = %9.0f samples/s  0x97 %6d  0x99 %4d"
                                + "  other %4d  no outcome %4d  p99 %8.1f ms  max %8.1f ms  lag p99 %6.1f ms  %s%s",
                        step.run(), step.targetRate(), step.ackedPerSecond(), step.committedSamplesPerSecond(),
                        step.quotaExceeded(), step.payloadRejected(), step.otherTotal(), step.timedOut(),
                        Latency.Summary.millis(step.latency().p99()),
                        Latency.Summary.millis(step.latency().max()),
                        Latency.Summary.millis(step.sendLag().p99()),
                        step.meets(plan.p99LimitMs()) ? "pass" : "FAIL",
                        step.generatorBound() ? " (generator-bound)" : ""));
            }
            lines.add(String.format(Locale.ROOT, "RESULT telemetry-sweep best_rate=%.0f best_samples_per_s=%.0f"
                            + " samples=%d steps=%d conclusion=\"%s\"", bestRate, bestRate * samples, samples,
                    steps.size(), conclusion));
            return lines;
        }
    }

    /**
     * One run at a fixed rate, after an unmeasured run of {@code warmupRun} at the same rate over the same connections
     * (none when zero). The warm-up run is for both JVMs: on a machine the generator shares with the node, a generator
     * that has just started (TLS handshakes, then its JIT compiling) takes the cores for several seconds and starves
     * the database, which a measured run would report as the node's 0x97s.
     */
    public static TelemetryResult run(Settings settings, Load load, Duration warmupRun, double p99LimitMs)
            throws IOException, InterruptedException {
        try (ClientLoops loops = ClientLoops.open(settings.target().eventLoops());
             Fleet fleet = connect(loops, settings)) {
            if (!warmupRun.isZero()) {
                TelemetryResult warm = TelemetryRun.execute(fleet, 0,
                        new Load(load.rate(), Duration.ZERO, warmupRun, load.samples()), settings);
                LOG.info("warm-up run at {} msg/s for {} s: {} (not measured)", Math.round(load.rate()),
                        warmupRun.toSeconds(), describe(warm, p99LimitMs));
                Thread.sleep(SETTLE.toMillis());
            }
            return TelemetryRun.execute(fleet, 1, load, settings);
        }
    }

    /** A rate sweep over one set of connections, with {@code samples} samples per message. */
    public static SweepResult sweep(Settings settings, Sweep.Plan plan, int samples)
            throws IOException, InterruptedException {
        // The largest step must be a valid load; building it checks that.
        new Load(plan.maxRate(), plan.warmup(), plan.duration(), samples);
        try (ClientLoops loops = ClientLoops.open(settings.target().eventLoops());
             Fleet fleet = connect(loops, settings)) {
            Sweep.Outcome<TelemetryResult> outcome = Sweep.run(plan,
                    (run, rate, warmup, duration) -> TelemetryRun.execute(fleet, run,
                            new Load(rate, warmup, duration, samples), settings),
                    step -> step.meets(plan.p99LimitMs()), step -> describe(step, plan.p99LimitMs()));
            return new SweepResult(plan, samples, outcome.steps(), outcome.bestRate(), outcome.conclusion());
        }
    }

    /** One line on a run for the log. */
    private static String describe(TelemetryResult run, double p99LimitMs) {
        List<String> problems = run.problems(p99LimitMs);
        return String.format(Locale.ROOT, "%.0f samples/s, 0x97 %d, p99 %.1f ms, %s", run.committedSamplesPerSecond(),
                run.quotaExceeded(), Latency.Summary.millis(run.latency().p99()),
                problems.isEmpty() ? "ok" : problems);
    }

    private static Fleet connect(ClientLoops loops, Settings settings) throws IOException, InterruptedException {
        CertificateSet set = CertificateSet.open(settings.certs());
        List<UUID> hubs = set.bindings().hubs();
        if (hubs.size() < settings.hubs()) {
            throw new IllegalArgumentException("asked for " + settings.hubs() + " hubs but " + settings.certs()
                    + " holds only " + hubs.size());
        }
        return Fleet.connectHubs(loops, set, hubs.subList(0, settings.hubs()), settings.target(),
                settings.connectConcurrency(), settings.connectLimit());
    }
}
