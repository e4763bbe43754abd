package io.ora.portal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.ora.portal.auth.InvalidTokenException.Kind;
import io.ora.portal.auth.InvalidTokenException.Reason;
import io.ora.portal.dev.DevIssuer.TokenRequest;
import io.ora.portal.dev.DevIssuer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TokenVerifier} against dev issuers served over real HTTP. Every test makes its own verifier, so none
 * depends on what another has fetched; tests that change an issuer (rotation, outages) get an issuer of their own.
 */
class TokenVerifierIT {

    private static final OidcSettings SETTINGS = IssuerServer.settings();
    private static final String DISCOVERY = "/dev-oidc/.well-known/openid-configuration";
    private static final String JWKS = "/dev-oidc/jwks.json";
    private static final TokenRequest ALICE = new TokenRequest("alice", Set.of(Role.HOMEOWNER), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty());

    @TempDir
    static Path keys;
    private static IssuerServer server;
    private static DevIssuer issuer;
    private static RSAKey stranger;

    private TokenVerifier verifier;

    @BeforeAll
    static void start() throws Exception {
        server = IssuerServer.start("token-verifier-test");
        issuer = server.issuer(keys.resolve("main"), "dev-oidc");
        stranger = new RSAKeyGenerator(2048).keyID("stranger").generate();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @BeforeEach
    void freshVerifier() {
        verifier = TokenVerifier.create(SETTINGS, issuer.issuerUrl());
    }

    @Test
    void aMintedTokenVerifiesWithEveryClaim() throws Exception {
        Instant minted = Instant.now();
        String token = issuer.mint(new TokenRequest("alice@example", Set.of(Role.ELECTRICIAN, Role.OPERATOR),
                Optional.of(Duration.ofMinutes(10)), Optional.of("urn:ora:acr:mfa"), Optional.of("Alice Example"),
                Optional.of("alice@example.com")));

        Caller caller = verifier.verify(token);

        assertThat(caller.subject()).isEqualTo("alice@example");
        assertThat(caller.roles()).containsExactly(Role.ELECTRICIAN, Role.OPERATOR);
        assertThat(caller.has(Role.OPERATOR)).isTrue();
        assertThat(caller.has(Role.HOMEOWNER)).isFalse();
        assertThat(caller.authTime()).hasValueSatisfying(authTime ->
                assertThat(authTime).isCloseTo(minted.minus(Duration.ofMinutes(10)), within(2, ChronoUnit.SECONDS)));
        assertThat(caller.acr()).contains("urn:ora:acr:mfa");
        assertThat(caller.name()).contains("Alice Example");
        assertThat(caller.email()).contains("alice@example.com");
        assertThat(caller.expiresAt()).isCloseTo(minted.plus(IssuerServer.TOKEN_TTL), within(2, ChronoUnit.SECONDS));
    }

    @Test
    void withoutAnAuthAgeTheUserAuthenticatedAtMinting() throws Exception {
        Caller caller = verifier.verify(issuer.mint(ALICE));

        assertThat(caller.authTime()).hasValueSatisfying(authTime ->
                assertThat(authTime).isCloseTo(Instant.now(), within(2, ChronoUnit.SECONDS)));
        assertThat(caller.acr()).isEmpty();
        assertThat(caller.name()).isEmpty();
        assertThat(caller.email()).isEmpty();
    }

    @Test
    void theRolesClaimIsAStringOrAnArrayAndUnknownNamesGrantNothing() throws Exception {
        assertThat(verifier.verify(issuer.sign(claims(c -> c.claim("roles", "operator")))).roles())
                .containsExactly(Role.OPERATOR);
        assertThat(verifier.verify(issuer.sign(claims(c -> c.claim("roles", List.of("admin", "homeowner"))))).roles())
                .containsExactly(Role.HOMEOWNER);
        assertThat(verifier.verify(issuer.sign(claims(c -> c.claim("roles", null)))).roles()).isEmpty();
        assertRefused(issuer.sign(claims(c -> c.claim("roles", 7))), Reason.MALFORMED);
        assertRefused(issuer.sign(claims(c -> c.claim("roles", List.of("homeowner", 7)))), Reason.MALFORMED);
    }

    @Test
    void anUnsignedTokenIsRefused() {
        assertRefused(new PlainJWT(claims(c -> c)).serialize(), Reason.ALGORITHM_NOT_ALLOWED);
    }

    @Test
    void anHmacTokenKeyedWithTheIssuersPublicKeyIsRefused() throws Exception {
        RSAKey published = (RSAKey) issuer.publicKeys().getKeys().get(0);
        SignedJWT confused = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(published.getKeyID())
                .build(), claims(c -> c));
        confused.sign(new MACSigner(published.toRSAPublicKey().getEncoded()));

        assertRefused(confused.serialize(), Reason.ALGORITHM_NOT_ALLOWED);
    }

    @Test
    void aTokenSignedByAnotherKeyUnderTheIssuersKidIsRefusedWithoutRefetching() throws Exception {
        RSAKey impostor = new RSAKeyGenerator(2048).keyID(issuer.signingKey().getKeyID()).generate();
        int fetched = server.hits(JWKS);

        assertRefused(signed(impostor, claims(c -> c)), Reason.BAD_SIGNATURE);
        assertThat(server.hits(JWKS)).as("only this verifier's first fetch").isEqualTo(fetched + 1);
    }

    @Test
    void aFlippedSignatureBitIsRefused() {
        String[] parts = issuer.mint(ALICE).split("\\.");
        byte[] signature = Base64URL.from(parts[2]).decode();
        signature[17] ^= 0x01;

        assertRefused(parts[0] + "." + parts[1] + "." + Base64URL.encode(signature), Reason.BAD_SIGNATURE);
    }

    @Test
    void aChangedPayloadIsRefused() {
        String[] parts = issuer.mint(ALICE).split("\\.");
        String promoted = Base64URL.encode(claims(c -> c.claim("roles", List.of("operator"))).toString()).toString();

        assertRefused(parts[0] + "." + promoted + "." + parts[2], Reason.BAD_SIGNATURE);
    }

    @Test
    void aTypeOtherThanAnAccessTokenIsRefusedAndNoTypeIsAccepted() throws Exception {
        RSAKey key = issuer.signingKey();
        assertRefused(signed(key, new JOSEObjectType("secevent+jwt"), claims(c -> c)), Reason.MALFORMED);
        assertThat(verifier.verify(signed(key, null, claims(c -> c))).subject()).isEqualTo("alice");
        assertThat(verifier.verify(signed(key, JOSEObjectType.JWT, claims(c -> c))).subject()).isEqualTo("alice");
    }

    @Test
    void anotherIssuerIsRefused() {
        assertRefused(issuer.sign(claims(c -> c.issuer(issuer.issuerUrl() + "/"))), Reason.WRONG_ISSUER);
    }

    @Test
    void anotherAudienceIsRefused() {
        assertRefused(issuer.sign(claims(c -> c.audience(List.of("ora-admin", "billing")))), Reason.WRONG_AUDIENCE);
        assertRefused(issuer.sign(claims(c -> c.audience((String) null))), Reason.WRONG_AUDIENCE);
    }

    @Test
    void anAudienceListContainingOursIsAccepted() throws Exception {
        assertThat(verifier.verify(issuer.sign(claims(c -> c.audience(List.of("billing", "ora-portal"))))).subject())
                .isEqualTo("alice");
    }

    @Test
    void aTokenExpiredBeyondTheClockSkewIsRefused() {
        Instant now = Instant.now();
        assertRefused(issuer.sign(claims(c -> c.expirationTime(Date.from(
                now.minus(SETTINGS.clockSkew()).minusSeconds(5))))), Reason.EXPIRED);
    }

    @Test
    void aTokenExpiredWithinTheClockSkewIsAccepted() throws Exception {
        Instant now = Instant.now();
        String token = issuer.sign(claims(c -> c.expirationTime(Date.from(
                now.minus(SETTINGS.clockSkew()).plusSeconds(10)))));

        assertThat(verifier.verify(token).subject()).isEqualTo("alice");
    }

    @Test
    void aTokenNotYetValidBeyondTheClockSkewIsRefused() {
        Instant now = Instant.now();
        assertRefused(issuer.sign(claims(c -> c.notBeforeTime(Date.from(
                now.plus(SETTINGS.clockSkew()).plusSeconds(5))))), Reason.NOT_YET_VALID);
    }

    @Test
    void aTokenWithoutSubjectOrExpiryIsRefused() {
        assertRefused(issuer.sign(claims(c -> c.subject(null))), Reason.MALFORMED);
        assertRefused(issuer.sign(claims(c -> c.expirationTime(null))), Reason.MALFORMED);
    }

    @Test
    void aRotatedKeyIsFetchedWithoutRestartingTheVerifier() throws Exception {
        DevIssuer rotating = server.issuer(keys.resolve("rotating"), "rotating");
        TokenVerifier verifier = TokenVerifier.create(SETTINGS, rotating.issuerUrl());
        String before = rotating.mint(ALICE);
        verifier.verify(before);
        assertThat(server.hits("/rotating/jwks.json")).isEqualTo(1);

        rotating.rotate();
        String after = rotating.mint(ALICE);

        assertThat(SignedJWT.parse(after).getHeader().getKeyID())
                .isNotEqualTo(SignedJWT.parse(before).getHeader().getKeyID());
        assertThat(verifier.verify(after).subject()).isEqualTo("alice");
        assertThat(verifier.verify(before).subject()).as("the previous key is still published").isEqualTo("alice");
        assertThat(server.hits("/rotating/jwks.json")).isEqualTo(2);
    }

    @Test
    void unknownKidsRefetchTheKeysOnlyAsOftenAsTheRateLimitAllows() throws Exception {
        verifier.verify(issuer.mint(ALICE));
        int fetched = server.hits(JWKS);
        String unknownKid = signed(stranger, claims(c -> c));

        for (int i = 0; i < 5; i++) {
            assertRefused(unknownKid, Reason.UNKNOWN_KEY);
        }

        // Nimbus allows two fetches per min-refresh-interval: the first load, and one more for a rotation.
        assertThat(server.hits(JWKS)).isEqualTo(fetched + 1);
        assertThat(verifier.verify(issuer.mint(ALICE)).subject()).isEqualTo("alice");
    }

    @Test
    void aDiscoveryDocumentNamingAnotherIssuerIsRefused() {
        server.mount(Directives.path(PathMatchers.segment("mixup").slash(".well-known").slash("openid-configuration"),
                () -> Directives.complete(HttpResponse.create().withEntity(HttpEntities.create(
                        ContentTypes.APPLICATION_JSON, "{\"issuer\":\"" + issuer.issuerUrl() + "\",\"jwks_uri\":\""
                                + issuer.issuerUrl() + "/jwks.json\"}")))));
        String mixedUp = server.url("mixup");
        TokenVerifier verifier = TokenVerifier.create(SETTINGS, mixedUp);

        InvalidTokenException refused = refusal(verifier, issuer.sign(claims(c -> c.issuer(mixedUp))));

        assertThat(refused.reason()).isEqualTo(Reason.ISSUER_MISMATCH);
        assertThat(refused.kind()).isEqualTo(Kind.ISSUER_UNAVAILABLE);
    }

    @Test
    void anUnreachableIssuerIsTheIssuersProblemNotTheTokens() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String gone = "http://127.0.0.1:" + closedPort + "/gone";

        InvalidTokenException refused = refusal(TokenVerifier.create(SETTINGS, gone),
                issuer.sign(claims(c -> c.issuer(gone))));

        assertThat(refused.reason()).isEqualTo(Reason.ISSUER_UNREACHABLE);
        assertThat(refused.kind()).isEqualTo(Kind.ISSUER_UNAVAILABLE);
    }

    @Test
    void aFailedDiscoveryIsRetriedOncePerRefreshInterval() throws Exception {
        AtomicBoolean up = new AtomicBoolean(false);
        server.mount(Directives.pathPrefix("flaky", () -> Directives.extractRequest(request -> up.get()
                ? Directives.reject()
                : Directives.complete(StatusCodes.SERVICE_UNAVAILABLE))));
        DevIssuer flaky = server.issuer(keys.resolve("flaky"), "flaky");
        MutableClock clock = new MutableClock(Instant.now());
        TokenVerifier verifier = TokenVerifier.create(SETTINGS, flaky.issuerUrl(), clock);
        String token = flaky.mint(ALICE);
        String discovery = "/flaky/.well-known/openid-configuration";

        assertThat(refusal(verifier, token).reason()).isEqualTo(Reason.ISSUER_UNREACHABLE);
        up.set(true);
        assertThat(refusal(verifier, token).reason()).isEqualTo(Reason.ISSUER_UNREACHABLE);
        assertThat(server.hits(discovery)).as("not retried within the interval").isEqualTo(1);

        clock.advance(SETTINGS.jwks().minRefreshInterval());

        assertThat(verifier.verify(token).subject()).isEqualTo("alice");
        assertThat(server.hits(discovery)).isEqualTo(2);
    }

    @Test
    void aKeySetOutageIsNeverBlamedOnTheToken() throws Exception {
        AtomicBoolean up = new AtomicBoolean(false);
        server.mount(Directives.path(PathMatchers.segment("outage").slash("jwks.json"), () ->
                Directives.extractRequest(request -> up.get()
                        ? Directives.reject()
                        : Directives.complete(StatusCodes.BAD_GATEWAY))));
        DevIssuer outage = server.issuer(keys.resolve("outage"), "outage");
        TokenVerifier verifier = TokenVerifier.create(SETTINGS, outage.issuerUrl());
        String token = outage.mint(ALICE);

        for (int i = 0; i < 4; i++) {
            InvalidTokenException refused = refusal(verifier, token);
            assertThat(refused.reason()).isEqualTo(Reason.ISSUER_UNREACHABLE);
            assertThat(refused.kind()).isEqualTo(Kind.ISSUER_UNAVAILABLE);
        }
        assertThat(server.hits("/outage/jwks.json")).as("held back by the rate limit after two").isEqualTo(2);
    }

    @Test
    void nothingIsFetchedUntilTheFirstVerification() throws Exception {
        int discovered = server.hits(DISCOVERY);
        TokenVerifier.create(SETTINGS, issuer.issuerUrl());
        assertThat(server.hits(DISCOVERY)).isEqualTo(discovered);
    }

    @Test
    void aTokenOverEightKibIsRefusedBeforeAnythingIsFetched() throws Exception {
        String fits = issuer.sign(claims(c -> c.claim("pad", "x".repeat(5_000))));
        String oversized = issuer.sign(claims(c -> c.claim("pad", "x".repeat(6_500))));
        assertThat(fits.length()).isLessThanOrEqualTo(TokenVerifier.MAX_TOKEN_LENGTH);
        assertThat(oversized.length()).isGreaterThan(TokenVerifier.MAX_TOKEN_LENGTH);
        int discovered = server.hits(DISCOVERY);

        assertRefused(oversized, Reason.MALFORMED);
        assertThat(server.hits(DISCOVERY)).isEqualTo(discovered);
        assertThat(verifier.verify(fits).subject()).isEqualTo("alice");
    }

    @Test
    void garbageIsMalformed() {
        for (String garbage : List.of("", "Bearer abc", "a.b.c", "..", "e30.e30.e30", "e30.e30", "x".repeat(100))) {
            assertRefused(garbage, Reason.MALFORMED);
        }
    }

    @Test
    void aRefusalNamesNeitherTheTokenNorAnyClaim() {
        String token = issuer.sign(claims(c -> c.subject("bob-the-builder").expirationTime(Date.from(
                Instant.now().minus(Duration.ofHours(2))))));

        InvalidTokenException refused = refusal(verifier, token);

        assertThat(refused.getMessage()).isEqualTo("token refused: expired");
        assertThat(refused.getCause()).isNull();
        assertThat(refused.getStackTrace()).isEmpty();
    }

    @Test
    void aCallerPrintsNoPersonalData() throws Exception {
        Caller caller = verifier.verify(issuer.mint(new TokenRequest("carol", Set.of(Role.HOMEOWNER),
                Optional.empty(), Optional.empty(), Optional.of("Carol Secret"), Optional.of("carol@example.com"))));

        assertThat(caller.toString()).contains("carol", "HOMEOWNER").doesNotContain("Secret", "@example.com");
    }

    /** Valid claims from the main issuer, changed by {@code change}. */
    private static JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return change.apply(new JWTClaimsSet.Builder()
                .issuer(issuer.issuerUrl())
                .subject("alice")
                .audience("ora-portal")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                .claim("roles", List.of("homeowner"))).build();
    }

    private static String signed(RSAKey key, JWTClaimsSet claims) throws Exception {
        return signed(key, JOSEObjectType.JWT, claims);
    }

    private static String signed(RSAKey key, JOSEObjectType type, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(type)
                .build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private void assertRefused(String token, Reason reason) {
        InvalidTokenException refused = refusal(verifier, token);
        assertThat(refused.reason()).as("reason").isEqualTo(reason);
        assertThat(refused.kind()).isEqualTo(Kind.TOKEN_INVALID);
        assertThat(refused.getMessage()).isEqualTo("token refused: " + reason.code());
    }

    private static InvalidTokenException refusal(TokenVerifier verifier, String token) {
        InvalidTokenException[] refused = new InvalidTokenException[1];
        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOfSatisfying(InvalidTokenException.class,
                thrown -> refused[0] = thrown);
        return refused[0];
    }

    /** A clock the test moves, so retry intervals pass without waiting. */
    private static final class MutableClock extends Clock {

        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
