package io.ora.load.scenario;

import io.ora.load.measure.CpuUse;
import io.ora.load.measure.Latency;
import io.ora.load.measure.ProcessMemory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one telemetry run measured. Outcomes are counted separately for the messages due in the warm-up and after it;
 * rates and latency count only the messages due after the warm-up. Latency runs from each message's due time on the
 * open-loop schedule to its successful PUBACK, which the relay sends only after the samples are committed.
 *
 * @param run             run id (the sweep step)
 * @param targetRate      offered messages per second, all hubs together
 * @param hubs            hubs publishing
 * @param samples         samples per message
 * @param payloadBytes    mean size of the messages sent
 * @param planned         messages on the schedule (offered)
 * @param sent            messages handed to the client
 * @param unsent          messages never sent because the generator fell too far behind its schedule
 * @param warmup          outcomes of the messages due in the warm-up
 * @param measured        outcomes of the messages due after it
 * @param timedOut        sent messages with no outcome at the end of the drain
 * @param window          from the due time of the first measured message to the end of the schedule, or to the
 *                        last measured success if that came later
 * @param windowStart     when the window began, by the wall clock: to line up other readings of the machine (CPU,
 *                        profiles) with the measured part of the run
 * @param sendRate        achieved send rate of the measured messages
 * @param latency         due-to-success-PUBACK latency of measured messages
 * @param sendLag         how late the generator released each measured message against its schedule
 * @param serverRss       the node's resident memory, read once a second from the start of the run to the end of the
 *                        drain, when its pid was given
 * @param rowsBefore      rows in the sample table before the run, when counted
 * @param rowsAfter       and after the drain
 * @param elapsed         wall time of the run including warm-up and drain
 * @param cpu             CPU of the generator (and of the node, given its pid) from the first measured message's
 *                        due time to the end of the schedule, and the generator's GC pauses then
 * @param measuredSent    messages sent in that window: what the CPU per message is divided by
 */
public record TelemetryResult(int run, double targetRate, int hubs, int samples, double payloadBytes, long planned,
                              long sent, long unsent, Outcomes warmup, Outcomes measured, long timedOut,
                              Duration window, Instant windowStart, double sendRate, Latency.Summary latency,
                              Latency.Summary sendLag, Optional<ProcessMemory.Span> serverRss,
                              OptionalLong rowsBefore, OptionalLong rowsAfter, Duration elapsed, CpuUse cpu,
                              long measuredSent) {

    private static final double MIB = 1024.0 * 1024.0;

    /**
     * What the PUBACKs of a set of messages said.
     *
     * @param success         PUBACK success: committed
     * @param quotaExceeded   PUBACK 0x97: the pipeline was full or unavailable, nothing kept
     * @param payloadRejected PUBACK 0x99: the privacy filter refused the payload, nothing kept
     * @param other           any other outcome, by cause (another reason code, a lost connection)
     */
    public record Outcomes(long success, long quotaExceeded, long payloadRejected, Map<String, Long> other) {

        public Outcomes {
            other = Map.copyOf(other);
        }

        /** Outcomes other than success, 0x97 and 0x99. */
        public long otherTotal() {
            return other.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Successes over the whole run. */
    public long success() {
        return warmup.success() + measured.success();
    }

    /** 0x97 answers over the whole run. */
    public long quotaExceeded() {
        return warmup.quotaExceeded() + measured.quotaExceeded();
    }

    /** 0x99 answers over the whole run. */
    public long payloadRejected() {
        return warmup.payloadRejected() + measured.payloadRejected();
    }

    /** Other outcomes over the whole run. */
    public long otherTotal() {
        return warmup.otherTotal() + measured.otherTotal();
    }

    /** Measured messages acknowledged with success, per second of the measured window. */
    public double ackedPerSecond() {
        return window.isZero() ? 0 : measured.success() / (window.toNanos() / 1e9);
    }

    /** Samples committed per second: measured successes times the samples each carried, over the window. */
    public double committedSamplesPerSecond() {
        return ackedPerSecond() * samples;
    }

    /** Samples acknowledged with success over the whole run. */
    public long ackedSamples() {
        return success() * samples;
    }

    /** Share of the sent messages answered 0x97. */
    public double quotaExceededShare() {
        return sent == 0 ? 0 : (double) quotaExceeded() / sent;
    }

    /** Rows the run added to the sample table, when it was counted. */
    public OptionalLong rowsAdded() {
        return rowsBefore.isPresent() && rowsAfter.isPresent()
                ? OptionalLong.of(rowsAfter.getAsLong() - rowsBefore.getAsLong()) : OptionalLong.empty();
    }

    /**
     * Why the run does not count as sustained at {@code p99LimitMillis}: something unsent, any outcome but success
     * for a measured message (0x97 included), a 0x99 or another outcome at any time, a message without outcome, p99
     * at or above the limit, or fewer rows committed than samples acknowledged. Empty when it does. A 0x97 in the
     * warm-up (a cold node catching up) is reported, but is not what the run measures.
     */
    public List<String> problems(double p99LimitMillis) {
        List<String> problems = new ArrayList<>();
        if (unsent > 0) {
            problems.add(unsent + " unsent (generator fell behind)");
        }
        if (measured.quotaExceeded() > 0) {
            problems.add(measured.quotaExceeded() + " x 0x97");
        }
        if (payloadRejected() > 0) {
            problems.add(payloadRejected() + " x 0x99");
        }
        if (otherTotal() > 0) {
            problems.add(otherTotal() + " other outcomes");
        }
        if (timedOut > 0) {
            problems.add(timedOut + " without outcome");
        }
        if (latency.count() == 0) {
            problems.add("no measured success");
        } else if (Latency.Summary.millis(latency.p99()) >= p99LimitMillis) {
            problems.add(String.format(Locale.ROOT, "p99 %.1f ms >= %.1f ms",
                    Latency.Summary.millis(latency.p99()), p99LimitMillis));
        }
        if (rowsAdded().isPresent() && rowsAdded().getAsLong() < ackedSamples()) {
            problems.add((ackedSamples() - rowsAdded().getAsLong()) + " acknowledged samples not in the table");
        }
        return problems;
    }

    /** Whether the run kept up: see {@link #problems}. */
    public boolean meets(double p99LimitMillis) {
        return problems(p99LimitMillis).isEmpty();
    }

    /**
     * Whether the generator's own lateness explains much of the latency tail: then the figures describe the load
     * generator or the machine (CPU shared with the node), not the node.
     */
    public boolean generatorBound() {
        return sendLag.explainsTailOf(latency);
    }

    /** Lines for the command line, judged against {@code p99LimitMillis}. */
    public List<String> lines(double p99LimitMillis) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT,
                "telemetry run %d: %d hubs, QoS 1, %d samples per message (mean %.0f bytes), target %.0f msg/s"
                        + " = %.0f samples/s (%.2f msg/s per hub)",
                run, hubs, samples, payloadBytes, targetRate, targetRate * samples, targetRate / hubs));
        lines.add(String.format(Locale.ROOT, "  offered %d, sent %d%s; achieved send rate %.1f msg/s",
                planned, sent, unsent > 0 ? " (" + unsent + " unsent: generator fell behind)" : "", sendRate));
        lines.add(String.format(Locale.ROOT, "  PUBACK success %d, 0x97 quota exceeded %d (%.2f %%; %d of them"
                        + " in the warm-up), 0x99 payload rejected %d, other %d%s, no outcome (timed out) %d",
                success(), quotaExceeded(), 100 * quotaExceededShare(), warmup.quotaExceeded(), payloadRejected(),
                otherTotal(), otherTotal() == 0 ? "" : " " + warmup.other() + " / " + measured.other(), timedOut));
        lines.add(String.format(Locale.ROOT, "  committed over the measured %.2f s: %.1f msg/s = %.0f samples/s",
                window.toNanos() / 1e9, ackedPerSecond(), committedSamplesPerSecond()));
        lines.add("  PUBACK latency (success, from the scheduled send) " + latency.toMillisString());
        lines.add("  generator send lag " + sendLag.toMillisString());
        serverRss.ifPresent(rss -> lines.add(String.format(Locale.ROOT,
                "  node RSS: start %.1f MiB, peak %.1f MiB, end %.1f MiB (%d readings)",
                rss.first() / MIB, rss.peak() / MIB, rss.last() / MIB, rss.readings())));
        rowsAdded().ifPresent(added -> lines.add(String.format(Locale.ROOT,
                "  telemetry_sample rows %d -> %d: +%d for %d samples acknowledged: %s", rowsBefore.getAsLong(),
                rowsAfter.getAsLong(), added, ackedSamples(),
                added >= ackedSamples() ? "ok" : "MISSING " + (ackedSamples() - added))));
        lines.add("  " + cpu.line(measuredSent, "msg"));
        List<String> problems = problems(p99LimitMillis);
        lines.add(String.format(Locale.ROOT, "  verdict at p99 < %.1f ms: %s", p99LimitMillis,
                problems.isEmpty() ? "sustained" : "NOT sustained: " + String.join(", ", problems)));
        if (generatorBound()) {
            lines.add("  WARNING: generator send lag p99 is at least half the latency p99: the generator or the"
                    + " machine, not the node, limits this run");
        }
        lines.add(String.format(Locale.ROOT,
                "RESULT telemetry run=%d hubs=%d samples=%d payload=%.0f target=%.0f sent_per_s=%.1f acked_per_s=%.1f"
                        + " samples_per_s=%.0f success=%d quota_exceeded=%d warmup_quota_exceeded=%d"
                        + " payload_rejected=%d other=%d timed_out=%d"
                        + " p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f rss_start_mib=%s rss_peak_mib=%s"
                        + " rss_end_mib=%s rows_added=%s acked_samples=%d window_start_ms=%d window_s=%.2f"
                        + " sustained=%b %s",
                run, hubs, samples, payloadBytes, targetRate, sendRate, ackedPerSecond(),
                committedSamplesPerSecond(), success(), quotaExceeded(), warmup.quotaExceeded(), payloadRejected(),
                otherTotal(), timedOut,
                Latency.Summary.millis(latency.p50()), Latency.Summary.millis(latency.p99()),
                Latency.Summary.millis(latency.p999()), Latency.Summary.millis(latency.max()),
                mib(serverRss.map(ProcessMemory.Span::first)), mib(serverRss.map(ProcessMemory.Span::peak)),
                mib(serverRss.map(ProcessMemory.Span::last)),
                rowsAdded().isPresent() ? Long.toString(rowsAdded().getAsLong()) : "n/a", ackedSamples(),
                windowStart.toEpochMilli(), window.toNanos() / 1e9, problems.isEmpty(),
                cpu.resultFields(measuredSent, "msg")));
        return lines;
    }

    private static String mib(Optional<Long> bytes) {
        return bytes.map(b -> String.format(Locale.ROOT, "%.1f", b / MIB)).orElse("n/a");
    }
}
