package io.ora.device.https;

import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An RFC 9457 problem, as {@code application/problem+json}: every refusal on the device listener is one, whether the
 * listener gives it or a mounted route does. {@code detail} is written for the hub's developer and never echoes the
 * request body or the certificate back.
 *
 * @param type   a URI naming the problem type ({@code about:blank} when the status says it all)
 * @param title  a short summary of the type
 * @param status the HTTP status code
 * @param detail what went wrong with this request
 */
public record Problem(String type, String title, int status, String detail) {

    /** {@code application/problem+json}. */
    public static final ContentType.WithFixedCharset CONTENT_TYPE =
            MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8).toContentType();

    private static final String TYPES = "https://ora.io/problems/";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A problem whose type is the status itself. */
    public static Problem of(StatusCode status, String detail) {
        return new Problem("about:blank", status.reason(), status.intValue(), detail);
    }

    /** A problem of an Ora type, {@code https://ora.io/problems/<name>}. */
    public static Problem typed(String name, String title, StatusCode status, String detail) {
        return new Problem(TYPES + name, title, status.intValue(), detail);
    }

    /** The HTTP response carrying this problem. */
    public HttpResponse toResponse() {
        return HttpResponse.create().withStatus(status)
                .withEntity(HttpEntities.create(CONTENT_TYPE, JSON.writeValueAsBytes(this)));
    }
}
