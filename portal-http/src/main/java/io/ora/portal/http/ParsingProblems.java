package io.ora.portal.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * What the HTTP server answers for a request it refuses before any route sees it (a malformed request line,
 * header or {@code Content-Length}, a URI or head over the parser's limits, an unknown method or HTTP version, and
 * a body over the server's maximum should a route leave that to the server): the same RFC 9457 problem as every
 * other error. Pekko HTTP instantiates it by class name (public, no-argument constructor), as
 * {@link ProblemHandling#adapt} names it.
 *
 * <p>The {@link ErrorInfo} is never used: it quotes the request (the URI, a header), and the detail must not echo
 * request content. Logged at debug by status only, so a client cannot write log lines of its choosing.
 */
public final class ParsingProblems extends ParsingErrorHandler {

    @Override
    public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
        log.debug("refused a request the server could not take, with {}", status.intValue());
        return Problem.of(status, detail(status.intValue())).toResponse();
    }

    private static String detail(int status) {
        return switch (status) {
            case 400 -> "the request is not well-formed HTTP";
            case 413 -> "the request body is larger than allowed";
            case 414 -> "the request URI is longer than allowed";
            case 417 -> "the only expectation supported is 100-continue";
            case 431 -> "the request headers are larger than allowed";
            case 501 -> "the request uses a method or transfer coding this server does not implement";
            case 505 -> "the request uses an HTTP version this server does not support";
            default -> "the request was refused before it could be handled";
        };
    }
}
