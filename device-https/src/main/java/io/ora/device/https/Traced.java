package io.ora.device.https;

import io.ora.core.metrics.Metrics;
import io.ora.core.trace.Operation;
import io.ora.core.trace.RequestSpan;
import io.ora.core.trace.Traces;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Every device request's span and latency ({@link RequestSpan}), around everything the listener answers; a role's
 * route names it after its template with {@link DeviceRequests#route}. A hub that sends a {@code traceparent} has
 * its request continue that trace.
 */
final class Traced {

    /** The request's span, for {@link DeviceRequests#route} to name. */
    static final AttributeKey<RequestSpan> SPAN = AttributeKey.create("ora-device-request-span", RequestSpan.class);

    private Traced() {
    }

    static Route requests(Metrics metrics, Route route) {
        return Directives.extractRequest(request -> {
            Optional<String> parent = request.getHeader(Traces.TRACE_PARENT).map(HttpHeader::value);
            RequestSpan span = RequestSpan.start(Operation.DEVICE_REQUEST, request.method().value(), parent,
                    metrics, "ora_device_request_seconds",
                    "Device HTTPS requests (telemetry, backup) from arrival to response, by method and route");
            return Directives.mapRequest(traced -> traced.addAttribute(SPAN, span), () ->
                    Directives.mapResponse(response -> {
                        span.finish(response.status().intValue());
                        return response;
                    }, () -> route));
        });
    }
}
