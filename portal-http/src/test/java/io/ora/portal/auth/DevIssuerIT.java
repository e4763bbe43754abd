package io.ora.portal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.SignedJWT;
import io.ora.portal.dev.DevIssuer.TokenRequest;
import io.ora.portal.dev.DevIssuer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The development issuer over real HTTP: its key on disk, discovery, keys and the token endpoint. */
class DevIssuerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final TokenRequest DAVE = new TokenRequest("dave", Set.of(Role.OPERATOR), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty());

    @TempDir
    static Path keys;
    private static IssuerServer server;
    private static DevIssuer issuer;

    @BeforeAll
    static void start() throws Exception {
        server = IssuerServer.start("dev-issuer-test");
        issuer = server.issuer(keys.resolve("main"), "dev-oidc");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void theKeyIsKeptOwnerOnlyAndReloadedSoEarlierTokensStayValid(@TempDir Path home) throws Exception {
        Path keyDir = home.resolve("not/yet/there");
        String url = server.url("persisted");
        DevIssuer first = DevIssuer.loadOrCreate(keyDir, url, IssuerServer.TOKEN_TTL, "ora-portal", "roles");
        String token = first.mint(DAVE);

        DevIssuer restarted = DevIssuer.loadOrCreate(keyDir, url, IssuerServer.TOKEN_TTL, "ora-portal", "roles");
        server.mount(restarted.route());

        assertThat(restarted.signingKey().getKeyID()).isEqualTo(first.signingKey().getKeyID())
                .isEqualTo(first.signingKey().computeThumbprint().toString());
        assertThat(restarted.publicKeys().toString()).isEqualTo(first.publicKeys().toString());
        assertThat(TokenVerifier.create(IssuerServer.settings(), url).verify(token).subject()).isEqualTo("dave");
        Path file = keyDir.resolve(DevIssuer.KEY_FILE);
        assumeThat(file.getFileSystem().supportedFileAttributeViews()).contains("posix");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyDir))).isEqualTo("rwx------");
        try (var leftovers = Files.list(keyDir)) {
            assertThat(leftovers).containsExactly(file);
        }
    }

    @Test
    void aKeyFileThatIsNotAPrivateRsaKeyIsNotSilentlyReplaced(@TempDir Path keyDir) throws Exception {
        Files.writeString(keyDir.resolve(DevIssuer.KEY_FILE), "{\"kty\":\"oct\",\"k\":\"c2VjcmV0c2VjcmV0\"}");
        assertThatThrownBy(() -> DevIssuer.loadOrCreate(keyDir, server.url("x"), IssuerServer.TOKEN_TTL,
                "ora-portal", "roles")).isInstanceOf(IOException.class).hasMessageContaining("delete it");

        Files.writeString(keyDir.resolve(DevIssuer.KEY_FILE), issuer.publicKeys().getKeys().get(0).toJSONString());
        assertThatThrownBy(() -> DevIssuer.loadOrCreate(keyDir, server.url("x"), IssuerServer.TOKEN_TTL,
                "ora-portal", "roles")).isInstanceOf(IOException.class).hasMessageContaining("no RSA private key");
    }

    @Test
    void aMintedTokenCarriesTheRegisteredClaims() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        SignedJWT jwt = SignedJWT.parse(issuer.mint(DAVE));
        var claims = jwt.getJWTClaimsSet();

        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(issuer.signingKey().getKeyID());
        assertThat(claims.getIssuer()).isEqualTo(issuer.issuerUrl());
        assertThat(claims.getAudience()).containsExactly("ora-portal");
        assertThat(claims.getNotBeforeTime()).isEqualTo(claims.getIssueTime());
        assertThat(claims.getIssueTime().toInstant()).isBetween(now.minusSeconds(2), now.plusSeconds(2));
        assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
                .isEqualTo(IssuerServer.TOKEN_TTL);
        assertThat(claims.getJWTID()).isNotBlank().isNotEqualTo(SignedJWT.parse(issuer.mint(DAVE))
                .getJWTClaimsSet().getJWTID());
        assertThat(claims.getStringListClaim("roles")).containsExactly("operator");
        assertThat(claims.getClaims()).doesNotContainKeys("acr", "name", "email");
    }

    @Test
    void discoveryNamesTheIssuerAndItsEndpoints() throws Exception {
        HttpResponse<String> response = get("/dev-oidc/.well-known/openid-configuration");
        JsonNode document = JSON.readTree(response.body());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(document.get("issuer").asText()).isEqualTo(issuer.issuerUrl());
        assertThat(document.get("jwks_uri").asText()).isEqualTo(issuer.issuerUrl() + "/jwks.json");
        assertThat(document.get("token_endpoint").asText()).isEqualTo(issuer.issuerUrl() + "/token");
        assertThat(JSON.convertValue(document.get("id_token_signing_alg_values_supported"), String[].class))
                .containsExactly("RS256");
        assertThat(document.get("response_types_supported").isArray()).isTrue();
        assertThat(document.get("subject_types_supported").isArray()).isTrue();
        assertThat(JSON.convertValue(document.get("claims_supported"), String[].class))
                .contains("sub", "auth_time", "acr", "roles");
    }

    @Test
    void theKeySetHoldsThePublicKeyOnly() throws Exception {
        HttpResponse<String> response = get("/dev-oidc/jwks.json");
        JsonNode key = JSON.readTree(response.body()).get("keys").get(0);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(key.get("kty").asText()).isEqualTo("RSA");
        assertThat(key.get("kid").asText()).isEqualTo(issuer.signingKey().getKeyID());
        assertThat(key.get("alg").asText()).isEqualTo("RS256");
        assertThat(key.get("use").asText()).isEqualTo("sig");
        assertThat(key.has("n") && key.has("e")).isTrue();
        for (String privatePart : new String[] {"d", "p", "q", "dp", "dq", "qi", "oth"}) {
            assertThat(key.has(privatePart)).as(privatePart).isFalse();
        }
    }

    @Test
    void theTokenEndpointMintsATokenThatVerifies() throws Exception {
        HttpResponse<String> response = post("sub=erin.o_k%40site-1&role=electrician,homeowner&role=operator"
                + "&auth_age=300&acr=" + URLEncoder.encode("urn:ora:acr:pwd mfa", StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(response.body());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.get("expires_in").asLong()).isEqualTo(IssuerServer.TOKEN_TTL.toSeconds());
        Caller caller = TokenVerifier.create(IssuerServer.settings(), issuer.issuerUrl())
                .verify(body.get("access_token").asText());
        assertThat(caller.subject()).isEqualTo("erin.o_k@site-1");
        assertThat(caller.roles()).containsExactly(Role.ELECTRICIAN, Role.HOMEOWNER, Role.OPERATOR);
        assertThat(caller.acr()).contains("urn:ora:acr:pwd mfa");
        assertThat(caller.authTime()).hasValueSatisfying(authTime -> assertThat(authTime)
                .isBetween(Instant.now().minusSeconds(305), Instant.now().minusSeconds(295)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "role=electrician",
        "sub=&role=electrician",
        "sub=has+space&role=electrician",
        "sub=%C3%A9&role=electrician",
        "sub=a&sub=b&role=electrician",
        "sub=alice",
        "sub=alice&role=",
        "sub=alice&role=superuser",
        "sub=alice&role=electrician,",
        "sub=alice&role=Electrician",
        "sub=alice&role=electrician&auth_age=-1",
        "sub=alice&role=electrician&auth_age=86401",
        "sub=alice&role=electrician&auth_age=1e3",
        "sub=alice&role=electrician&auth_age=99999999999999999999",
        "sub=alice&role=electrician&acr=",
        "sub=alice&role=electrician&acr=%0Anewline",
        "sub=alice&role=electrician&acr=a&acr=b",
    })
    void badTokenRequestsAreBadRequestProblems(String form) throws Exception {
        HttpResponse<String> response = post(form);
        JsonNode problem = JSON.readTree(response.body());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("detail").asText()).isNotBlank().doesNotContain("superuser", "has space", "newline");
    }

    @Test
    void overlongSubjectsAndAcrsAreRefused() throws Exception {
        assertThat(post("sub=" + "a".repeat(128) + "&role=homeowner").statusCode()).isEqualTo(200);
        assertThat(post("sub=" + "a".repeat(129) + "&role=homeowner").statusCode()).isEqualTo(400);
        assertThat(post("sub=a&role=homeowner&acr=" + "x".repeat(64)).statusCode()).isEqualTo(200);
        assertThat(post("sub=a&role=homeowner&acr=" + "x".repeat(65)).statusCode()).isEqualTo(400);
        assertThat(post("sub=a&role=homeowner&auth_age=86400").statusCode()).isEqualTo(200);
    }

    @Test
    void theTokenEndpointTakesFormsOnlyAndPostOnly() throws Exception {
        HttpResponse<String> json = HTTP.send(HttpRequest.newBuilder(uri("/dev-oidc/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sub\":\"a\",\"role\":\"homeowner\"}"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(json.statusCode()).isEqualTo(415);
        assertThat(get("/dev-oidc/token").statusCode()).isEqualTo(405);
    }

    @Test
    void theIssuerUrlNamesAReachableHost() {
        assertThat(DevIssuer.issuerUrlFor("0.0.0.0", 8080, "dev-oidc")).isEqualTo("http://localhost:8080/dev-oidc");
        assertThat(DevIssuer.issuerUrlFor("::", 8080, "/dev-oidc/")).isEqualTo("http://localhost:8080/dev-oidc");
        assertThat(DevIssuer.issuerUrlFor("::1", 80, "a/b")).isEqualTo("http://[::1]:80/a/b");
        assertThat(DevIssuer.issuerUrlFor("portal.local", 8080, "dev-oidc"))
                .isEqualTo("http://portal.local:8080/dev-oidc");
    }

    @Test
    void tokenRequestsAreCheckedForTheCliToo() {
        assertThatThrownBy(() -> new TokenRequest("alice", Set.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenRequest("alice", Set.of(Role.HOMEOWNER), Optional.of(Duration.ofDays(2)),
                Optional.empty(), Optional.empty(), Optional.empty())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenRequest("alice", Set.of(Role.HOMEOWNER), Optional.empty(),
                Optional.empty(), Optional.of("n".repeat(257)), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).GET().timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String form) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri("/dev-oidc/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create(server.url("dev-oidc").replace("/dev-oidc", "") + path);
    }
}
