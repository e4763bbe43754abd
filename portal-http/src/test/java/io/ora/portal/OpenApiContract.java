package io.ora.portal;

import io.ora.portal.api.Json;
import io.ora.portal.api.Schemas;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Checks real responses against the OpenAPI document: the operation exists, the status is one it declares, errors
 * are problem documents, and a JSON body validates against the declared schema.
 */
public final class OpenApiContract {

    /**
     * What the HTTP server itself may answer before any route sees the request (docs/portal.md, "Errors"): on any
     * path, even one no operation has (a request the parser refuses as 400 was refused before its path meant
     * anything), and still problems.
     */
    private static final Set<Integer> SERVER_LAYER = Set.of(400, 414, 417, 431, 501, 505);

    private static final JsonNode DOCUMENT = load();
    private static final Schemas SCHEMAS = Schemas.load();

    private OpenApiContract() {
    }

    static JsonNode document() {
        return DOCUMENT;
    }

    /** The document's path template matching {@code path}, e.g. {@code /v1/projects/{projectId}}. */
    static Optional<String> template(String path) {
        String[] actual = path.split("/", -1);
        Iterator<Map.Entry<String, JsonNode>> paths = DOCUMENT.get("paths").properties().iterator();
        while (paths.hasNext()) {
            String template = paths.next().getKey();
            String[] expected = template.split("/", -1);
            if (expected.length != actual.length) {
                continue;
            }
            boolean matches = true;
            for (int i = 0; i < expected.length && matches; i++) {
                matches = expected[i].startsWith("{") ? !actual[i].isEmpty() : expected[i].equals(actual[i]);
            }
            if (matches) {
                return Optional.of(template);
            }
        }
        return Optional.empty();
    }

    static void check(String method, String path, ApiClient.Response response) {
        if (path.startsWith("/dev-oidc/")) {
            // The development issuer is an OIDC server beside the API, documented in docs/portal.md, not part of it.
            return;
        }
        int status = response.status();
        if (status >= 400 && !response.contentType().startsWith("application/problem+json")) {
            throw new AssertionError(method + " " + path + " answered " + status + " without a problem document");
        }
        Optional<String> template = template(path);
        if (template.isEmpty() || DOCUMENT.get("paths").get(template.get()).get(method.toLowerCase()) == null) {
            if (status == 404 || status == 405 || SERVER_LAYER.contains(status)) {
                return;
            }
            throw new AssertionError(method + " " + path + " answered " + status + " but is not in the document");
        }
        JsonNode operation = DOCUMENT.get("paths").get(template.get()).get(method.toLowerCase());
        JsonNode declared = operation.get("responses").get(Integer.toString(status));
        if (declared == null && SERVER_LAYER.contains(status)) {
            return;
        }
        if (declared == null) {
            throw new AssertionError(operation.get("operationId").asString() + " answered " + status
                    + ", which the document does not declare");
        }
        JsonNode resolved = resolve(declared);
        JsonNode content = resolved.get("content");
        if (content == null) {
            if (response.body().length > 0) {
                throw new AssertionError(operation.get("operationId").asString() + " " + status
                        + " has a body the document does not declare");
            }
            return;
        }
        String mediaType = response.contentType().split(";")[0].trim();
        JsonNode media = content.get(mediaType);
        if (media == null) {
            throw new AssertionError(operation.get("operationId").asString() + " " + status + " answered "
                    + mediaType + ", declared " + content.propertyNames());
        }
        JsonNode schemaRef = media.get("schema").get("$ref");
        if (schemaRef != null && mediaType.endsWith("json")) {
            String name = schemaRef.asString().substring("#/components/schemas/".length());
            List<String> violations = SCHEMAS.violations(name, Json.mapper().readTree(response.body()));
            if (!violations.isEmpty()) {
                throw new AssertionError(operation.get("operationId").asString() + " " + status
                        + " does not match " + name + ": " + violations);
            }
        }
    }

    private static JsonNode resolve(JsonNode node) {
        JsonNode ref = node.get("$ref");
        if (ref == null) {
            return node;
        }
        JsonNode target = DOCUMENT;
        for (String part : ref.asString().substring(2).split("/")) {
            target = target.get(part);
        }
        return resolve(target);
    }

    private static JsonNode load() {
        try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream(Schemas.DOCUMENT)) {
            return Json.mapper().readTree(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
