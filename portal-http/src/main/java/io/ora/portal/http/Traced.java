package io.ora.portal.http;

import io.micrometer.core.instrument.Counter;
import io.ora.core.metrics.Metrics;
import io.ora.core.trace.Operation;
import io.ora.core.trace.RequestSpan;
import io.ora.core.trace.Traces;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Every portal request's span and latency ({@link RequestSpan}): wraps the whole listener, outside
 * {@link ProblemHandling}, so rejections and failures are measured as the problems the caller gets. The router names
 * the span once an endpoint matched, through the request attribute {@link #SPAN}.
 */
public final class Traced {

    /** The request's span, for the router to name after the endpoint's template. */
    public static final AttributeKey<RequestSpan> SPAN = AttributeKey.create("ora-request-span", RequestSpan.class);

    /** Status classes, from 1xx: the counter's label values. */
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private Traced() {
    }

    /** Every portal request's span and latency, and its response counted by status class. */
    public static Route requests(Metrics metrics, Route route) {
        Counter[] byClass = new Counter[CLASSES.length];
        for (int i = 0; i < CLASSES.length; i++) {
            byClass[i] = metrics.counter("ora_portal_responses_total", "Portal responses, by status class",
                    "class", CLASSES[i]);
        }
        return Directives.extractRequest(request -> {
            RequestSpan span = RequestSpan.start(Operation.PORTAL_REQUEST, request.method().value(),
                    traceParent(request), metrics, "ora_portal_request_seconds",
                    "Portal requests from arrival to response, by method and route template");
            return Directives.mapRequest(traced -> traced.addAttribute(SPAN, span), () ->
                    Directives.mapResponse(response -> {
                        int status = response.status().intValue();
                        span.finish(status);
                        byClass[Math.max(0, Math.min(status / 100 - 1, CLASSES.length - 1))].increment();
                        return response;
                    }, () -> route));
        });
    }

    /** The span {@link #requests} started for {@code request}, if it went through it. */
    public static Optional<RequestSpan> of(HttpRequest request) {
        return request.getAttribute(SPAN);
    }

    private static Optional<String> traceParent(HttpRequest request) {
        return request.getHeader(Traces.TRACE_PARENT).map(HttpHeader::value);
    }
}
