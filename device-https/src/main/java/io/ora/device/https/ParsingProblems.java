package io.ora.device.https;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * What the device listener answers for a request its HTTP server refuses before any mounted route sees it (a
 * malformed request line or header, a URI or head over the parser's limits, an unknown method or HTTP version): a
 * {@link Problem} like every other refusal of the listener. Pekko HTTP creates it by class name (public, no-argument
 * constructor), as {@link #adapt} names it.
 *
 * <p>The {@link ErrorInfo} is never used: it quotes the request, and nothing from a request is echoed or logged.
 * Logged at debug by status only.
 */
public final class ParsingProblems extends ParsingErrorHandler {

    @Override
    public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
        log.debug("refused a request the server could not take, with {}", status.intValue());
        return Problem.of(status, "the request was refused before it reached an endpoint ("
                + status.reason() + ")").toResponse();
    }

    /**
     * The listener's server settings with this handler, and no warning that quotes a malformed header (the header is
     * ignored, as before). Set on the binding in code: in the node's fat jar the merged {@code reference.conf} files
     * can silently replace a {@code pekko.http.server} setting of this module.
     */
    static org.apache.pekko.http.javadsl.settings.ServerSettings adapt(
            org.apache.pekko.http.javadsl.settings.ServerSettings settings) {
        return settings.withParsingErrorHandler(ParsingProblems.class.getName())
                .withParserSettings(settings.getParserSettings().withIllegalHeaderWarnings(false));
    }
}
