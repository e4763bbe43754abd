package io.ora.node.observe;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.registry.otlp.OtlpConfig;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import io.ora.core.metrics.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import kamon.Kamon;
import org.slf4j.Logger;
import scala.concurrent.Await;
import scala.concurrent.duration.FiniteDuration;
import org.slf4j.LoggerFactory;

/**
 * The node's observability plumbing (docs/observability.md): the tracer's settings and its OTLP trace reporter
 * (Kamon), the node's metrics pushed over OTLP (Micrometer's OTLP registry, beside the Prometheus text on
 * {@code /metrics}), and the JVM's own metrics. With {@code ora.observability.otlp.endpoint} empty nothing leaves
 * the node; spans are still made (their ids are in the logs) and dropped.
 *
 * <p>The tracer is Kamon's, one per JVM: the first node of a JVM configures it and later ones (tests run several)
 * find it configured the same way. Metrics are per node.
 */
public final class Observability implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Observability.class);

    /**
     * Nodes of this JVM whose observability is running: the tracer's reporter, shared by them, is stopped (and its
     * waiting spans sent) when the last one closes. JVM-wide because Kamon is.
     */
    private static final AtomicInteger RUNNING = new AtomicInteger();

    private final List<AutoCloseable> resources;
    private final Duration flushWithin;

    private Observability(List<AutoCloseable> resources, Duration flushWithin) {
        this.resources = resources;
        this.flushWithin = flushWithin;
    }

    /** Configures the tracer from {@code ora.observability}; call before anything traces. */
    public static void configureTracing(Config config) {
        Config settings = config.getConfig("ora.observability");
        Optional<String> endpoint = endpoint(settings);
        Config kamon = ConfigFactory.parseMap(kamonSettings(settings, endpoint)).withFallback(config);
        synchronized (RUNNING) {
            if (RUNNING.get() == 0) {
                // No agent: the node makes its spans itself (io.ora.core.trace), nothing is instrumented.
                Kamon.initWithoutAttaching(kamon);
            } else {
                Kamon.reconfigure(kamon);
            }
        }
        LOG.info(endpoint.isPresent() ? "exporting traces and metrics over OTLP/HTTP"
                : "no OTLP endpoint configured (ORA_OTLP_ENDPOINT): traces and metrics stay on this node");
    }

    /** Binds the JVM's metrics to {@code metrics} and, with an endpoint, starts pushing them over OTLP. */
    public static Observability start(Config config, Metrics metrics) {
        Config settings = config.getConfig("ora.observability");
        List<AutoCloseable> resources = new ArrayList<>();
        new JvmMemoryMetrics().bindTo(metrics.registry());
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(metrics.registry());
        resources.add(gc);
        new JvmThreadMetrics().bindTo(metrics.registry());
        new ClassLoaderMetrics().bindTo(metrics.registry());
        new ProcessorMetrics().bindTo(metrics.registry());
        new UptimeMetrics().bindTo(metrics.registry());
        endpoint(settings).ifPresent(base -> {
            OtlpMeterRegistry otlp = new OtlpMeterRegistry(otlpConfig(settings, base), Clock.SYSTEM);
            metrics.export(otlp);
            resources.add(otlp::close);
        });
        RUNNING.incrementAndGet();
        return new Observability(resources, settings.getDuration("otlp.timeout"));
    }

    /**
     * Stops pushing metrics, after one last push; the last node of the JVM also stops the trace reporter, which
     * sends the spans still waiting.
     */
    @Override
    public void close() {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("could not close {} ({})", resource.getClass().getSimpleName(), e.getClass().getName());
            }
        }
        synchronized (RUNNING) {
            if (RUNNING.decrementAndGet() == 0) {
                try {
                    Await.result(Kamon.stopModules(), FiniteDuration.fromNanos(flushWithin.toNanos()));
                } catch (Exception e) {
                    LOG.warn("trace reporter not stopped within {} ({})", flushWithin, e.getClass().getName());
                }
            }
        }
    }

    private static Optional<String> endpoint(Config settings) {
        String endpoint = settings.getString("otlp.endpoint").strip();
        if (endpoint.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint);
    }

    private static Map<String, Object> kamonSettings(Config settings, Optional<String> endpoint) {
        Config tracing = settings.getConfig("tracing");
        Map<String, Object> kamon = new LinkedHashMap<>();
        kamon.put("kamon.init.hide-banner", true);
        kamon.put("kamon.environment.service", settings.getString("service-name"));
        // The same release Sentry reports, so a trace and an error of one build can be told apart from another's.
        kamon.put("kamon.otel.attributes", "service.version=" + settings.getString("sentry.release"));
        // 128-bit trace ids, as W3C trace context and OpenTelemetry have them.
        kamon.put("kamon.trace.identifier-scheme", "double");
        kamon.put("kamon.trace.sampler", tracing.getString("sampler"));
        kamon.put("kamon.trace.adaptive-sampler.throughput", tracing.getInt("adaptive-throughput"));
        kamon.put("kamon.trace.random-sampler.probability", tracing.getDouble("random-probability"));
        kamon.put("kamon.trace.tick-interval", tracing.getDuration("report-interval").toMillis() + "ms");
        kamon.put("kamon.trace.reporter-queue-size", tracing.getInt("queue-size"));
        // Spans never carry an exception's text (Trace#fail records a reason word); this is the second lock.
        kamon.put("kamon.trace.include-error-stacktrace", false);
        kamon.put("kamon.trace.include-error-type", false);
        kamon.put("kamon.modules.otel-trace-reporter.enabled", endpoint.isPresent());
        // The trace.* keys, not their kamon.otel.* defaults: those were substituted when the reference was loaded.
        kamon.put("kamon.otel.trace.protocol", "http/protobuf");
        endpoint.ifPresent(base -> kamon.put("kamon.otel.trace.full-endpoint", base + "/v1/traces"));
        kamon.put("kamon.otel.trace.headers", settings.getString("otlp.headers"));
        kamon.put("kamon.otel.trace.timeout", settings.getDuration("otlp.timeout").toMillis() + "ms");
        kamon.put("kamon.otel.trace.compression", "gzip");
        return kamon;
    }

    private static OtlpConfig otlpConfig(Config settings, String base) {
        Map<String, String> values = new HashMap<>();
        values.put("otlp.url", base + "/v1/metrics");
        values.put("otlp.step", settings.getDuration("otlp.metrics-step").toMillis() + "ms");
        values.put("otlp.headers", settings.getString("otlp.headers"));
        values.put("otlp.resourceAttributes", "service.name=" + settings.getString("service-name")
                + ",service.version=" + settings.getString("sentry.release"));
        values.put("otlp.readTimeout", settings.getDuration("otlp.timeout").toMillis() + "ms");
        values.put("otlp.connectTimeout", settings.getDuration("otlp.timeout").toMillis() + "ms");
        return values::get;
    }
}
