package io.ora.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The node's metrics: one Micrometer registry per node, rendered in Prometheus text on {@code /metrics} and, when an
 * exporter is {@linkplain #export(MeterRegistry) added}, pushed over OTLP as well.
 *
 * <p>This class owns the naming policy, not the bookkeeping (Micrometer does that): names are snake_case, counters
 * end in {@code _total}, and every label value is a word or a route template chosen in code (a reason, an outcome,
 * {@code /v1/projects/{projectId}}), never peer input, so the series count stays bounded and no identity, locator or
 * payload can reach a metric. Everything that creates a series goes through here, so the policy holds in one place.
 *
 * <p>A node gets its own instance (several nodes share a JVM in tests); nothing here is static.
 */
public final class Metrics {

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    /** Label values: fixed words, or a route template from code; never a colon (URNs), quote or line break. */
    private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9_./{}-]{1,80}");
    /**
     * Latency buckets, in seconds, shared by every histogram so panels and alerts can compare them: fine below 10 ms
     * where the relay lives, coarse above where the portal's database calls do.
     */
    private static final Duration[] BUCKETS = {
        Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    /** A gauge registered again reads the newest supplier, so a restarted component is not shadowed by its past. */
    private final Map<String, AtomicReference<LongSupplier>> gauges = new ConcurrentHashMap<>();

    public Metrics() {
        registry.add(prometheus);
    }

    /** A counter with no labels. */
    public Counter counter(String name, String help) {
        return Counter.builder(counterName(name)).description(help).register(registry);
    }

    /** One series of a counter family with a single label, e.g. {@code reason="revoked"}. */
    public Counter counter(String name, String help, String label, String value) {
        return Counter.builder(counterName(name)).description(help).tags(tags(label, value)).register(registry);
    }

    /** A gauge read when the metrics are scraped or exported. */
    public void gauge(String name, String help, LongSupplier value) {
        gauge(name, help, "", "", value);
    }

    /** One series of a gauge family with a single label, e.g. {@code type="hub"}. */
    public void gauge(String name, String help, String label, String labelValue, LongSupplier value) {
        Tags tags = tags(label, labelValue);
        AtomicReference<LongSupplier> current = gauges.computeIfAbsent(checked(name) + tags, key -> {
            AtomicReference<LongSupplier> holder = new AtomicReference<>(value);
            Gauge.builder(name, holder, supplier -> supplier.get().getAsLong())
                    .description(help).tags(tags).strongReference(true).register(registry);
            return holder;
        });
        current.set(value);
    }

    /**
     * A latency histogram series (seconds, the shared buckets), e.g. {@code ora_portal_request_seconds} with
     * {@code route="/v1/projects/{projectId}"}. Prometheus shows {@code _bucket}, {@code _count} and {@code _sum}.
     */
    public Timer timer(String name, String help, String label, String value) {
        return timer(name, help, tags(label, value));
    }

    /** A latency histogram series with two labels, e.g. {@code method="GET"} and a {@code route} template. */
    public Timer timer(String name, String help, String label, String value, String label2, String value2) {
        return timer(name, help, tags(label, value).and(tags(label2, value2)));
    }

    private Timer timer(String name, String help, Tags tags) {
        return Timer.builder(histogramName(name)).description(help).tags(tags).serviceLevelObjectives(BUCKETS)
                .register(registry);
    }

    /** The value of a counter or gauge series, or 0 if it was never created (tests and the CLI read it). */
    public long value(String name, String label, String value) {
        var search = registry.find(name);
        if (!label.isEmpty()) {
            search = search.tag(label, value);
        }
        Counter counter = search.counter();
        if (counter != null) {
            return (long) counter.count();
        }
        Gauge gauge = search.gauge();
        return gauge == null ? 0 : (long) gauge.value();
    }

    /** The value of an unlabelled counter or gauge. */
    public long value(String name) {
        return value(name, "", "");
    }

    /** Every series of a counter family by its {@code label}'s value (tests read it). */
    public Map<String, Long> byLabel(String name, String label) {
        Map<String, Long> values = new TreeMap<>();
        registry.find(name).counters().forEach(counter ->
                values.put(counter.getId().getTag(label), (long) counter.count()));
        return values;
    }

    /** How many observations a histogram series holds (tests read it). */
    public long observations(String name, String label, String value) {
        Timer timer = registry.find(name).tag(label, value).timer();
        return timer == null ? 0 : timer.count();
    }

    /** Everything, in Prometheus text format 0.0.4. */
    public String prometheusText() {
        return prometheus.scrape();
    }

    /** The registry, for the library's own binders (JVM, GC, thread pools) and for exporters. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Also sends every series, present and future, to {@code exporter} (the OTLP registry). */
    public void export(MeterRegistry exporter) {
        registry.add(exporter);
    }

    private static String histogramName(String name) {
        if (!checked(name).endsWith("_seconds")) {
            throw new IllegalArgumentException("histograms are in seconds and say so: " + name);
        }
        return name;
    }

    private static String counterName(String name) {
        if (!checked(name).endsWith("_total")) {
            throw new IllegalArgumentException("counter names end in _total: " + name);
        }
        return name;
    }

    private static String checked(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric names are snake_case: " + name);
        }
        return name;
    }

    private static Tags tags(String label, String value) {
        if (label.isEmpty()) {
            return Tags.empty();
        }
        if (!NAME.matcher(label).matches() || !VALUE.matcher(value).matches()) {
            throw new IllegalArgumentException("labels and their values are fixed words chosen in code");
        }
        return Tags.of(label, value);
    }
}
