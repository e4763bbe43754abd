package io.ora.portal.api;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import tools.jackson.databind.JsonNode;

/**
 * A request that passed its endpoint's checks, with what the router already extracted: path and query parameters,
 * the caller, and the validated body.
 *
 * @param request   the HTTP request (headers; its entity has been consumed)
 * @param path      path parameters by template name
 * @param query     query parameters the endpoint accepts
 * @param principal the caller, absent only on public endpoints
 * @param json      the schema-valid JSON body, for JSON endpoints
 * @param bytes     the raw body, for byte endpoints
 */
public record Call(HttpRequest request, Map<String, String> path, Map<String, String> query,
                   Optional<Principal> principal, Optional<JsonNode> json, Optional<byte[]> bytes) {

    /**
     * The body of a streaming endpoint, as it arrives, and its declared length (checked against the endpoint's
     * limit, which the stream also enforces).
     */
    public Source<ByteString, Object> stream() {
        // The router checked the declared length against the endpoint's limit, and an entity never runs past it.
        return request.entity().withoutSizeLimit().getDataBytes();
    }

    /** The body's declared length, for streaming endpoints (always present there). */
    public long contentLength() {
        return request.entity().getContentLengthOption().orElse(-1);
    }

    /** The caller of an authenticated endpoint. */
    public Principal caller() {
        return principal.orElseThrow(() -> new IllegalStateException("public endpoint has no caller"));
    }

    /** A path parameter that must be a UUID. */
    public UUID uuid(String name) {
        return Ids.parse(name, path.get(name));
    }

    public JsonNode body() {
        return json.orElseThrow(() -> new IllegalStateException("endpoint takes no JSON body"));
    }

    /** The body bound to a record, after schema validation. */
    public <T> T body(Class<T> type) {
        return Json.bind(body(), type);
    }

    public Optional<String> header(String name) {
        return request.getHeader(name).map(header -> header.value());
    }

    public Optional<String> queryParam(String name) {
        return Optional.ofNullable(query.get(name));
    }
}
