package io.ora.portal.api;

import io.ora.portal.http.Problem;
import io.ora.portal.http.ProblemException;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * A request the portal refuses, carrying the problem it answers with. Thrown by handlers and the request pipeline
 * and turned into a response in one place ({@link io.ora.portal.http.ProblemHandling}); it never carries request
 * content, so it is safe to surface as is. No stack trace: it is a decision, not a fault.
 */
public final class ApiException extends ProblemException {

    private static final long serialVersionUID = 1L;

    public ApiException(Problem problem, List<HttpHeader> headers) {
        super(problem, headers);
    }

    public static ApiException of(StatusCode status, String detail) {
        return new ApiException(Problem.of(status, detail), List.of());
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
}
