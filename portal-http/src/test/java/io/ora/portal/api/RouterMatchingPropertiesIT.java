package io.ora.portal.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.ora.portal.auth.Caller;
import io.ora.portal.auth.Role;
import io.ora.portal.http.ProblemHandling;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.server.Directives;

/**
 * The endpoint table compiled into directives, checked against the hand matcher it replaced, restated here as the
 * model: a request's path, split on every slash, matches a template of as many segments whose literals are equal
 * and whose parameters are not empty; the first entry in table order whose path and method match answers, with
 * its parameters by name; if only other methods match, 405 with {@code Allow} naming exactly those; else 404.
 * Random tables (literals that are prefixes of one another, parameters named alike and differently, repeated
 * templates) against random requests (concrete paths of the table, empty segments, trailing slashes), over HTTP.
 */
class RouterMatchingPropertiesIT {

    private static final List<String> METHODS = List.of("GET", "POST", "DELETE", "PUT");
    /** Literals that are prefixes of each other, so a literal matched as a string prefix would show. */
    private static final List<String> LITERALS = List.of("a", "b", "ab");

    static ActorSystem<Void> system;
    static ServerBinding binding;
    static final AtomicReference<org.apache.pekko.http.javadsl.server.Route> ROUTES =
            new AtomicReference<>(Directives.reject());
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeContainer
    static void bind() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "router-matching-test", ConfigFactory.parseMap(Map.of(
                "pekko.loglevel", "WARNING")).withFallback(ConfigFactory.load()));
        binding = Http.get(system).newServerAt("127.0.0.1", 0)
                .adaptSettings(settings -> ProblemHandling.adapt(settings).withRemoteAddressAttribute(true))
                .bind(ProblemHandling.wrap(Directives.extractRequestContext(context -> ROUTES.get())))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterContainer
    static void stop() {
        binding.unbind();
        system.terminate();
    }

    /** One table entry: a method and a template's segments ({@code {p}} a parameter). */
    record Entry(String method, List<String> template) {
        String path() {
            return "/" + String.join("/", template);
        }
    }

    record Case(List<Entry> table, String method, String path) {
    }

    @Property(tries = 300)
    void theFirstEntryWhosePathAndMethodMatchAnswersOtherwise405NamingTheMethodsOtherwise404(
            @ForAll("cases") Case probe) throws Exception {
        ROUTES.set(router(probe.table(), false).route());
        HttpResponse<String> response = send(probe.method(), probe.path(), Optional.empty());
        List<String> segments = probe.path().equals("/") ? List.of()
                : Arrays.asList(probe.path().substring(1).split("/", -1));
        List<Entry> table = probe.table();
        Set<String> allowed = new LinkedHashSet<>();
        for (int i = 0; i < table.size(); i++) {
            Optional<Map<String, String>> params = match(table.get(i).template(), segments);
            if (params.isPresent() && table.get(i).method().equals(probe.method())) {
                assertThat(response.statusCode()).as(probe.toString()).isEqualTo(200);
                assertThat(response.body()).as(probe.toString()).isEqualTo(answer(i, params.get()));
                return;
            }
            if (params.isPresent()) {
                allowed.add(table.get(i).method());
            }
        }
        if (allowed.isEmpty()) {
            assertThat(response.statusCode()).as(probe.toString()).isEqualTo(404);
        } else {
            assertThat(response.statusCode()).as(probe.toString()).isEqualTo(405);
            assertThat(Set.of(response.headers().firstValue("Allow").orElseThrow().split(", ")))
                    .as(probe.toString()).isEqualTo(allowed);
        }
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
    }

    /** A path with another method is 405 before the missing token is 401: the resource does not take it at all. */
    @Example
    void aWrongMethodIs405EvenWithoutTheTokenTheRightOneWouldNeed() throws Exception {
        ROUTES.set(router(List.of(new Entry("GET", List.of("a", "{p}"))), true).route());
        HttpResponse<String> wrong = send("DELETE", "/a/1", Optional.empty());
        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(wrong.headers().firstValue("Allow")).hasValue("GET");
        HttpResponse<String> right = send("GET", "/a/1", Optional.empty());
        assertThat(right.statusCode()).isEqualTo(401);
        assertThat(right.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"ora\"");
        assertThat(send("GET", "/a/1/", Optional.empty()).statusCode()).isEqualTo(404);
    }

    /** Parameter values arrive decoded, as the hand matcher decoded them ({@code +} stays a plus). */
    @Example
    void parameterValuesArriveDecoded() throws Exception {
        ROUTES.set(router(List.of(new Entry("GET", List.of("a", "{p}"))), false).route());
        assertThat(send("GET", "/a/x%20y+z%2Fw", Optional.empty()).body()).isEqualTo(answer(0, Map.of("p",
                "x y+z/w")));
    }

    private static String answer(int index, Map<String, String> params) {
        return "op" + index + " " + new TreeMap<>(params);
    }

    private static HttpResponse<String> send(String method, String path, Optional<String> token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + binding.localAddress().getPort() + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The hand matcher the directives replaced, as it was. */
    private static Optional<Map<String, String>> match(List<String> template, List<String> segments) {
        if (template.size() != segments.size()) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.size(); i++) {
            String expected = template.get(i);
            String actual = segments.get(i);
            if (expected.startsWith("{")) {
                if (actual.isEmpty()) {
                    return Optional.empty();
                }
                params.put(expected.substring(1, expected.length() - 1), actual);
            } else if (!expected.equals(actual)) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    /** Public, unlimited entries answering their index and parameters; or each for electricians only. */
    private static Router router(List<Entry> table, boolean protectedOnly) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < table.size(); i++) {
            int index = i;
            Entry entry = table.get(i);
            Endpoint.Builder builder = switch (entry.method()) {
                case "GET" -> Endpoint.get("op" + i, entry.path());
                case "POST" -> Endpoint.post("op" + i, entry.path());
                case "PUT" -> Endpoint.put("op" + i, entry.path());
                default -> Endpoint.delete("op" + i, entry.path());
            };
            builder = protectedOnly ? builder.roles(Role.ELECTRICIAN) : builder.unlimited();
            endpoints.add(builder.handle(call -> CompletableFuture.completedFuture(
                    org.apache.pekko.http.javadsl.model.HttpResponse.create().withEntity(HttpEntities.create(
                            ContentTypes.TEXT_PLAIN_UTF8, answer(index, call.path()))))));
        }
        return new Router(endpoints, new RefusingGate(), null, system, Duration.ofSeconds(5), false);
    }

    /** No case here reaches the gate: entries are public and unlimited, or refused for want of a token first. */
    private static final class RefusingGate implements Gate {
        @Override
        public CompletionStage<Caller> authenticate(String bearerToken) {
            return CompletableFuture.failedFuture(new IllegalStateException("not in this test"));
        }

        @Override
        public CompletionStage<Void> admit(String rateClass, Optional<String> subject, String clientIp) {
            return CompletableFuture.failedFuture(new IllegalStateException("not in this test"));
        }

        @Override
        public CompletionStage<Principal> resolve(Caller caller) {
            return CompletableFuture.failedFuture(new IllegalStateException("not in this test"));
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<String> segment = Arbitraries.oneOf(Arbitraries.of(LITERALS), Arbitraries.of("{p}", "{q}"));
        Arbitrary<Entry> entry = Arbitraries.of(METHODS).flatMap(method -> segment.list().ofMinSize(1).ofMaxSize(3)
                .map(template -> new Entry(method, template)));
        return entry.list().ofMinSize(1).ofMaxSize(6).flatMap(table -> {
            Arbitrary<List<String>> concrete = Arbitraries.of(table).flatMap(chosen -> concrete(chosen.template()));
            Arbitrary<List<String>> random = Arbitraries.of("a", "b", "ab", "x", "").list().ofMaxSize(4);
            Arbitrary<String> path = Arbitraries.frequencyOf(
                    Tuple.of(3, concrete), Tuple.of(1, random))
                    .flatMap(segments -> Arbitraries.of("", "/").map(trailing -> "/" + String.join("/", segments)
                            + (segments.isEmpty() ? "" : trailing)));
            return Arbitraries.of(METHODS).flatMap(method -> path.map(p -> new Case(table, method, p)));
        });
    }

    /** The template with each parameter replaced by a value: sometimes a literal of the table, to collide. */
    private static Arbitrary<List<String>> concrete(List<String> template) {
        Arbitrary<String> value = Arbitraries.of("a", "ab", "x", "7");
        return value.list().ofSize(template.size()).map(values -> {
            List<String> path = new ArrayList<>();
            for (int i = 0; i < template.size(); i++) {
                path.add(template.get(i).startsWith("{") ? values.get(i) : template.get(i));
            }
            return path;
        });
    }
}
