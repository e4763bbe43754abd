package io.ora.load.scenario;

import io.ora.load.identities.Bindings;
import io.ora.load.identities.CertificateSet;
import io.ora.load.client.ClientLoops;
import io.ora.load.measure.Latency;
import io.ora.load.measure.Payload;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;

/**
 * Relay traffic: N hubs subscribed to their inboxes, M apps publishing to their bound hubs at an offered total
 * rate, on an open-loop schedule (with {@link Settings#roundTrip} the hubs send every message back and the apps
 * receive it). Either one run at a fixed rate, or a sweep that doubles the rate until a step
 * misses its target and then bisects, to find the highest rate with no loss, no errors and p99 under a limit.
 */
public final class RelayBenchmark {

    private static final double MAX_RATE = 10_000_000;
    private static final int MAX_PAYLOAD = 1 << 20;
    /** The arrival bitmap of one run is planned/8 bytes; this keeps it under 64 MiB. */
    private static final long MAX_PLANNED = 500_000_000L;
    private static final Duration MAX_DURATION = Duration.ofHours(1);

    private RelayBenchmark() {
    }

    /**
     * The population and how it connects.
     *
     * @param target             the broker, as the hubs reach it
     * @param appTarget          the broker as the apps reach it (another node of the same cluster, or the same)
     * @param certs              a directory written by {@code certs}
     * @param hubs               hubs taken from it (the first ones bound to the chosen apps)
     * @param apps               apps taken from it (the first ones)
     * @param qos                QoS 0 or 1, for publishes and subscriptions alike
     * @param connectConcurrency connects in flight at most while setting up
     * @param connectLimit       bound on each connect phase
     * @param limits             bounds of every run
     * @param serverPids         the broker's processes (several: the nodes of a cluster on this machine, summed),
     *                           when it runs on this machine, for its CPU per message; empty when it does not
     * @param roundTrip          whether every hub sends each message it receives back to its sender's inbox, and
     *                           latency and arrivals are measured at the apps (app → hub → app); otherwise at the hubs
     */
    public record Settings(Target target, Target appTarget, Path certs, int hubs, int apps, int qos,
                           int connectConcurrency, Duration connectLimit, Limits limits, List<Long> serverPids,
                           boolean roundTrip) {
        public Settings {
            serverPids = List.copyOf(serverPids);
            if (hubs < 1 || apps < 1) {
                throw new IllegalArgumentException("need at least one hub and one app");
            }
            if (qos != 0 && qos != 1) {
                throw new IllegalArgumentException("QoS must be 0 or 1");
            }
            if (connectConcurrency < 1) {
                throw new IllegalArgumentException("connect concurrency must be at least 1");
            }
        }
    }

    /**
     * Bounds of a run.
     *
     * @param drain  how long to wait after the last send for arrivals and acknowledgements
     * @param maxLag how far behind its schedule the generator may fall before it stops sending
     */
    public record Limits(Duration drain, Duration maxLag) {
    }

    /**
     * The offered load of one run.
     *
     * @param rate         messages per second, all apps together
     * @param warmup       leading part of the run that is sent and checked but not in the latency figures
     * @param duration     measured part of the run
     * @param payloadBytes size of each message body, at least {@link Payload#HEADER_BYTES}
     */
    public record Load(double rate, Duration warmup, Duration duration, int payloadBytes) {
        public Load {
            checkSchedule(rate, MAX_RATE, warmup, duration);
            if (payloadBytes < Payload.HEADER_BYTES || payloadBytes > MAX_PAYLOAD) {
                throw new IllegalArgumentException("payload must be within " + Payload.HEADER_BYTES + ".."
                        + MAX_PAYLOAD + " bytes: " + payloadBytes);
            }
            if (rate * warmup.plus(duration).toNanos() / 1e9 > MAX_PLANNED) {
                throw new IllegalArgumentException("rate x time is more than " + MAX_PLANNED + " messages");
            }
        }
    }

    /** The steps of a sweep and the best passing rate (0 when none passed). */
    public record SweepResult(Sweep.Plan plan, List<RelayResult> steps, double bestRate, String conclusion) {
        public SweepResult {
            steps = List.copyOf(steps);
        }

        /** Lines for the command line: one per step, then the verdict. */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(String.format(Locale.ROOT, "sweep: p99 < %.1f ms, no loss, no errors; %d steps",
                    plan.p99LimitMs(), steps.size()));
            for (RelayResult step : steps) {
                lines.add(String.format(Locale.ROOT,
                        "  step %2d: target %9.0f  sent %9.1f/s  recv %9.1f/s  lost %7d  errors %5d  p99 %8.3f ms"
                                + "  max %8.3f ms  lag p99 %7.3f ms  cpu gen %5s %% server %5s %%  %s%s",
                        step.run(), step.targetRate(), step.sendRate(), step.receiveRate(), step.lost(),
                        step.errors().values().stream().mapToLong(Long::longValue).sum(),
                        Latency.Summary.millis(step.latency().p99()),
                        Latency.Summary.millis(step.latency().max()),
                        Latency.Summary.millis(step.sendLag().p99()), percent(step.cpu().generatorPercent()),
                        percent(step.cpu().serverPercent()),
                        step.meets(plan.p99LimitMs()) ? "pass" : "FAIL",
                        step.generatorBound() ? " (generator-bound)" : ""));
            }
            lines.add(String.format(Locale.ROOT, "RESULT sweep best_rate=%.0f steps=%d qos=%d conclusion=\"%s\"%s",
                    bestRate, steps.size(), steps.isEmpty() ? -1 : steps.get(0).qos(), conclusion, best()
                            .map(step -> " at_best: p99_ms=" + String.format(Locale.ROOT, "%.3f",
                                    Latency.Summary.millis(step.latency().p99())) + " "
                                    + step.cpu().resultFields(step.measuredSent(), "msg"))
                            .orElse("")));
            return lines;
        }

        /** The passing step at the best rate, if any passed. */
        public Optional<RelayResult> best() {
            return steps.stream().filter(step -> step.targetRate() == bestRate && step.meets(plan.p99LimitMs()))
                    .reduce((first, later) -> later);
        }

        private static String percent(OptionalDouble value) {
            return value.isPresent() ? String.format(Locale.ROOT, "%.1f", value.getAsDouble()) : "n/a";
        }
    }

    /**
     * Checks the schedule of a run, whatever it sends: a rate within {@code (0, maxRate]}, a measured part, a warm-up
     * that is not negative, and at most an hour in all.
     */
    static void checkSchedule(double rate, double maxRate, Duration warmup, Duration duration) {
        if (!(rate > 0) || rate > maxRate) {
            throw new IllegalArgumentException("rate must be within (0, " + (long) maxRate + "]: " + rate);
        }
        if (warmup.isNegative() || duration.isNegative() || duration.isZero()
                || warmup.plus(duration).compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("need duration > 0, warmup >= 0, together at most " + MAX_DURATION);
        }
    }

    /** One run at a fixed rate. */
    public static RelayResult run(Settings settings, Load load) throws IOException, InterruptedException {
        try (ClientLoops loops = ClientLoops.open(settings.target().eventLoops());
             Fleet fleet = connect(loops, settings)) {
            return RelayRun.execute(fleet, 1, load, settings);
        }
    }

    /** A rate sweep over one set of connections, with messages of {@code payloadBytes}. */
    public static SweepResult sweep(Settings settings, Sweep.Plan plan, int payloadBytes)
            throws IOException, InterruptedException {
        // The largest step must be a valid load; building it checks that.
        new Load(plan.maxRate(), plan.warmup(), plan.duration(), payloadBytes);
        try (ClientLoops loops = ClientLoops.open(settings.target().eventLoops());
             Fleet fleet = connect(loops, settings)) {
            Sweep.Outcome<RelayResult> outcome = Sweep.run(plan,
                    (run, rate, warmup, duration) -> RelayRun.execute(fleet, run,
                            new Load(rate, warmup, duration, payloadBytes), settings),
                    step -> step.meets(plan.p99LimitMs()),
                    step -> "p99 " + Latency.Summary.millis(step.latency().p99()) + " ms, lost "
                            + step.lost() + ", errors " + step.errors().size());
            return new SweepResult(plan, outcome.steps(), outcome.bestRate(), outcome.conclusion());
        }
    }

    private static Fleet connect(ClientLoops loops, Settings settings) throws IOException, InterruptedException {
        CertificateSet set = CertificateSet.open(settings.certs());
        Bindings population = set.bindings().select(settings.hubs(), settings.apps());
        for (Map.Entry<String, List<UUID>> app : population.hubsByApp().entrySet()) {
            if (app.getValue().isEmpty()) {
                throw new IllegalArgumentException(app.getKey() + " has no bound hub among the " + settings.hubs()
                        + " selected; use at least as many hubs as apps");
            }
        }
        return Fleet.connect(loops, set, population, settings.target(), settings.appTarget(), settings.qos(),
                settings.roundTrip(), settings.connectConcurrency(), settings.connectLimit());
    }
}
