package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.ora.persistence.CapturedLogs;
import io.ora.portal.api.Endpoint;
import io.ora.portal.api.Json;
import io.ora.portal.auth.Role;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.databind.JsonNode;

/**
 * Every operation of the portal's endpoint table, with random and adversarial values for each path parameter and
 * each query parameter it declares and for the version headers ({@code If-Match}, {@code If-None-Match}), sent as
 * raw bytes over a socket so no client tidies them up first. Whatever is sent, the answer is never a 5xx, no
 * ERROR is logged, an error is always an RFC 9457 problem, and the answer is one the OpenAPI document declares.
 * The caller holds the role the operation wants, owns real resources the values sometimes name, and sends a body
 * that passes the operation's schema, so the values reach the code that decodes them.
 */
class EndpointInputPropertiesIT {

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 0};

    static TestPortal portal;
    static Installers.Installer installer;
    static UUID projectId;
    static String homeowner;
    static String operator;
    static String newcomer;
    static List<Endpoint> endpoints;

    @BeforeContainer
    static void start() throws Exception {
        portal = new TestPortal();
        portal.beforeAll(null);
        installer = Installers.licensed(portal);
        projectId = UUID.fromString(portal.client().post("/v1/projects", installer.token(),
                Map.of("templateId", installer.templateId().toString())).json().get("id").asString());
        homeowner = portal.token(Role.HOMEOWNER);
        operator = portal.token(Role.OPERATOR);
        newcomer = portal.token(Role.ELECTRICIAN);
        endpoints = portal.portal().endpoints();
    }

    @AfterContainer
    static void stop() {
        portal.afterAll(null);
    }

    /** One request: an operation and the raw text of each value sent to it. */
    record Probe(Endpoint endpoint, List<String> pathValues, List<String> query, Optional<String> ifMatch,
                 Optional<String> ifNoneMatch) {

        String target() {
            StringBuilder target = new StringBuilder();
            int next = 0;
            for (String segment : endpoint.segments()) {
                target.append('/').append(segment.startsWith("{") ? pathValues.get(next++) : segment);
            }
            if (!query.isEmpty()) {
                target.append('?').append(String.join("&", query));
            }
            return target.toString();
        }
    }

    @Property(tries = 800)
    void anyDeclaredInputIsAnsweredWithoutAServerErrorAndEveryErrorIsAProblem(@ForAll("probes") Probe probe) {
        Endpoint endpoint = probe.endpoint();
        String target = probe.target();
        StringBuilder head = new StringBuilder(endpoint.method().name()).append(' ').append(target)
                .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        token(endpoint).ifPresent(token -> head.append("Authorization: Bearer ").append(token).append("\r\n"));
        probe.ifMatch().ifPresent(value -> head.append("If-Match: ").append(value).append("\r\n"));
        probe.ifNoneMatch().ifPresent(value -> head.append("If-None-Match: ").append(value).append("\r\n"));
        byte[] body = body(endpoint);
        if (body.length > 0) {
            head.append("Content-Type: ").append(endpoint.body() instanceof Endpoint.Body.Json
                    ? "application/json" : "application/octet-stream").append("\r\n");
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }

        ApiClient.Response response;
        List<String> errors;
        try (CapturedLogs logs = new CapturedLogs()) {
            response = RawHttp.exchange(portal.portal().port(), head.toString().getBytes(StandardCharsets.UTF_8),
                    body);
            errors = logs.texts(Level.ERROR);
        }

        String what = endpoint.operationId() + " " + target + " " + probe.ifMatch() + " " + probe.ifNoneMatch();
        assertThat(response.status()).as(what).isLessThan(500);
        assertThat(errors).as(what).isEmpty();
        if (response.status() >= 400) {
            assertThat(response.contentType()).as(what).startsWith("application/problem+json");
            JsonNode problem = response.json();
            assertThat(problem.get("status").asInt()).as(what).isEqualTo(response.status());
            assertThat(problem.get("detail").asString()).as(what).isNotBlank();
        }
        OpenApiContract.check(endpoint.method().name(), pathServed(target), response);
    }

    /** The path the server routes: the target up to its query, with {@code .} and {@code ..} segments resolved. */
    private static String pathServed(String target) {
        List<String> kept = new ArrayList<>();
        for (String segment : target.split("[?#]", 2)[0].substring(1).split("/", -1)) {
            if (segment.equals("..")) {
                if (!kept.isEmpty()) {
                    kept.remove(kept.size() - 1);
                }
            } else if (!segment.equals(".")) {
                kept.add(segment);
            }
        }
        return "/" + String.join("/", kept);
    }

    @Provide
    Arbitrary<Probe> probes() {
        return Arbitraries.of(endpoints).flatMap(endpoint -> {
            int pathParams = (int) endpoint.segments().stream().filter(s -> s.startsWith("{")).count();
            return Combinators.combine(pathSegment().list().ofSize(pathParams), query(endpoint), versionHeader(),
                    versionHeader()).as((path, query, ifMatch, ifNoneMatch) ->
                    new Probe(endpoint, path, query, ifMatch, ifNoneMatch));
        });
    }

    /** Some of the operation's own query parameters, each once, with any value. */
    private Arbitrary<List<String>> query(Endpoint endpoint) {
        List<String> names = endpoint.query().stream().sorted().toList();
        if (names.isEmpty()) {
            return Arbitraries.just(List.of());
        }
        return Arbitraries.subsetOf(names).flatMap(chosen -> queryValue().list().ofSize(chosen.size())
                .map(values -> {
                    List<String> pairs = new ArrayList<>();
                    List<String> sorted = chosen.stream().sorted().toList();
                    for (int i = 0; i < sorted.size(); i++) {
                        pairs.add(sorted.get(i) + "=" + values.get(i));
                    }
                    return pairs;
                }));
    }

    /** A path parameter as it appears in the request target: real ids, other UUIDs, and anything else. */
    private Arbitrary<String> pathSegment() {
        UUID random = UUID.randomUUID();
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(installer.organisationId().toString(), installer.templateId().toString(),
                        projectId.toString())),
                Tuple.of(2, Arbitraries.create(() -> UUID.randomUUID().toString())),
                Tuple.of(3, Arbitraries.of("00000000-0000-0000-0000-000000000000",
                        "ffffffff-ffff-ffff-ffff-ffffffffffff", random.toString().toUpperCase(Locale.ROOT),
                        "{" + random + "}", random.toString().replace("-", ""), random + "0", "not-a-uuid", "%00",
                        "%", "%ZZ", "%C0%80", "%ED%A0%80", "%FF", "%2F", "..", ".", "%2e%2e", "a%20b", "%3F", "x;y",
                        random + "%00", "\u00e9", "\ud83d\ude00", "x".repeat(5000))),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(40).map(EndpointInputPropertiesIT::encode)),
                Tuple.of(1, rawText()));
    }

    /** A query value as it appears in the request target. */
    private Arbitrary<String> queryValue() {
        UUID id = UUID.randomUUID();
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of("", "0", "-1", "1", "50", "100", "101", "2147483647", "2147483648",
                        "-2147483649", "999999999", "1000000000", "9223372036854775807", "-9223372036854775808",
                        "99999999999999999999", "1e3", "0x10", "+1", "01", "%D9%A1", "NaN", "null", "PENDING",
                        "VERIFIED", "REJECTED", "pending", "DRAFT", "ARCHIVED", "HANDED_OVER", "PT24H", "P7D", "PT1S",
                        "PT0S", "-PT1H", "PT-1H", "P106751991167300D", "PT2562047788015215H",
                        "PT9999999999999999999H", "P99999999999D", "PT0.000000001S", "floor.png",
                        "..%2F..%2Fetc%2Fpasswd", ".hidden", "a%00b", "%00", "%", "%%%", "%zz", "%C0%80",
                        "%ED%A0%80", "%FF%FE", "a+b", "%2B", "x".repeat(512), "x".repeat(513), "x".repeat(9000),
                        cursor("-9223372036854775808/" + id), cursor("9223372036854775807/" + id),
                        cursor("253402300800000000/" + id), cursor("-1/" + id), cursor("1/" + id),
                        cursor("1/" + id.toString().toUpperCase(Locale.ROOT)), cursor("1/" + id) + "==")),
                Tuple.of(1, Arbitraries.longs().map(String::valueOf)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(60).map(EndpointInputPropertiesIT::encode)),
                Tuple.of(1, rawText()));
    }

    /** {@code If-Match} or {@code If-None-Match}: absent, a tag this server might send or not, or any bytes. */
    private Arbitrary<Optional<String>> versionHeader() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(Optional.<String>empty())),
                Tuple.of(3, Arbitraries.of("*", "\"1\"", "\"0\"", "\"999999999\"", "\"1000000000\"",
                        "\"2147483648\"", "\"9223372036854775808\"", "\"-1\"", "W/\"1\"", "\"1\", \"2\"", "1",
                        "\"\"", "\"abc", "\"", " * ", "**", "\"\u00e9\"", "x".repeat(9000)).map(Optional::of)),
                Tuple.of(2, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(30).map(Optional::of)),
                Tuple.of(1, Arbitraries.strings().withCharRange('\u0080', '\u00ff').ofMaxLength(10)
                        .map(Optional::of)));
    }

    /** Any text sent as is (as UTF-8), short of the line breaks that would end the request line. */
    private static Arbitrary<String> rawText() {
        return Arbitraries.strings().all().ofMaxLength(20)
                .map(text -> text.replace("\r", "").replace("\n", "").replace(" ", ""));
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String cursor(String decoded) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(decoded.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A caller the operation admits: the installer who owns the real resources for electricians' operations,
     * except that a licence submission goes to a newcomer (it would reset the installer's licence to pending).
     */
    private static Optional<String> token(Endpoint endpoint) {
        if (endpoint.isPublic()) {
            return Optional.empty();
        }
        if (endpoint.operationId().equals("submitMyLicence")) {
            return Optional.of(newcomer);
        }
        if (endpoint.roles().contains(Role.ELECTRICIAN)) {
            return Optional.of(installer.token());
        }
        return Optional.of(endpoint.roles().contains(Role.OPERATOR) ? operator : homeowner);
    }

    /** A body the operation's schema accepts, so the request gets past body validation to the values under test. */
    private static byte[] body(Endpoint endpoint) {
        if (endpoint.body() instanceof Endpoint.Body.Bytes) {
            return PNG.clone();
        }
        if (!(endpoint.body() instanceof Endpoint.Body.Json json)) {
            return new byte[0];
        }
        Object sample = switch (json.schema()) {
            case "LicenceSubmission" -> Installers.licence(java.time.LocalDate.now().plusYears(1));
            case "OrganisationCreate" -> Map.of("name", "Probe & Co");
            case "MemberAdd" -> Map.of("userId", UUID.randomUUID().toString());
            case "LicenceReview" -> Map.of("decision", "REJECTED");
            case "TemplateWrite" -> Installers.template("Probe");
            case "ProjectCreate" -> Map.of("templateId", installer.templateId().toString());
            case "ProjectUpdate" -> Map.of("notes", "probe");
            case "HubRegistration" -> Map.of("hubId", UUID.randomUUID().toString(), "certificateFingerprint",
                    "ab".repeat(32));
            case "PairingPlan" -> Map.of("rooms", List.of(Map.of("id", "kitchen", "name", "Kitchen")),
                    "devices", List.of());
            case "ProjectKeyEnvelope" -> Map.of("version", 1,
                    "kdf", Map.of("name", "argon2id", "memoryKiB", 19456, "iterations", 2, "parallelism", 1,
                            "salt", "A".repeat(22)),
                    "cipher", Map.of("name", "AES-256-GCM", "nonce", "A".repeat(16), "ciphertext", "A".repeat(23)));
            case "AccessKeyClaim" -> Map.of("code", "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ");
            case "ProjectTransition" -> Map.of("to", "COMMISSIONING");
            case "AppCertificateRequest" -> Map.of("installId", "probe", "csr", "not a request");
            case "RolloutCreate" -> Map.of("releaseId", UUID.randomUUID().toString(), "maxOffersPerMinute", 10,
                    "stages", List.of(Map.of("percent", 10, "soakMinutes", 60)));
            default -> throw new IllegalStateException(endpoint.operationId() + " takes " + json.schema()
                    + ": give this test a valid sample of it");
        };
        return Json.write(sample);
    }
}
