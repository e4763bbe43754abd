package io.ora.portal.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.ETag;

/** Success responses: JSON bodies and the version headers optimistic concurrency relies on. */
public final class Responses {

    private Responses() {
    }

    public static HttpResponse json(StatusCode status, Object body) {
        return HttpResponse.create().withStatus(status)
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.write(body)));
    }

    public static HttpResponse ok(Object body) {
        return json(StatusCodes.OK, body);
    }

    /** A JSON response carrying the resource version as a strong ETag ({@code "<version>"}). */
    public static HttpResponse versioned(StatusCode status, Object body, int version) {
        return json(status, body).addHeader(ETag.create(EntityTag.create(Integer.toString(version), false)));
    }

    public static HttpResponse noContent() {
        return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
    }

    public static CompletionStage<HttpResponse> done(HttpResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
