package io.ora.device.https;

import io.ora.core.trace.RequestSpan;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where what the mounted routes leave unanswered becomes a {@link Problem}: a request no route matches
 * (404), a method no route takes on a path (405, with {@code Allow} naming the methods that are), any other
 * rejection, a body over the outer bound that a route read without a limit of its own (413), any other exception
 * (500, logged by type only), and a request the server times out (503). What the HTTP server refuses before any
 * route sees it is {@link ParsingProblems}'s.
 *
 * <p>It wraps all mounted routes together, never one role's: a role's own rejection handler would answer 404 for
 * the paths of the roles mounted after it.
 */
final class ProblemHandling {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemHandling.class);
    /** {@code about:blank}, not a role's "unavailable" type: those say nothing was done; a timed-out request may be. */
    private static final HttpResponse TIMED_OUT = Problem.of(StatusCodes.SERVICE_UNAVAILABLE,
            "no answer in time; the request may or may not have taken effect, retry later").toResponse();

    private ProblemHandling() {
    }

    /**
     * {@code inner}, with a request the server times out answered as a problem, and its span ended with it (the
     * server calls the handler with the request as it arrived, without the span {@link Traced} put on it, so the
     * span is taken here, where the route sees it).
     */
    static Route onTimeout(Route inner) {
        return Directives.extractRequest(request -> {
            Optional<RequestSpan> span = request.getAttribute(Traced.SPAN);
            return Directives.withRequestTimeoutResponse(timedOut -> {
                span.ifPresent(traced -> traced.finish(TIMED_OUT.status().intValue()));
                return TIMED_OUT;
            }, () -> inner);
        });
    }

    /** {@code routes}, with what they reject or throw answered as problems. */
    static Route handle(Route routes) {
        return Directives.handleExceptions(exceptions(), () -> Directives.handleRejections(rejections(), () -> routes));
    }

    private static RejectionHandler rejections() {
        return RejectionHandler.newBuilder()
                .handleAll(MethodRejection.class, rejected -> {
                    HttpHeader allow = Allow.create(rejected.stream().map(MethodRejection::supported)
                            .toArray(HttpMethod[]::new));
                    return Directives.complete(Problem.of(StatusCodes.METHOD_NOT_ALLOWED,
                            "this resource does not support that method").toResponse().addHeader(allow));
                })
                .handleNotFound(Directives.complete(Problem.of(StatusCodes.NOT_FOUND, "no such resource")
                        .toResponse()))
                .build()
                .withFallback(RejectionHandler.defaultHandler())
                .mapRejectionResponse(response -> response.entity().getContentType().equals(Problem.CONTENT_TYPE)
                        ? response
                        : Problem.of(response.status(), response.status().reason()).toResponse());
    }

    private static ExceptionHandler exceptions() {
        return ExceptionHandler.newBuilder()
                // A body over the listener's outer bound, read by a route that set no limit of its own.
                .match(EntityStreamSizeException.class, tooLarge -> Directives.complete(Problem.of(
                        StatusCodes.PAYLOAD_TOO_LARGE, "the body of this request is larger than this server takes")
                        .toResponse()))
                .matchAny(unexpected -> {
                    LOG.error("device HTTPS request failed with {}", unexpected.getClass().getName());
                    return Directives.complete(Problem.of(StatusCodes.INTERNAL_SERVER_ERROR,
                            "the request could not be completed").toResponse());
                })
                .build();
    }
}
