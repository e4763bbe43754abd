package io.ora.load.scenario;

import io.ora.load.measure.Payload;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rate sweep over one connected population: an unmeasured generator warm-up, then steps at the rates a
 * {@link RateSearch} picks, until it converges or the step limit is reached. The scenario supplies how a step runs
 * and whether it passed; every step is bounded by the scenario, and so is the number of steps.
 */
public final class Sweep {

    private static final Logger LOG = LoggerFactory.getLogger(Sweep.class);

    private Sweep() {
    }

    /**
     * How a sweep searches.
     *
     * @param startRate       rate of the first step
     * @param maxRate         no step goes above this
     * @param warmup          warm-up of each step
     * @param duration        measured time of each step
     * @param maxSteps        the sweep stops after this many steps, converged or not
     * @param p99LimitMs      a step passes only with p99 below this (and whatever else the scenario requires)
     * @param resolution      the sweep stops once the failing rate is within this fraction above the passing one
     * @param settle          pause between steps, for queues left by a failed step to empty
     * @param generatorWarmup an unmeasured run at the start rate before the first step, so that the generator's
     *                        JIT warm-up does not fail it; zero for none
     */
    public record Plan(double startRate, double maxRate, Duration warmup, Duration duration, int maxSteps,
                       double p99LimitMs, double resolution, Duration settle, Duration generatorWarmup) {
        public Plan {
            if (!(startRate > 0) || maxRate < startRate || maxSteps < 1 || maxSteps > Payload.MAX_RUN
                    || !(p99LimitMs > 0) || !(resolution > 0)) {
                throw new IllegalArgumentException("need 0 < start <= max rate, 1..65535 steps, p99 limit > 0,"
                        + " resolution > 0");
            }
            if (warmup.isNegative() || duration.isNegative() || duration.isZero() || settle.isNegative()
                    || generatorWarmup.isNegative()) {
                throw new IllegalArgumentException("need a step duration > 0 and no negative times");
            }
        }
    }

    /** The steps run, in order, and the best passing rate (0 when none passed). */
    record Outcome<R>(List<R> steps, double bestRate, String conclusion) {
        Outcome {
            steps = List.copyOf(steps);
        }
    }

    /** Runs one step (run id {@code run}; 0 is the generator warm-up) at {@code rate}. */
    @FunctionalInterface
    interface Step<R> {
        R run(int run, double rate, Duration warmup, Duration duration) throws IOException, InterruptedException;
    }

    /** Sweeps; {@code passes} judges a step and {@code describe} summarises it for the log. */
    static <R> Outcome<R> run(Plan plan, Step<R> step, Predicate<R> passes, Function<R, String> describe)
            throws IOException, InterruptedException {
        RateSearch search = new RateSearch(plan.startRate(), plan.maxRate(), plan.resolution());
        if (!plan.generatorWarmup().isZero()) {
            R warm = step.run(0, search.rate(), Duration.ZERO, plan.generatorWarmup());
            LOG.info("generator warm-up at {}/s: {} (not counted)", Math.round(search.rate()), describe.apply(warm));
            Thread.sleep(plan.settle().toMillis());
        }
        List<R> steps = new ArrayList<>();
        String conclusion = "step limit reached before converging";
        for (int run = 1; run <= plan.maxSteps(); run++) {
            double rate = search.rate();
            R result = step.run(run, rate, plan.warmup(), plan.duration());
            steps.add(result);
            boolean pass = passes.test(result);
            LOG.info("step {}: {}/s {} ({})", run, Math.round(rate), pass ? "passes" : "fails",
                    describe.apply(result));
            Optional<String> over = search.record(pass);
            if (over.isPresent()) {
                conclusion = over.get();
                break;
            }
            if (run < plan.maxSteps()) {
                Thread.sleep(plan.settle().toMillis());
            }
        }
        return new Outcome<>(steps, search.best(), conclusion);
    }
}
