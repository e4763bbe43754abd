package io.ora.device.https;

import io.micrometer.core.instrument.Counter;
import io.ora.core.metrics.Metrics;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * Counts the listener's responses by status, in {@value #REQUESTS}: those of every mounted route and the problems
 * of {@link ProblemHandling} for what no route answered, but not the server's own (a request it refused before any
 * route, or timed out), which never pass through a route.
 */
final class ResponseCounter {

    static final String REQUESTS = "ora_device_https_requests_total";

    private final Metrics metrics;

    ResponseCounter(Metrics metrics) {
        this.metrics = metrics;
        // Every status's series from the start, at 0, for rates and alerts.
        for (int status : new int[] {200, 201, 204, 206, 304, 400, 403, 404, 405, 412, 413, 415, 416, 422, 429, 500,
                503, 599}) {
            counter(label(StatusCodes.get(status)));
        }
    }

    private Counter counter(String label) {
        return metrics.counter(REQUESTS, "requests on the device HTTPS listener, by response status", "status",
                label);
    }

    HttpResponse count(HttpResponse response) {
        counter(label(response.status())).increment();
        return response;
    }

    /**
     * Metric labels are fixed words (Metrics refuses digits first), one per status the listener and its routes answer;
     * a route that answers a new status adds its word here.
     */
    private static String label(StatusCode status) {
        return switch (status.intValue()) {
            case 200 -> "ok";
            case 201 -> "created";
            case 204 -> "no_content";
            case 206 -> "partial_content";
            case 304 -> "not_modified";
            case 400 -> "bad_request";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 412 -> "precondition_failed";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            case 416 -> "range_not_satisfiable";
            case 422 -> "unprocessable";
            case 429 -> "too_many_requests";
            case 500 -> "internal_error";
            case 503 -> "unavailable";
            default -> "other";
        };
    }
}
