package io.ora.core.trace;

import java.util.Optional;
import java.util.concurrent.Executor;
import kamon.Kamon;
import kamon.context.Context;
import kamon.context.Storage;
import kamon.trace.Span;
import kamon.trace.SpanBuilder;
import kamon.trace.Span$Kind$Client$;
import kamon.trace.Span$Kind$Consumer$;
import kamon.trace.Span$Kind$Internal$;
import kamon.trace.Span$Kind$Producer$;
import kamon.trace.Span$Kind$Server$;
import kamon.trace.SpanPropagation$W3CTraceContext$;
import org.slf4j.MDC;

/**
 * Starts the node's spans. The tracer is Kamon's (one per JVM, configured by the node at start-up: sampler,
 * W3C-compatible 128-bit ids, the OTLP reporter); with no reporter configured spans cost a little and go nowhere.
 *
 * <p>A span started here is a child of the span {@linkplain Trace#open() open} on this thread, if any, or of the
 * remote parent given, or a new trace's root, whose sampling the configured sampler decides.
 */
public final class Traces {

    /** The HTTP header (and the W3C name) that carries a trace across a hop. */
    public static final String TRACE_PARENT = "traceparent";

    private Traces() {
    }

    /** A child of the span open on this thread, or a new trace. */
    public static Trace start(Operation operation) {
        return new Trace(builder(operation).start());
    }

    /** A child of {@code parent}. */
    public static Trace start(Operation operation, Trace parent) {
        return new Trace(builder(operation).asChildOf(parent.span()).start());
    }

    /**
     * A child of the remote span a W3C {@code traceparent} names (from a request header or another node), or a new
     * trace if there is none or it does not parse: a caller's malformed header never fails a request.
     */
    public static Trace continueFrom(Operation operation, Optional<String> traceParent) {
        SpanBuilder builder = builder(operation);
        traceParent.flatMap(Traces::remote).ifPresent(builder::asChildOf);
        return new Trace(builder.start());
    }

    /**
     * {@code executor}, carrying the submitting thread's current span and trace ids into each task: work a request
     * hands to a blocking pool (a transaction, a password hash) logs with the request's ids and starts its spans as
     * the request's children.
     */
    public static Executor propagating(Executor executor) {
        return task -> {
            Context context = Kamon.currentContext();
            String traceId = MDC.get(Trace.TRACE_ID);
            String spanId = MDC.get(Trace.SPAN_ID);
            if (context.isEmpty() && traceId == null) {
                executor.execute(task);
                return;
            }
            executor.execute(() -> {
                try (Storage.Scope stored = Kamon.storeContext(context);
                     Trace.Scope logs = traceId == null ? null : Trace.logContext(traceId, spanId)) {
                    task.run();
                }
            });
        };
    }

    private static Optional<Span> remote(String traceParent) {
        if (traceParent.length() > 128) {
            return Optional.empty();
        }
        scala.Option<Span> decoded = SpanPropagation$W3CTraceContext$.MODULE$.decodeTraceParent(traceParent);
        return decoded.isDefined() ? Optional.of(decoded.get()) : Optional.empty();
    }

    private static SpanBuilder builder(Operation operation) {
        SpanBuilder builder = Kamon.spanBuilder(operation.spanName()).doNotTrackMetrics();
        return builder.kind(switch (operation.kind()) {
            case SERVER -> Span$Kind$Server$.MODULE$;
            case CLIENT -> Span$Kind$Client$.MODULE$;
            case PRODUCER -> Span$Kind$Producer$.MODULE$;
            case CONSUMER -> Span$Kind$Consumer$.MODULE$;
            case INTERNAL -> Span$Kind$Internal$.MODULE$;
        });
    }
}
