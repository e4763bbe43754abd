package io.ora.load.scenario;

import io.ora.load.measure.CpuUse;
import io.ora.load.measure.Latency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one relay run measured. Latency runs from each message's due time on the open-loop schedule to its arrival at
 * the hub (or, in a round trip, back at the app that sent it), for messages due after the warm-up; losses and
 * errors count the whole run.
 *
 * @param run          run id (the sweep step), carried in every payload
 * @param targetRate   offered messages per second, all apps together
 * @param hubs         hubs receiving
 * @param apps         apps sending
 * @param qos          QoS of the publishes and of the hubs' subscriptions
 * @param roundTrip    whether every message went app → hub → app and was counted on its return
 * @param payloadBytes size of each message body
 * @param planned      messages on the schedule
 * @param sent         messages handed to the client
 * @param unsent       messages never sent because the generator fell too far behind its schedule
 * @param received     distinct messages that reached their hub (in a round trip: that came back to their app)
 * @param duplicates   repeated deliveries of a message already received (possible with QoS 1)
 * @param stale        deliveries left over from an earlier run
 * @param malformed    deliveries that are not ours or make no sense
 * @param misrouted    deliveries on a topic outside the receiving hub's inbox
 * @param oraSender    deliveries carrying the Ora relay's {@code ora-sender} user property (Mosquitto sets none)
 * @param errors       failed publishes by cause, and PUBACKs other than success
 * @param sendRate     achieved send rate over the measured window
 * @param receiveRate  achieved receive rate over the measured window
 * @param latency      due-to-arrival latency of measured messages
 * @param sendLag      how late the generator released each measured message against its schedule
 * @param elapsed      wall time of the run including warm-up and drain
 * @param cpu          CPU of the generator (and of the server, given its pid) from the first measured message's due
 *                     time to the end of the schedule, and the generator's GC pauses then
 * @param measuredSent messages sent in that window: what the CPU per message is divided by
 */
public record RelayResult(int run, double targetRate, int hubs, int apps, int qos, boolean roundTrip,
                          int payloadBytes, long planned,
                          long sent, long unsent, long received, long duplicates, long stale, long malformed,
                          long misrouted, long oraSender, Map<String, Long> errors, double sendRate,
                          double receiveRate, Latency.Summary latency, Latency.Summary sendLag,
                          Duration elapsed, CpuUse cpu, long measuredSent) {


    public RelayResult {
        errors = Map.copyOf(errors);
    }

    /** Messages sent that never arrived. */
    public long lost() {
        return Math.max(0, sent - received);
    }

    /** Whether the run kept up: everything sent and delivered, no errors, and p99 below the limit. */
    public boolean meets(double p99LimitMillis) {
        return unsent == 0 && lost() == 0 && errors.isEmpty() && misrouted == 0 && latency.count() > 0
                && Latency.Summary.millis(latency.p99()) < p99LimitMillis;
    }

    /**
     * Whether the generator's own lateness explains much of the latency tail: then the figures describe the load
     * generator or the machine (CPU shared with the broker, GC), not the broker.
     */
    public boolean generatorBound() {
        return sendLag.explainsTailOf(latency);
    }

    /** Lines for the command line. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT,
                "relay run %d: %d hubs, %d apps, QoS %d, %d-byte payload, target %.0f msg/s"
                        + " (%.1f per app, %.1f per hub)%s",
                run, hubs, apps, qos, payloadBytes, targetRate, targetRate / apps, targetRate / hubs,
                roundTrip ? ", round trip app → hub → app" : ""));
        lines.add(String.format(Locale.ROOT, "  sent %d of %d planned%s; achieved send rate %.1f msg/s",
                sent, planned, unsent > 0 ? " (" + unsent + " unsent: generator fell behind)" : "", sendRate));
        lines.add(String.format(Locale.ROOT, "  received %d (rate %.1f msg/s), lost %d, duplicates %d, stale %d,"
                        + " malformed %d, misrouted %d, with ora-sender %d",
                received, receiveRate, lost(), duplicates, stale, malformed, misrouted, oraSender));
        lines.add("  latency " + latency.toMillisString());
        lines.add("  generator send lag " + sendLag.toMillisString());
        lines.add("  errors: " + (errors.isEmpty() ? "none" : errors.toString()));
        lines.add("  " + cpu.line(measuredSent, "msg"));
        if (generatorBound()) {
            lines.add("  WARNING: generator send lag p99 is at least half the latency p99: the generator or the"
                    + " machine, not the broker, limits this run");
        }
        lines.add(String.format(Locale.ROOT,
                "RESULT relay run=%d qos=%d round_trip=%d hubs=%d apps=%d payload=%d target=%.0f sent_per_s=%.1f"
                        + " recv_per_s=%.1f lost=%d errors=%d p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f"
                        + " duplicates=%d lag_p99_ms=%.3f %s",
                run, qos, roundTrip ? 1 : 0, hubs, apps, payloadBytes, targetRate, sendRate, receiveRate, lost(),
                errors.values().stream().mapToLong(Long::longValue).sum(),
                Latency.Summary.millis(latency.p50()), Latency.Summary.millis(latency.p99()),
                Latency.Summary.millis(latency.p999()), Latency.Summary.millis(latency.max()), duplicates,
                Latency.Summary.millis(sendLag.p99()), cpu.resultFields(measuredSent, "msg")));
        return lines;
    }
}
