package io.ora.portal.api;

import io.ora.portal.http.Problem;
import io.ora.portal.http.Refusals;
import io.ora.portal.refusal.Refusal;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * A request the portal refuses, carrying the problem it answers with. Thrown by handlers and the request pipeline
 * and turned into a response in one place ({@link Router}); it never carries request content, so it is safe to
 * surface as is. No stack trace: it is a decision, not a fault.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Problem problem;
    private final transient List<HttpHeader> headers;

    public ApiException(Problem problem, List<HttpHeader> headers) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.headers = List.copyOf(headers);
    }

    public static ApiException of(StatusCode status, String detail) {
        return new ApiException(Problem.of(status, detail), List.of());
    }

    /** The answer to a domain refusal, as {@link Refusals} words it. */
    public static ApiException of(Refusal refusal) {
        Refusals.Answer answer = Refusals.answer(refusal);
        return new ApiException(answer.problem(), answer.headers());
    }

    public static ApiException badRequest(String detail) {
        return of(StatusCodes.BAD_REQUEST, detail);
    }

    /** 404 for a resource that does not exist or that the caller may not know exists (OWASP API1). */
    public static ApiException notFound(String what) {
        return of(StatusCodes.NOT_FOUND, "no such " + what);
    }

    public static ApiException conflict(String detail) {
        return of(StatusCodes.CONFLICT, detail);
    }

    public static ApiException forbidden(String detail) {
        return of(StatusCodes.FORBIDDEN, detail);
    }

    public Problem problem() {
        return problem;
    }

    public List<HttpHeader> headers() {
        return headers;
    }
}
