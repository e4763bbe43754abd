package io.ora.portal;

import io.ora.portal.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * A plain JDK HTTP client for portal tests. Every response it receives is checked against the OpenAPI document
 * ({@link OpenApiContract}): the status must be declared for the operation and a JSON body must validate against
 * the declared schema, so every test doubles as a contract test.
 */
public final class ApiClient {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;

    ApiClient(int port) {
        this.port = port;
    }

    /** A response, with helpers to read it. */
    public record Response(int status, java.net.http.HttpHeaders headers, byte[] body) {
        public JsonNode json() {
            return Json.mapper().readTree(body);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        public String contentType() {
            return header("Content-Type").orElse("");
        }
    }

    public Response get(String path, String token) {
        return send("GET", path, token, null, null, Map.of());
    }

    public Response delete(String path, String token) {
        return send("DELETE", path, token, null, null, Map.of());
    }

    public Response post(String path, String token, Object json) {
        return sendJson("POST", path, token, json, Map.of());
    }

    public Response put(String path, String token, Object json, Map<String, String> headers) {
        return sendJson("PUT", path, token, json, headers);
    }

    public Response patch(String path, String token, Object json, Map<String, String> headers) {
        return sendJson("PATCH", path, token, json, headers);
    }

    public Response sendJson(String method, String path, String token, Object json, Map<String, String> headers) {
        byte[] body = json instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : Json.write(json);
        return send(method, path, token, "application/json", body, headers);
    }

    /** Any request; {@code token}, {@code contentType} and {@code body} may be null. */
    public Response send(String method, String path, String token, String contentType, byte[] body,
                         Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            Response answer = new Response(response.statusCode(), response.headers(), response.body());
            OpenApiContract.check(method, URI.create(path).getRawPath(), answer);
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
