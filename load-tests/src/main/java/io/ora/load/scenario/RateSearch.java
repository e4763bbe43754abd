package io.ora.load.scenario;

import java.util.Optional;

/**
 * How a sweep picks the rate of its next step: the rate doubles from the start rate until a step fails, then bisects
 * between the best passing and the lowest failing rate until they are within the resolution of each other; if the
 * first step fails, the rate halves until one passes. Pure bookkeeping: the caller runs the steps and bounds their
 * number.
 */
final class RateSearch {

    private static final double LOWEST_RATE = 1;

    private final double maxRate;
    private final double resolution;
    private double rate;
    private double passing;
    private double failing = Double.POSITIVE_INFINITY;

    /**
     * @param startRate  rate of the first step
     * @param maxRate    no step goes above this
     * @param resolution the search ends once the failing rate is within this fraction above the passing one
     */
    RateSearch(double startRate, double maxRate, double resolution) {
        this.rate = startRate;
        this.maxRate = maxRate;
        this.resolution = resolution;
    }

    /** The rate of the step to run now. */
    double rate() {
        return rate;
    }

    /** The highest rate that passed so far; 0 when none did. */
    double best() {
        return passing;
    }

    /**
     * Records the verdict of the step run at {@link #rate()} and moves to the next rate. Returns why the search is
     * over, or empty when another step should run.
     */
    Optional<String> record(boolean passed) {
        if (passed) {
            passing = Math.max(passing, rate);
        } else {
            failing = Math.min(failing, rate);
        }
        if (failing == Double.POSITIVE_INFINITY) {
            if (rate >= maxRate) {
                return Optional.of("passed at the maximum rate; raise --max-rate");
            }
            rate = Math.min(Math.round(rate * 2), maxRate);
        } else if (passing == 0) {
            if (rate <= LOWEST_RATE) {
                return Optional.of("no rate passed");
            }
            rate = Math.max(LOWEST_RATE, Math.round(rate / 2));
        } else {
            if (failing - passing <= Math.max(1, passing * resolution)) {
                return Optional.of("converged");
            }
            rate = Math.round((passing + failing) / 2);
        }
        return Optional.empty();
    }
}
