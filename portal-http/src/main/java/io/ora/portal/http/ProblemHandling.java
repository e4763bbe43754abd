package io.ora.portal.http;

import io.ora.core.concurrent.Failures;
import io.ora.core.trace.RequestSpan;
import io.ora.core.trace.Trace;
import io.ora.portal.refusal.Refused;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.UnsupportedRequestContentTypeRejection;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where every failure of the portal becomes an RFC 9457 problem response: route rejections (404 when
 * no path matched, 405 with {@code Allow} when the path did but the method did not, 415, 400), failures
 * ({@link #toResponse}: a refusal as it was decided, 413 for an oversized body, 500 for anything unexpected, logged
 * by type only), and the answers the HTTP server gives on its own: requests it cannot parse or take
 * ({@link ParsingProblems}) and a request that times out (503).
 */
public final class ProblemHandling {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemHandling.class);
    private static final HttpResponse TIMED_OUT = Problem.of(StatusCodes.SERVICE_UNAVAILABLE,
            "the server could not answer in time; try again shortly").toResponse();

    private ProblemHandling() {
    }

    /** Wraps {@code route} so nothing it produces escapes as anything but a problem. */
    public static Route wrap(Route route) {
        // The server calls the timeout handler with the request as it arrived, without the span Traced put on it:
        // the span is taken here, where the route sees it, so a timed-out request's span ends with its 503.
        return Directives.extractRequest(request -> {
            Optional<RequestSpan> span = Traced.of(request);
            return Directives.withRequestTimeoutResponse(timedOut -> {
                span.ifPresent(traced -> traced.finish(TIMED_OUT.status().intValue()));
                return TIMED_OUT;
            }, () -> Directives.handleExceptions(exceptions(), () -> Directives.handleRejections(rejections(), () ->
                    route)));
        });
    }

    /**
     * The server settings of a binding, with the server's own errors made problems too, and no warning that quotes
     * a malformed header a client sent (the header is ignored, as before). Set on the binding in code (through
     * {@code newServerAt(..).adaptSettings}), not through {@code pekko.http.server}: in a fat jar the merged
     * {@code reference.conf} files can silently replace a module's setting.
     */
    public static ServerSettings adapt(ServerSettings settings) {
        return settings.withParsingErrorHandler(ParsingProblems.class.getName())
                .withParserSettings(settings.getParserSettings().withIllegalHeaderWarnings(false));
    }

    static RejectionHandler rejections() {
        return RejectionHandler.newBuilder()
                .handleAll(MethodRejection.class, rejected -> {
                    // One rejection per operation declared on the path; two paths may declare the same method.
                    HttpHeader allow = Allow.create(rejected.stream().map(MethodRejection::supported).distinct()
                            .toArray(HttpMethod[]::new));
                    return Directives.extractRequestContext(context -> {
                        // No operation read it: a body sent with the wrong method must not hold the connection.
                        context.getRequest().discardEntityBytes(context.getMaterializer());
                        return Directives.complete(Problem.of(StatusCodes.METHOD_NOT_ALLOWED,
                                "this resource does not support that method").toResponse().addHeader(allow));
                    });
                })
                .handle(UnsupportedRequestContentTypeRejection.class, rejected -> Directives.complete(
                        Problem.of(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "supported content types: "
                                + StreamSupport.stream(rejected.getSupported().spliterator(), false)
                                .map(Object::toString).collect(Collectors.joining(", "))).toResponse()))
                .handle(MalformedRequestContentRejection.class, rejected -> Directives.complete(
                        Problem.of(StatusCodes.BAD_REQUEST, "the request body is not valid").toResponse()))
                .handleNotFound(Directives.complete(
                        Problem.of(StatusCodes.NOT_FOUND, "no such resource").toResponse()))
                .build()
                .withFallback(RejectionHandler.defaultHandler())
                .mapRejectionResponse(response -> response.entity().getContentType().equals(Problem.CONTENT_TYPE)
                        ? response
                        : Problem.of(response.status(), response.status().reason()).toResponse());
    }

    static ExceptionHandler exceptions() {
        // Inside the request's span, so the error line of a 500 carries the request's trace and span ids.
        return ExceptionHandler.newBuilder()
                .matchAny(failure -> Directives.extractRequest(request -> {
                    try (Trace.Scope scope = Traced.of(request).map(span -> span.trace().open()).orElse(null)) {
                        return Directives.complete(toResponse(failure));
                    }
                }))
                .build();
    }

    /**
     * The problem response for any failure of a route, thrown or as the failed result of a future: the one mapping
     * from what went wrong to what the caller is told. A refusal ({@link ProblemException}, such as the router's
     * {@code ApiException}) is answered as decided, a domain refusal ({@link Refused}) as {@link Refusals} words it;
     * a body over its limit is 413; anything else is a fault, a 500
     * that says nothing of the request, logged by exception type only (its message could quote input).
     */
    public static HttpResponse toResponse(Throwable failure) {
        Throwable cause = Failures.cause(failure);
        if (cause instanceof ProblemException refused) {
            return refused.toResponse();
        }
        if (cause instanceof Refused refused) {
            return Refusals.answer(refused.refusal()).toResponse();
        }
        if (cause instanceof EntityStreamSizeException) {
            return Problem.of(StatusCodes.PAYLOAD_TOO_LARGE, "the request body is larger than allowed").toResponse();
        }
        LOG.error("request failed with {}", cause.getClass().getName());
        return Problem.of(StatusCodes.INTERNAL_SERVER_ERROR, "the request could not be completed").toResponse();
    }
}
