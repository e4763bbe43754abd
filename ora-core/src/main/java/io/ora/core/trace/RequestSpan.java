package io.ora.core.trace;

import io.ora.core.metrics.Metrics;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP request's span and latency, for the node's HTTP listeners: started when the request arrives (continuing
 * the caller's {@code traceparent}, if it sent one), named once a route has matched, finished with the response's
 * status. The latency goes to a histogram labelled by method and route template; a request no route matched is
 * {@code unmatched}, so a scan of random paths adds no series.
 */
public final class RequestSpan {

    /** Methods kept as a label value; any other (a client may invent one) is {@code OTHER}. */
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final String UNMATCHED = "unmatched";

    private static final Logger LOG = LoggerFactory.getLogger(RequestSpan.class);

    private final Trace trace;
    private final Metrics metrics;
    private final String histogram;
    private final String help;
    private final String method;
    private final long startedNanos = System.nanoTime();
    private volatile String template = UNMATCHED;
    /** A response and the server's own timeout answer may both end a request: the first one counts. */
    private final AtomicBoolean finished = new AtomicBoolean();

    private RequestSpan(Trace trace, Metrics metrics, String histogram, String help, String method) {
        this.trace = trace;
        this.metrics = metrics;
        this.histogram = histogram;
        this.help = help;
        this.method = method;
    }

    /**
     * Starts the span of a request.
     *
     * @param operation   the listener's operation
     * @param method      the request's method
     * @param traceParent the request's {@code traceparent} header, if any
     * @param metrics     where the latency goes
     * @param histogram   the latency histogram's name, e.g. {@code ora_portal_request_seconds}
     * @param help        its help text
     */
    public static RequestSpan start(Operation operation, String method, Optional<String> traceParent,
                                    Metrics metrics, String histogram, String help) {
        String known = METHODS.contains(method) ? method : "OTHER";
        Trace trace = Traces.continueFrom(operation, traceParent).tag(Attribute.HTTP_METHOD, known);
        return new RequestSpan(trace, metrics, histogram, help, known);
    }

    /** The route that matched, by its template from code (e.g. {@code /v1/projects/{projectId}}). */
    public void route(String routeTemplate) {
        if (Attribute.HTTP_ROUTE.admits(routeTemplate)) {
            template = routeTemplate;
            trace.route(method, routeTemplate);
        }
    }

    public Trace trace() {
        return trace;
    }

    /**
     * Ends the span with the response's status (5xx marks it failed), records the latency, and writes the access
     * line (DEBUG, with the request's trace ids): method, route template, status and time, never the path. Only the
     * first call counts.
     */
    public void finish(int status) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        trace.tag(Attribute.HTTP_STATUS, status);
        if (status >= 500) {
            trace.fail("server_error");
        }
        long nanos = System.nanoTime() - startedNanos;
        metrics.timer(histogram, help, "method", method, "route", template).record(nanos, TimeUnit.NANOSECONDS);
        trace.finish();
        if (LOG.isDebugEnabled()) {
            try (Trace.Scope logs = Trace.logContext(trace.traceId(), trace.spanId())) {
                LOG.debug("{} {} answered {} in {} µs", method, template, status, nanos / 1_000);
            }
        }
    }
}
