package io.ora.load.scenario;

import io.ora.load.measure.CpuUse;
import io.ora.load.measure.Latency;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one OTA check run measured. Answers are counted separately for the checks due in the warm-up and after it;
 * rates and latency count only the checks due after the warm-up. Latency runs from each check's due time on the
 * open-loop schedule to the arrival of its answer on the hub's {@code in/ota} (a hub's answers come in the order of
 * its checks).
 *
 * @param run          run id (the sweep step)
 * @param targetRate   offered checks per second, all hubs together
 * @param hubs         hubs checking
 * @param planned      checks on the schedule (offered)
 * @param sent         checks handed to the client
 * @param unsent       checks never sent because the generator fell too far behind its schedule
 * @param warmup       answers to the checks due in the warm-up
 * @param measured     answers to the checks due after it
 * @param lost         checks written to the wire that had no answer at the end of the drain
 * @param unexpected   answers that came when the hub had no check outstanding (a previous run's, late)
 * @param window       from the due time of the first measured check to the end of the schedule, or to the last
 *                     measured answer if that came later
 * @param windowStart  when the window began, by the wall clock, to line up other readings of the machine
 * @param sendRate     achieved send rate of the measured checks
 * @param latency      due-to-answer latency of the measured checks, every kind
 * @param offerLatency the same for the answers that were offers
 * @param otherLatency and for every other kind
 * @param sendLag      how late the generator released each measured check against its schedule
 * @param elapsed      wall time of the run including warm-up and drain
 * @param cpu          CPU of the generator and of the node over the measured window, and the generator's GC pauses
 * @param measuredSent checks sent in that window: what the CPU per check is divided by
 */
public record OtaCheckResult(int run, double targetRate, int hubs, long planned, long sent, long unsent,
                             Answers warmup, Answers measured, long lost, long unexpected, Duration window,
                             Instant windowStart, double sendRate, Latency.Summary latency,
                             Latency.Summary offerLatency, Latency.Summary otherLatency, Latency.Summary sendLag,
                             Duration elapsed, CpuUse cpu, long measuredSent) {

    /** The kind of an offer. */
    public static final String OFFER = "offer";
    /** Answers that are what a healthy node says to a well-formed check; any other kind fails a run. */
    static final Set<String> HEALTHY = Set.of(OFFER, "none", "wait/rate_limited", "wait/paused",
            "wait/pending_handover");

    /**
     * The answers to a set of checks.
     *
     * @param answered     answers received
     * @param kinds        answers by kind: {@code offer}, {@code none}, {@code wait/<reason>} ...
     * @param answerBytes  their payload bytes, added up
     * @param notFromRelay answers without the user property {@code ora-sender: urn:ora:relay}
     * @param refused      checks refused or lost on the way, by cause (a PUBACK other than success, a connection
     *                     lost)
     */
    public record Answers(long answered, Map<String, Long> kinds, long answerBytes, long notFromRelay,
                          Map<String, Long> refused) {
        public Answers {
            kinds = Map.copyOf(kinds);
            refused = Map.copyOf(refused);
        }

        /** Answers of a kind that a healthy node does not give to a well-formed check. */
        public long failures() {
            return kinds.entrySet().stream().filter(kind -> !HEALTHY.contains(kind.getKey()))
                    .mapToLong(Map.Entry::getValue).sum();
        }

        /** Checks refused or lost on the way. */
        public long refusedTotal() {
            return refused.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Answers of {@code kind}. */
        public long of(String kind) {
            return kinds.getOrDefault(kind, 0L);
        }

        /** {@code offer:12,wait/rate_limited:3}, by kind name; {@code -} when there are none. */
        public String kindsField() {
            return kinds.isEmpty() ? "-" : kinds.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(kind -> kind.getKey() + ":" + kind.getValue()).collect(Collectors.joining(","));
        }
    }

    /** Measured answers per second of the measured window. */
    public double answeredPerSecond() {
        return window.isZero() ? 0 : measured.answered() / (window.toNanos() / 1e9);
    }

    /** Mean payload of the measured answers, in bytes. */
    public double meanAnswerBytes() {
        return measured.answered() == 0 ? 0 : (double) measured.answerBytes() / measured.answered();
    }

    /**
     * Why the run does not count as sustained at {@code p99LimitMillis}: something unsent, lost or refused, an answer
     * of a failure kind (or not from the relay) at any time, no measured answer, or p99 at or above the limit. Empty
     * when it does.
     */
    public List<String> problems(double p99LimitMillis) {
        List<String> problems = new ArrayList<>();
        if (unsent > 0) {
            problems.add(unsent + " unsent (generator fell behind)");
        }
        if (lost > 0) {
            problems.add(lost + " without answer");
        }
        long refused = warmup.refusedTotal() + measured.refusedTotal();
        if (refused > 0) {
            problems.add(refused + " refused " + warmup.refused() + " / " + measured.refused());
        }
        long failures = warmup.failures() + measured.failures();
        if (failures > 0) {
            problems.add(failures + " failure answers");
        }
        long notFromRelay = warmup.notFromRelay() + measured.notFromRelay();
        if (notFromRelay > 0) {
            problems.add(notFromRelay + " answers not from " + OtaCheckBenchmark.RELAY);
        }
        if (latency.count() == 0) {
            problems.add("no measured answer");
        } else if (Latency.Summary.millis(latency.p99()) >= p99LimitMillis) {
            problems.add(String.format(Locale.ROOT, "p99 %.1f ms >= %.1f ms",
                    Latency.Summary.millis(latency.p99()), p99LimitMillis));
        }
        return problems;
    }

    /** Whether the run kept up: see {@link #problems}. */
    public boolean meets(double p99LimitMillis) {
        return problems(p99LimitMillis).isEmpty();
    }

    /** Whether the generator's own lateness explains much of the latency tail. */
    public boolean generatorBound() {
        return sendLag.explainsTailOf(latency);
    }

    /** Lines for the command line, judged against {@code p99LimitMillis}. */
    public List<String> lines(double p99LimitMillis) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "ota-check run %d: %d hubs, QoS 1, target %.0f checks/s (one check per"
                + " hub every %.1f s)", run, hubs, targetRate, hubs / targetRate));
        lines.add(String.format(Locale.ROOT, "  offered %d, sent %d%s; achieved send rate %.1f checks/s",
                planned, sent, unsent > 0 ? " (" + unsent + " unsent: generator fell behind)" : "", sendRate));
        lines.add(String.format(Locale.ROOT, "  answers measured %d %s (mean %.0f bytes), warm-up %d %s; without"
                        + " answer %d, unexpected %d, refused %s / %s", measured.answered(), measured.kindsField(),
                meanAnswerBytes(), warmup.answered(), warmup.kindsField(), lost, unexpected, warmup.refused(),
                measured.refused()));
        lines.add(String.format(Locale.ROOT, "  answered over the measured %.2f s: %.1f checks/s",
                window.toNanos() / 1e9, answeredPerSecond()));
        lines.add("  answer latency (from the scheduled send) " + latency.toMillisString());
        lines.add("    offers " + offerLatency.toMillisString());
        lines.add("    other kinds " + otherLatency.toMillisString());
        lines.add("  generator send lag " + sendLag.toMillisString());
        lines.add("  " + cpu.line(measuredSent, "check"));
        List<String> problems = problems(p99LimitMillis);
        lines.add(String.format(Locale.ROOT, "  verdict at p99 < %.1f ms: %s", p99LimitMillis,
                problems.isEmpty() ? "sustained" : "NOT sustained: " + String.join(", ", problems)));
        if (generatorBound()) {
            lines.add("  WARNING: generator send lag p99 is at least half the latency p99: the generator or the"
                    + " machine, not the node, limits this run");
        }
        lines.add(String.format(Locale.ROOT,
                "RESULT ota-check run=%d hubs=%d target=%.0f sent_per_s=%.1f answered_per_s=%.1f kinds=%s"
                        + " offers=%d failures=%d lost=%d unexpected=%d refused=%d answer_bytes=%.0f"
                        + " p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f offer_p99_ms=%.3f other_p99_ms=%.3f"
                        + " lag_p99_ms=%.3f window_start_ms=%d window_s=%.2f sustained=%b %s",
                run, hubs, targetRate, sendRate, answeredPerSecond(), measured.kindsField(), measured.of(OFFER),
                measured.failures(), lost, unexpected, measured.refusedTotal(), meanAnswerBytes(),
                Latency.Summary.millis(latency.p50()), Latency.Summary.millis(latency.p99()),
                Latency.Summary.millis(latency.p999()), Latency.Summary.millis(latency.max()),
                Latency.Summary.millis(offerLatency.p99()), Latency.Summary.millis(otherLatency.p99()),
                Latency.Summary.millis(sendLag.p99()), windowStart.toEpochMilli(), window.toNanos() / 1e9,
                problems.isEmpty(), cpu.resultFields(measuredSent, "check")));
        return lines;
    }
}
