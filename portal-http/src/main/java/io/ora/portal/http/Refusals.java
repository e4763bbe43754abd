package io.ora.portal.http;

import io.ora.portal.refusal.Refusal;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;

/**
 * The one place where a domain {@link Refusal} becomes what the caller sees: its RFC 9457 problem and the headers
 * that go with it. The domain says what happened; the status, the wording in HTTP's terms (an ETag, a header to
 * send) and headers such as {@code Retry-After} are chosen here and nowhere else.
 */
public final class Refusals {

    private Refusals() {
    }

    /** A refusal as it goes on the wire. */
    public record Answer(Problem problem, List<HttpHeader> headers) {
        public Answer {
            headers = List.copyOf(headers);
        }

        public HttpResponse toResponse() {
            return problem.toResponse().addHeaders(headers);
        }
    }

    /** The problem (and headers) that answer {@code refusal}. */
    public static Answer answer(Refusal refusal) {
        if (refusal instanceof Refusal.NotFound notFound) {
            // 404 alike for what is absent and what the caller may not know exists.
            return plain(Problem.of(StatusCodes.NOT_FOUND, "no such " + notFound.what()));
        } else if (refusal instanceof Refusal.Unacceptable unacceptable) {
            return plain(Problem.typed(unacceptable.kind(), StatusCodes.UNPROCESSABLE_CONTENT, unacceptable.reason()));
        } else if (refusal instanceof Refusal.Conflict conflict) {
            return plain(Problem.of(StatusCodes.CONFLICT, conflict.reason()));
        } else if (refusal instanceof Refusal.Forbidden forbidden) {
            return plain(Problem.of(StatusCodes.FORBIDDEN, forbidden.reason()));
        } else if (refusal instanceof Refusal.Invalid invalid) {
            return plain(Problem.of(StatusCodes.BAD_REQUEST, invalid.reason()));
        } else if (refusal instanceof Refusal.Expired expired) {
            return plain(Problem.of(StatusCodes.GONE, expired.reason()));
        } else if (refusal instanceof Refusal.LockedOut lockedOut) {
            return new Answer(Problem.of(StatusCodes.TOO_MANY_REQUESTS, lockedOut.reason()),
                    List.of(RetryAfter.create(lockedOut.retryAfter().toSeconds())));
        } else if (refusal instanceof Refusal.Stale stale) {
            return plain(Problem.of(StatusCodes.PRECONDITION_FAILED, stale.current() == 0
                    ? "it does not exist yet: create it with If-None-Match: *"
                    : "it has changed since you read it (current ETag \"" + stale.current() + "\")"));
        }
        // Unreachable while Refusal is sealed and every permitted type has its branch (RefusalsTest proves both).
        throw new IllegalArgumentException("no answer for " + refusal.getClass().getName());
    }

    private static Answer plain(Problem problem) {
        return new Answer(problem, List.of());
    }
}
