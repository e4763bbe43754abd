package io.ora.portal.api;

import io.ora.portal.auth.Role;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * One operation of the portal API, declared in one place: its method and path, who may call it, which rate-limit
 * class it spends, what body and query it takes, and the code that answers it. The router enforces every part of
 * the declaration before the handler runs, and the tests enumerate these declarations to prove each role rule and
 * that each operation is in the OpenAPI document.
 *
 * @param operationId the OpenAPI operation id
 * @param method      the HTTP method
 * @param path        the path template, e.g. {@code /v1/projects/{projectId}}; parameters are whole segments
 * @param roles       who may call it; empty means anyone, without a token
 * @param rateClass   the {@code ora.portal.rate-limits.classes} entry it spends
 * @param body        what request body it takes
 * @param query       the query parameters it accepts; any other is refused
 * @param handler     the code that answers it, once everything above holds
 */
public record Endpoint(String operationId, HttpMethod method, String path, Set<Role> roles, String rateClass,
                       Body body, Set<String> query, Handler handler) {

    public Endpoint {
        Objects.requireNonNull(handler, "handler");
        roles = Set.copyOf(roles);
        query = Set.copyOf(query);
    }

    /** Answers a call that passed every check its endpoint declares. */
    @FunctionalInterface
    public interface Handler {
        CompletionStage<HttpResponse> handle(Call call);
    }

    /** What an operation reads from the request body. */
    public sealed interface Body {
        /** No body; one sent anyway is ignored. */
        record None() implements Body {
        }

        /** An {@code application/json} body checked against a schema of the OpenAPI document. */
        record Json(String schema, long maxBytes) implements Body {
        }

        /** Raw bytes of any content type, at most {@code maxBytes}; the handler checks what they are. */
        record Bytes(long maxBytes) implements Body {
        }

        /**
         * A body streamed to the handler as it arrives, never held whole: {@code Content-Length} is required and at
         * most {@code maxBytes}, and the stream fails past it. For uploads too large to buffer (firmware images).
         */
        record Stream(long maxBytes) implements Body {
        }
    }

    /** The rate class of an operation that spends no budget. */
    public static final String UNLIMITED = "unlimited";

    public boolean isPublic() {
        return roles.isEmpty();
    }

    /** Path segments of the template, e.g. {@code [v1, projects, {projectId}]}. */
    public List<String> segments() {
        return List.of(path.substring(1).split("/"));
    }

    public static Builder get(String operationId, String path) {
        return new Builder(operationId, HttpMethods.GET, path);
    }

    public static Builder post(String operationId, String path) {
        return new Builder(operationId, HttpMethods.POST, path);
    }

    public static Builder put(String operationId, String path) {
        return new Builder(operationId, HttpMethods.PUT, path);
    }

    public static Builder patch(String operationId, String path) {
        return new Builder(operationId, HttpMethods.PATCH, path);
    }

    public static Builder delete(String operationId, String path) {
        return new Builder(operationId, HttpMethods.DELETE, path);
    }

    /** Reads like the declaration it builds: {@code get(..).roles(..).rate("read").handle(this::read)}. */
    public static final class Builder {
        private final String operationId;
        private final HttpMethod method;
        private final String path;
        private Set<Role> roles = Set.of();
        private String rateClass = "read";
        private Body body = new Body.None();
        private Set<String> query = Set.of();

        private Builder(String operationId, HttpMethod method, String path) {
            this.operationId = operationId;
            this.method = method;
            this.path = path;
        }

        /** Who may call it; an operation open to anyone simply never calls this. */
        public Builder roles(Role... allowed) {
            if (allowed.length == 0) {
                throw new IllegalArgumentException(operationId + ": name at least one role");
            }
            this.roles = Set.of(allowed);
            return this;
        }

        /** Not rate limited at all: only for the health check, which load balancers poll and must not fail. */
        public Builder unlimited() {
            this.rateClass = UNLIMITED;
            return this;
        }

        public Builder rate(String rateClassName) {
            this.rateClass = rateClassName;
            return this;
        }

        public Builder json(String schema, long maxBytes) {
            this.body = new Body.Json(schema, maxBytes);
            return this;
        }

        public Builder bytes(long maxBytes) {
            this.body = new Body.Bytes(maxBytes);
            return this;
        }

        public Builder stream(long maxBytes) {
            this.body = new Body.Stream(maxBytes);
            return this;
        }

        public Builder query(String... names) {
            this.query = Set.of(names);
            return this;
        }

        public Endpoint handle(Handler handler) {
            return new Endpoint(operationId, method, path, roles, rateClass, body, query, handler);
        }
    }
}
