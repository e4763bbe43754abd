package io.ora.portal.api;

import io.ora.core.trace.RequestSpan;
import io.ora.core.trace.Trace;
import io.ora.portal.auth.Caller;
import io.ora.portal.auth.Role;
import io.ora.portal.http.Problem;
import io.ora.portal.http.ProblemHandling;
import io.ora.portal.http.Traced;
import io.ora.portal.limits.ClientAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import tools.jackson.databind.JsonNode;

/**
 * Serves a table of {@link Endpoint}s by compiling each entry into Pekko HTTP directives: its template becomes a
 * chain of {@code pathPrefix} matchers (a {@code {name}} segment is a {@code segment()} extraction) ending in
 * {@code pathEnd} and the entry's {@code method}, and the entries are alternatives in table order, so the first
 * entry whose path and method match answers. Matching is therefore the library's: no path matched is an empty
 * rejection (404), a matched path with another method a {@code MethodRejection} per entry on it (405 with
 * {@code Allow}), both turned into problems by {@link ProblemHandling}, like every failure below.
 *
 * <p>Once an entry matched, in this order: refuse query parameters it does not take; authenticate the bearer token
 * (401); spend the rate-limit budget (429); check the role (403); resolve the caller's portal identity; read and
 * validate the body (415, 413, 400); then run the handler. A refusal on the way fails the response with an
 * {@link ApiException}, which {@link ProblemHandling} answers; a wrong method is therefore 405 before any 401.
 */
public final class Router {

    private static final int MAX_QUERY_VALUE = 512;
    private static final String REALM = "ora";

    private final List<Endpoint> endpoints;
    private final Gate gate;
    private final Schemas schemas;
    private final ClassicActorSystemProvider system;
    private final Duration bodyTimeout;
    private final boolean trustForwardedFor;
    private final Route route;

    public Router(List<Endpoint> endpoints, Gate gate, Schemas schemas, ClassicActorSystemProvider system,
                  Duration bodyTimeout, boolean trustForwardedFor) {
        this.endpoints = List.copyOf(endpoints);
        this.gate = gate;
        this.schemas = schemas;
        this.system = system;
        this.bodyTimeout = bodyTimeout;
        this.trustForwardedFor = trustForwardedFor;
        List<Route> compiled = this.endpoints.stream().map(this::compile).toList();
        this.route = compiled.isEmpty() ? Directives.reject()
                : Directives.concat(compiled.get(0), compiled.subList(1, compiled.size()).toArray(Route[]::new));
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** The compiled table; its rejections and failures are answered by {@link ProblemHandling#wrap} around it. */
    public Route route() {
        return route;
    }

    /** One entry as directives: {@code /v1/projects/{projectId}} is {@code v1 / projects / segment() / end}. */
    private Route compile(Endpoint endpoint) {
        List<String> segments = endpoint.segments();
        List<String> names = new ArrayList<>();
        for (String segment : segments) {
            if (segment.isEmpty()) {
                // pathPrefix("") matches anything: such a template would shadow every entry after it.
                throw new IllegalArgumentException(endpoint.operationId() + ": empty segment in " + endpoint.path());
            }
            parameter(segment).ifPresent(names::add);
        }
        return match(endpoint, segments, List.copyOf(names), 0, List.of());
    }

    /** The parameter name of a template segment ({@code {projectId}}), or empty for a literal one. */
    private static Optional<String> parameter(String segment) {
        return segment.startsWith("{") ? Optional.of(segment.substring(1, segment.length() - 1)) : Optional.empty();
    }

    /**
     * Segments {@code next..} of {@code endpoint}'s template ({@code segments}), with the {@code values} extracted so
     * far. A segment matcher consumes the slash before it; a literal is a whole segment because what follows must be
     * a slash or the end. The inner routes are built once their prefix matched, per request, as any extraction's.
     */
    private Route match(Endpoint endpoint, List<String> segments, List<String> names, int next,
                        List<String> values) {
        if (next == segments.size()) {
            return Directives.pathEnd(() -> Directives.method(endpoint.method(), () ->
                    serve(endpoint, names, values)));
        }
        String segment = segments.get(next);
        if (parameter(segment).isPresent()) {
            return Directives.pathPrefix(PathMatchers.segment(), value -> {
                List<String> extracted = new ArrayList<>(values);
                extracted.add(value);
                return match(endpoint, segments, names, next + 1, extracted);
            });
        }
        return Directives.pathPrefix(segment, () -> match(endpoint, segments, names, next + 1, values));
    }

    private Route serve(Endpoint endpoint, List<String> names, List<String> values) {
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            params.put(names.get(i), values.get(i));
        }
        return Directives.extractRequest(request -> Directives.completeWithFuture(
                dispatch(endpoint, params, request)));
    }

    private CompletionStage<HttpResponse> dispatch(Endpoint endpoint, Map<String, String> params,
                                                   HttpRequest request) {
        if (endpoint.body() instanceof Endpoint.Body.None) {
            // Read nothing, answer whatever: a body sent anyway must not hold the connection.
            request.discardEntityBytes(system);
        }
        Optional<RequestSpan> span = Traced.of(request);
        span.ifPresent(traced -> traced.route(endpoint.path()));
        try (Trace.Scope scope = open(span)) {
            return answer(endpoint, params, request, span);
        }
    }

    /** Makes the request's span current on this thread, if it has one (a null scope is no scope to close). */
    private static Trace.Scope open(Optional<RequestSpan> span) {
        return span.map(traced -> traced.trace().open()).orElse(null);
    }

    private CompletionStage<HttpResponse> answer(Endpoint endpoint, Map<String, String> params, HttpRequest request,
                                                 Optional<RequestSpan> span) {
        CompletionStage<HttpResponse> answer;
        try {
            Map<String, String> query = query(endpoint, request);
            String clientIp = clientIp(request);
            CompletionStage<Optional<Principal>> principal = endpoint.isPublic()
                    ? admit(endpoint, Optional.empty(), clientIp).thenApply(admitted -> Optional.empty())
                    : gate.authenticate(bearer(request))
                            .thenCompose(caller -> admit(endpoint, Optional.of(caller.subject()), clientIp)
                                    .thenApply(admitted -> authorise(endpoint, caller)))
                            .thenCompose(gate::resolve)
                            .thenApply(Optional::of);
            // The handler runs inside the request's span wherever the stages before it completed: its own spans
            // (a handover's transition) are the request's children, and its log lines carry the request's ids.
            answer = principal.thenCompose(who -> readBody(endpoint, request).thenCompose(body -> {
                try (Trace.Scope scope = open(span)) {
                    return endpoint.handler().handle(new Call(request, params, query, who,
                            body.json(), body.bytes()));
                }
            }));
        } catch (ApiException refused) {
            answer = CompletableFuture.failedFuture(refused);
        }
        return answer;
    }

    /**
     * Wraps a route that is not an {@link Endpoint} (the development issuer) so it spends {@code rateClass} by client
     * address like every public operation; a refusal fails the route, for {@link ProblemHandling} to answer.
     */
    public Route limited(String rateClass, Route route) {
        return Directives.extractRequest(request -> Directives.onSuccess(
                admit(rateClass, Optional.empty(), clientIp(request)), admitted -> route));
    }

    private CompletionStage<Void> admit(Endpoint endpoint, Optional<String> subject, String clientIp) {
        return admit(endpoint.rateClass(), subject, clientIp);
    }

    private CompletionStage<Void> admit(String rateClass, Optional<String> subject, String clientIp) {
        return rateClass.equals(Endpoint.UNLIMITED) ? CompletableFuture.completedFuture(null)
                : gate.admit(rateClass, subject, clientIp);
    }

    private static Caller authorise(Endpoint endpoint, Caller caller) {
        for (Role role : endpoint.roles()) {
            if (caller.roles().contains(role)) {
                return caller;
            }
        }
        throw ApiException.forbidden("this operation is for " + endpoint.roles().stream().map(Role::wireName)
                .sorted().collect(Collectors.joining(" or ")));
    }

    private static String bearer(HttpRequest request) {
        Optional<String> header = request.getHeader("Authorization").map(h -> h.value());
        if (header.isEmpty()) {
            throw unauthorised(Optional.empty(), "a bearer token is required");
        }
        String value = header.get();
        if (value.length() < 8 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorised(Optional.of("invalid_request"), "the Authorization header must be a bearer token");
        }
        return value.substring(7).trim();
    }

    /** A 401 with the RFC 6750 challenge; {@code error} is absent when no credentials were sent at all. */
    public static ApiException unauthorised(Optional<String> error, String detail) {
        Map<String, String> params = new LinkedHashMap<>();
        error.ifPresent(code -> params.put("error", code));
        return unauthorised(params, detail);
    }

    /**
     * A 401 whose {@code WWW-Authenticate: Bearer} challenge carries {@code params} in order, each value quoted as
     * RFC 6750's examples are (some clients accept nothing else). Values are fixed strings of ours, never input.
     */
    public static ApiException unauthorised(Map<String, String> params, String detail) {
        StringBuilder challenge = new StringBuilder("Bearer realm=\"").append(REALM).append('"');
        params.forEach((name, value) -> challenge.append(", ").append(name).append("=\"").append(value).append('"'));
        return new ApiException(Problem.of(StatusCodes.UNAUTHORIZED, detail),
                List.of(RawHeader.create("WWW-Authenticate", challenge.toString())));
    }

    private static Map<String, String> query(Endpoint endpoint, HttpRequest request) {
        Map<String, List<String>> given = request.getUri().query().toMultiMap();
        Map<String, String> accepted = new HashMap<>();
        for (Map.Entry<String, List<String>> parameter : given.entrySet()) {
            String name = parameter.getKey();
            if (!endpoint.query().contains(name)) {
                throw ApiException.badRequest("unknown query parameter (accepted: "
                        + String.join(", ", endpoint.query().stream().sorted().toList()) + ")");
            }
            if (parameter.getValue().size() != 1) {
                throw ApiException.badRequest("query parameter " + name + " must appear once");
            }
            String value = parameter.getValue().get(0);
            if (value.length() > MAX_QUERY_VALUE) {
                throw ApiException.badRequest("query parameter " + name + " is too long");
            }
            accepted.put(name, value);
        }
        return accepted;
    }

    /**
     * The address per-address rate limits key on (docs/portal.md, "Rate limits"): the TCP peer, or behind a trusted
     * load balancer the last {@code X-Forwarded-For} entry. A client may send X-Forwarded-For headers of its own, as
     * many as it likes; the load balancer appends the peer it saw to the end, so only the very last entry over all
     * of them is not the client's choice. If that is not an address, the peer is used.
     */
    private String clientIp(HttpRequest request) {
        Optional<String> peer = request.getAttribute(AttributeKeys.remoteAddress)
                .flatMap(RemoteAddress::getAddress)
                .map(address -> address.getHostAddress());
        if (trustForwardedFor) {
            String last = "";
            for (HttpHeader header : request.getHeaders()) {
                if (header.is("x-forwarded-for")) {
                    String[] hops = header.value().split(",", -1);
                    last = hops[hops.length - 1];
                }
            }
            Optional<String> forwarded = ClientAddress.parse(last).map(address -> address.getHostAddress());
            if (forwarded.isPresent()) {
                return forwarded.get();
            }
        }
        // No peer address means a listener without the attribute, which the portal's binding always sets.
        return peer.orElseThrow(() -> new IllegalStateException("the portal's listener gives no peer address"));
    }

    private record Body(Optional<JsonNode> json, Optional<byte[]> bytes) {
        static final Body NONE = new Body(Optional.empty(), Optional.empty());
    }

    private CompletionStage<Body> readBody(Endpoint endpoint, HttpRequest request) {
        if (endpoint.body() instanceof Endpoint.Body.Json json) {
            if (!request.entity().getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
                throw ApiException.of(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "supported content types: "
                        + MediaTypes.APPLICATION_JSON);
            }
            return strict(request, json.maxBytes()).thenApply(bytes -> {
                JsonNode node = Json.parse(bytes);
                List<String> violations = schemas.violations(json.schema(), node);
                if (!violations.isEmpty()) {
                    throw new ApiException(Problem.invalid(StatusCodes.BAD_REQUEST,
                            "the request body does not match the " + json.schema() + " schema", violations), List.of());
                }
                return new Body(Optional.of(node), Optional.empty());
            });
        }
        if (endpoint.body() instanceof Endpoint.Body.Bytes raw) {
            return strict(request, raw.maxBytes()).thenApply(bytes -> new Body(Optional.empty(), Optional.of(bytes)));
        }
        if (endpoint.body() instanceof Endpoint.Body.Stream stream) {
            // The handler streams the entity itself; only its declared length is checked here, before any byte.
            if (request.entity().getContentLengthOption().isEmpty()) {
                throw ApiException.of(StatusCodes.LENGTH_REQUIRED, "this upload needs a Content-Length");
            }
            if (request.entity().getContentLengthOption().getAsLong() > stream.maxBytes()) {
                throw ApiException.of(StatusCodes.PAYLOAD_TOO_LARGE, "the request body is larger than "
                        + stream.maxBytes() + " bytes");
            }
        }
        return CompletableFuture.completedFuture(Body.NONE);
    }

    private CompletionStage<byte[]> strict(HttpRequest request, long maxBytes) {
        if (request.entity().getContentLengthOption().orElse(0) > maxBytes) {
            throw ApiException.of(StatusCodes.PAYLOAD_TOO_LARGE, "the request body is larger than " + maxBytes
                    + " bytes");
        }
        return request.entity().withSizeLimit(maxBytes)
                .toStrict(bodyTimeout.toMillis(), maxBytes, system)
                .thenApply(entity -> entity.getData().toArrayUnsafe());
    }
}
