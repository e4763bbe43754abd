package io.ora.core.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The node's counters and gauges, rendered in the Prometheus text exposition format.
 *
 * <p>Counters are {@link LongAdder}s, cheap enough for the relay's per-message path. Label values come only from
 * small fixed sets chosen in code (a reason, an outcome), never from peer input, so the series count stays bounded
 * and no identity or payload can reach a metric.
 */
public final class Metrics {

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");

    private final Map<String, Family> families = new ConcurrentHashMap<>();

    /** A counter with no labels. */
    public LongAdder counter(String name, String help) {
        return counter(name, help, "", "");
    }

    /** One series of a counter family with a single label, e.g. {@code reason="revoked"}. */
    public LongAdder counter(String name, String help, String label, String value) {
        Family family = family(name, help, "counter");
        return family.counters.computeIfAbsent(series(label, value), key -> new LongAdder());
    }

    /** A gauge read when the metrics are scraped. */
    public void gauge(String name, String help, LongSupplier value) {
        family(name, help, "gauge").gauge = value;
    }

    /** The value of a counter series, or 0 if it was never created (tests and the CLI read it). */
    public long value(String name, String label, String value) {
        Family family = families.get(name);
        if (family == null) {
            return 0;
        }
        if (family.gauge != null) {
            return family.gauge.getAsLong();
        }
        LongAdder adder = family.counters.get(series(label, value));
        return adder == null ? 0 : adder.sum();
    }

    /** The value of an unlabelled counter or gauge. */
    public long value(String name) {
        return value(name, "", "");
    }

    /** Everything, in Prometheus text format 0.0.4, families and series sorted for stable output. */
    public String prometheusText() {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(families).forEach((name, family) -> {
            out.append("# HELP ").append(name).append(' ').append(family.help).append('\n');
            out.append("# TYPE ").append(name).append(' ').append(family.type).append('\n');
            if (family.gauge != null) {
                out.append(name).append(' ').append(family.gauge.getAsLong()).append('\n');
            }
            new TreeMap<>(family.counters).forEach((series, adder) ->
                    out.append(name).append(series).append(' ').append(adder.sum()).append('\n'));
        });
        return out.toString();
    }

    private Family family(String name, String help, String type) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric names are snake_case: " + name);
        }
        Family family = families.computeIfAbsent(name, key -> new Family(help, type));
        if (!family.type.equals(type)) {
            throw new IllegalArgumentException(name + " is already a " + family.type);
        }
        return family;
    }

    private static String series(String label, String value) {
        if (label.isEmpty()) {
            return "";
        }
        if (!NAME.matcher(label).matches() || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("labels and their values are fixed snake_case words");
        }
        return "{" + label + "=\"" + value + "\"}";
    }

    private static final class Family {
        private final String help;
        private final String type;
        private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
        private volatile LongSupplier gauge;

        private Family(String help, String type) {
            this.help = help;
            this.type = type;
        }
    }
}
