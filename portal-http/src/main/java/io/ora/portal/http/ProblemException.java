package io.ora.portal.http;

import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * A failure that is an answer decided on purpose: the problem to send and the headers that go with it (a
 * {@code WWW-Authenticate} challenge, {@code Retry-After}). {@link ProblemHandling} answers it as it is; it never
 * carries request content, so it is safe to surface. No stack trace: it is a decision, not a fault.
 */
public class ProblemException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Problem problem;
    private final transient List<HttpHeader> headers;

    public ProblemException(Problem problem, List<HttpHeader> headers) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.headers = List.copyOf(headers);
    }

    public Problem problem() {
        return problem;
    }

    public List<HttpHeader> headers() {
        return headers;
    }

    /** The response this refusal is. */
    public HttpResponse toResponse() {
        return problem.toResponse().addHeaders(headers);
    }
}
