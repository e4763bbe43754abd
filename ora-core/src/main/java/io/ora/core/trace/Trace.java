package io.ora.core.trace;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import kamon.Kamon;
import kamon.context.Context;
import kamon.context.Storage;
import kamon.trace.Span;
import kamon.trace.SpanPropagation$W3CTraceContext$;
import kamon.trace.Trace$SamplingDecision$Sample$;
import org.slf4j.MDC;

/**
 * One span of work the node traces, started by {@link Traces}. What it records is limited to the
 * {@link Attribute} allow-list; a failure is recorded as a reason word, never an exception's message (which can
 * quote a database row), and nothing here ever takes a payload, a topic, an identity or a token.
 *
 * <p>Not thread-safe in the sense that it must be finished once; tagging from the thread that owns the work is the
 * intended use (an event loop, an actor, a request's completion).
 */
public final class Trace {

    /** The MDC keys every log line written inside a {@linkplain #open() scope} carries. */
    public static final String TRACE_ID = "trace_id";
    public static final String SPAN_ID = "span_id";

    private final Span span;

    Trace(Span span) {
        this.span = span;
    }

    /**
     * Records {@code attribute}; a value of the wrong shape is not recorded (the attribute says {@code refused}). A
     * span that will not be reported records nothing: the relay makes one per message, most of them unsampled.
     */
    public Trace tag(Attribute attribute, String value) {
        if (sampled()) {
            span.tag(attribute.key(), attribute.admits(value) ? value : "refused");
        }
        return this;
    }

    public Trace tag(Attribute attribute, long value) {
        return sampled() ? tag(attribute, Long.toString(value)) : this;
    }

    /**
     * Names a request's span after its method and route template ({@code GET /v1/projects/{projectId}}), as
     * OpenTelemetry's HTTP conventions do, and records the template (the method is recorded when the request
     * starts); a template of the wrong shape leaves the name alone.
     */
    public Trace route(String method, String template) {
        if (Attribute.HTTP_METHOD.admits(method) && Attribute.HTTP_ROUTE.admits(template)) {
            span.name(method + " " + template);
            tag(Attribute.HTTP_ROUTE, template);
        }
        return this;
    }

    /** Marks the span failed, with {@code reason} (a word, as the metrics use) as its outcome. */
    public Trace fail(String reason) {
        if (sampled()) {
            String word = Attribute.OUTCOME.admits(reason) ? reason : "error";
            span.fail(word);
            span.tag(Attribute.OUTCOME.key(), word);
        }
        return this;
    }

    /** Ends the span; it is reported if its trace is sampled. */
    public void finish() {
        span.finish();
    }

    /**
     * Ends the span when {@code work} completes, failed ({@code failed}) if it fails; answers {@code work} as it
     * completes, so a caller can return it unchanged.
     */
    public <T> CompletionStage<T> endWith(CompletionStage<T> work) {
        return work.whenComplete((result, failure) -> {
            if (failure != null) {
                fail("failed");
            }
            finish();
        });
    }

    public String traceId() {
        return span.trace().id().string();
    }

    public String spanId() {
        return span.id().string();
    }

    /** Whether the span will be reported. */
    public boolean sampled() {
        return span.trace().samplingDecision() == Trace$SamplingDecision$Sample$.MODULE$;
    }

    /**
     * The W3C {@code traceparent} that continues this trace elsewhere (an HTTP call, a message to another node),
     * only while sampled: an unsampled trace costs the hop nothing.
     */
    public Optional<String> traceParent() {
        return sampled() ? Optional.of(SpanPropagation$W3CTraceContext$.MODULE$.encodeTraceParent(span))
                : Optional.empty();
    }

    /**
     * Makes this span the current one on this thread, for child spans and for log lines ({@value #TRACE_ID},
     * {@value #SPAN_ID} in the MDC), until the scope is closed; closing restores what was there before.
     */
    public Scope open() {
        Storage.Scope stored = Kamon.storeContext(Context.of(Span.Key(), span));
        return put(stored, traceId(), spanId());
    }

    /**
     * Puts ids of a span that has already ended in the MDC only (not as the current span: nothing becomes its
     * child), for the log lines of work that belongs to it, such as an MQTT session belonging to its CONNECT.
     */
    public static Scope logContext(String traceId, String spanId) {
        return put(null, traceId, spanId);
    }

    private static Scope put(Storage.Scope stored, String traceId, String spanId) {
        String outerTrace = MDC.get(TRACE_ID);
        String outerSpan = MDC.get(SPAN_ID);
        // A tracer not started (a module's own tests) makes empty spans: their empty ids are not worth a field.
        if (!traceId.isEmpty()) {
            MDC.put(TRACE_ID, traceId);
            MDC.put(SPAN_ID, spanId);
        }
        return new Scope(stored, outerTrace, outerSpan);
    }

    Span span() {
        return span;
    }

    /** What {@link #open()} changed on this thread, undone by {@link #close()}. */
    public static final class Scope implements AutoCloseable {
        private final Storage.Scope stored;
        private final String outerTrace;
        private final String outerSpan;

        private Scope(Storage.Scope stored, String outerTrace, String outerSpan) {
            this.stored = stored;
            this.outerTrace = outerTrace;
            this.outerSpan = outerSpan;
        }

        @Override
        public void close() {
            if (stored != null) {
                stored.close();
            }
            restore(TRACE_ID, outerTrace);
            restore(SPAN_ID, outerSpan);
        }

        private static void restore(String key, String value) {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        }
    }
}
