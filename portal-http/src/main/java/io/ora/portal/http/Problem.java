package io.ora.portal.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An RFC 9457 problem: every error the portal answers is one of these, as {@code application/problem+json}.
 * {@code detail} is written for the caller and never echoes request content back.
 *
 * @param type   a URI naming the problem type ({@code about:blank} when the status says it all)
 * @param title  a short, human-readable summary of the type
 * @param status the HTTP status code
 * @param detail what went wrong with this request
 * @param errors for a request body that failed validation, where and why (JSON pointer, rule); absent otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<String> errors) {

    /** {@code application/problem+json}. */
    public static final ContentType.WithFixedCharset CONTENT_TYPE =
            MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8).toContentType();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A problem whose type is the status itself. */
    public static Problem of(StatusCode status, String detail) {
        return new Problem("about:blank", status.reason(), status.intValue(), detail, null);
    }

    /** A problem of a named kind ({@code https://ora.io/problems/<name>}), for what a caller can act on. */
    public static Problem typed(String name, StatusCode status, String detail) {
        return new Problem("https://ora.io/problems/" + name, status.reason(), status.intValue(), detail, null);
    }

    /** A validation problem listing each rule the input broke. */
    public static Problem invalid(StatusCode status, String detail, List<String> errors) {
        return new Problem("about:blank", status.reason(), status.intValue(), detail, List.copyOf(errors));
    }

    /** The HTTP response carrying this problem. */
    public HttpResponse toResponse() {
        return HttpResponse.create().withStatus(status)
                .withEntity(HttpEntities.create(CONTENT_TYPE, JSON.writeValueAsBytes(this)));
    }
}
