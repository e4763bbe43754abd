package io.ora.portal.dev;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.ora.portal.api.Json;
import io.ora.portal.auth.Role;
import io.ora.portal.http.Problem;
import io.ora.portal.http.ProblemException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The development OIDC issuer a node runs itself, so that {@code java -jar ora-node.jar} works without an external
 * identity provider. It signs RS256 access tokens with one RSA 2048 key kept in {@code dev-issuer-key.json}
 * (owner-only, 0600 where the file system has POSIX permissions), so tokens minted before a restart stay valid after
 * it; the key id is the key's JWK thumbprint and therefore stable.
 *
 * <p>Its {@link #route()} publishes discovery and the public keys, and mints a token for <em>anyone who asks</em>
 * ({@code POST .../token}). It is for development and load tests only: the caller mounts it only when
 * {@code ora.portal.oidc.issuer} is empty, and never when a real issuer is configured.
 */
public final class DevIssuer {

    /** The file in the key directory that holds the signing key (a private JWK). */
    public static final String KEY_FILE = "dev-issuer-key.json";

    private static final Pattern ACR = Pattern.compile("\\p{Print}{1,64}");
    private static final Pattern AUTH_AGE = Pattern.compile("\\d{1,5}");
    private static final long MAX_AUTH_AGE_SECONDS = 86_400;

    private final String issuerUrl;
    private final String path;
    private final Duration tokenTtl;
    private final String audience;
    private final String rolesClaim;
    private final Path keyDir;
    private final String discovery;
    private volatile Keys keys;

    /** The signing key and what jwks.json shows; swapped whole so a reader never sees one without the other. */
    private record Keys(RSAKey signing, JWKSet published) {
    }

    /**
     * What a minted token says about its holder. The constructor enforces the same limits as the token endpoint.
     *
     * @param subject {@code sub}: 1 to 128 characters of {@code [A-Za-z0-9._@-]}
     * @param roles   at least one role
     * @param authAge how long ago the user authenticated (0 to 24 hours); empty means now
     * @param acr     authentication context class, 1 to 64 printable ASCII characters
     * @param name    display name, at most 256 characters
     * @param email   e-mail address, at most 256 characters
     */
    public record TokenRequest(String subject, Set<Role> roles, Optional<Duration> authAge, Optional<String> acr,
                               Optional<String> name, Optional<String> email) {

        private static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9._@-]{1,128}");

        public TokenRequest {
            if (subject == null || !SUBJECT.matcher(subject).matches()) {
                throw new IllegalArgumentException("sub must be 1 to 128 characters from A-Z a-z 0-9 . _ @ -");
            }
            if (roles == null || roles.isEmpty()) {
                throw new IllegalArgumentException("at least one role is needed");
            }
            roles = Collections.unmodifiableSet(EnumSet.copyOf(roles));
            if (authAge.filter(age -> age.isNegative() || age.toSeconds() > MAX_AUTH_AGE_SECONDS).isPresent()) {
                throw new IllegalArgumentException("auth_age must be 0 to 86400 seconds");
            }
            if (acr.filter(value -> !ACR.matcher(value).matches()).isPresent()) {
                throw new IllegalArgumentException("acr must be 1 to 64 printable ASCII characters");
            }
            if (name.filter(value -> value.length() > 256).isPresent()
                    || email.filter(value -> value.length() > 256).isPresent()) {
                throw new IllegalArgumentException("name and email are limited to 256 characters");
            }
        }
    }

    private DevIssuer(String issuerUrl, Duration tokenTtl, String audience, String rolesClaim, Path keyDir,
                      RSAKey key) {
        this.issuerUrl = issuerUrl;
        this.path = URI.create(issuerUrl).getPath().replaceAll("^/+|/+$", "");
        if (path.isEmpty()) {
            throw new IllegalArgumentException("the dev issuer URL needs a path to serve under");
        }
        this.tokenTtl = tokenTtl;
        this.audience = audience;
        this.rolesClaim = rolesClaim;
        this.keyDir = keyDir;
        this.keys = new Keys(key, new JWKSet(key.toPublicJWK()));
        this.discovery = discoveryDocument();
    }

    /**
     * Loads the signing key from {@code keyDir/dev-issuer-key.json}, or makes and stores one (creating the directory)
     * when there is none. The issuer serves under the path of {@code issuerUrl}.
     *
     * @throws IOException when the key cannot be stored, or the file holds no RSA private key of 2048 bits or more
     */
    public static DevIssuer loadOrCreate(Path keyDir, String issuerUrl, Duration tokenTtl, String audience,
                                         String rolesClaim) throws IOException {
        Path file = keyDir.resolve(KEY_FILE);
        RSAKey key = Files.exists(file) ? read(file) : store(keyDir, generate());
        return new DevIssuer(issuerUrl, tokenTtl, audience, rolesClaim, keyDir, key);
    }

    /** {@code http://host:port/path}, naming localhost when the server listens on every interface. */
    public static String issuerUrlFor(String host, int port, String path) {
        String reachable = switch (host) {
            case "0.0.0.0", "::", "[::]" -> "localhost";
            default -> host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        };
        return "http://" + reachable + ":" + port + "/" + path.replaceAll("^/+|/+$", "");
    }

    /** The {@code iss} of every token minted here. */
    public String issuerUrl() {
        return issuerUrl;
    }

    /** The public keys tokens are verified with, as served at {@code jwks.json}. */
    public JWKSet publicKeys() {
        return keys.published;
    }

    /** A signed RS256 access token for {@code request}, valid for the configured token TTL from now. */
    public String mint(TokenRequest request) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuerUrl)
                .subject(request.subject())
                .audience(audience)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(tokenTtl)))
                .jwtID(UUID.randomUUID().toString())
                .claim("auth_time", now.minus(request.authAge().orElse(Duration.ZERO)).getEpochSecond())
                .claim(rolesClaim, request.roles().stream().map(Role::wireName).toList());
        request.acr().ifPresent(acr -> claims.claim("acr", acr));
        request.name().ifPresent(name -> claims.claim("name", name));
        request.email().ifPresent(email -> claims.claim("email", email));
        return sign(claims.build());
    }

    /** Discovery, keys and the token endpoint under the issuer URL's path; see the class comment. */
    public Route route() {
        return Directives.pathPrefix(PathMatchers.separateOnSlashes(path), () -> Directives.concat(
                Directives.path(PathMatchers.segment(".well-known").slash("openid-configuration"), () ->
                        Directives.get(() -> Directives.complete(json(discovery)))),
                Directives.path("jwks.json", () ->
                        Directives.get(() -> Directives.complete(json(keys.published.toString(true))))),
                Directives.path("token", () ->
                        Directives.post(() -> Directives.formFieldMultiMap(this::token)))));
    }

    /**
     * The current signing key, private parts included; for tests that craft their own headers. Public because the
     * token verifier's tests live with the verifier; a development key signs nothing that matters.
     */
    public RSAKey signingKey() {
        return keys.signing;
    }

    /** Signs {@code claims} as they are with the current key; tests use it to craft tokens {@link #mint} won't. */
    public String sign(JWTClaimsSet claims) {
        RSAKey key = keys.signing;
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID(key.getKeyID()).type(new JOSEObjectType("at+jwt")).build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException impossible) {
            throw new IllegalStateException("an RSA 2048 key could not sign", impossible);
        }
        return jwt.serialize();
    }

    /**
     * Replaces the signing key with a new, stored one and keeps publishing the previous public key, so tokens
     * already handed out stay valid until the next restart. For tests of key rotation.
     */
    public synchronized void rotate() throws IOException {
        RSAKey next = store(keyDir, generate());
        keys = new Keys(next, new JWKSet(List.of(next.toPublicJWK(), keys.signing.toPublicJWK())));
    }

    private Route token(Map<String, List<String>> form) {
        TokenRequest request;
        try {
            request = new TokenRequest(single(form, "sub").orElse(null), roles(form),
                    single(form, "auth_age").map(DevIssuer::authAge), single(form, "acr"),
                    Optional.empty(), Optional.empty());
        } catch (IllegalArgumentException refused) {
            // Answered where every refusal is (ProblemHandling); the message is ours, never the field's value.
            return Directives.failWith(new ProblemException(Problem.of(StatusCodes.BAD_REQUEST,
                    refused.getMessage()), List.of()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", mint(request));
        body.put("token_type", "Bearer");
        body.put("expires_in", tokenTtl.toSeconds());
        // RFC 6749 §5.1: a response carrying a token must not be cached.
        return Directives.complete(json(toJson(body)).addHeader(CacheControl.create(CacheDirectives.NO_STORE)));
    }

    private static Optional<String> single(Map<String, List<String>> form, String field) {
        List<String> values = form.getOrDefault(field, List.of());
        if (values.size() > 1) {
            throw new IllegalArgumentException(field + " may be given once");
        }
        return values.stream().findFirst();
    }

    private static Set<Role> roles(Map<String, List<String>> form) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String value : form.getOrDefault("role", List.of())) {
            for (String name : value.split(",", -1)) {
                roles.add(Role.fromWire(name.strip()).orElseThrow(() -> new IllegalArgumentException(
                        "role must be electrician, homeowner or operator")));
            }
        }
        return roles;
    }

    private static Duration authAge(String seconds) {
        if (!AUTH_AGE.matcher(seconds).matches()) {
            throw new IllegalArgumentException("auth_age must be 0 to 86400 seconds");
        }
        return Duration.ofSeconds(Long.parseLong(seconds));
    }

    private String discoveryDocument() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("issuer", issuerUrl);
        document.put("jwks_uri", issuerUrl + "/jwks.json");
        document.put("token_endpoint", issuerUrl + "/token");
        document.put("token_endpoint_auth_methods_supported", List.of("none"));
        document.put("response_types_supported", List.of("token"));
        document.put("subject_types_supported", List.of("public"));
        document.put("id_token_signing_alg_values_supported", List.of("RS256"));
        List<String> claims = new ArrayList<>(List.of("iss", "sub", "aud", "exp", "iat", "nbf", "jti", "auth_time",
                "acr", "name", "email"));
        claims.add(rolesClaim);
        document.put("claims_supported", claims);
        return toJson(document);
    }

    private static HttpResponse json(String body) {
        return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    }

    /** Through the portal's one JSON codec, so the issuer writes JSON exactly as every other response does. */
    private static String toJson(Map<String, Object> value) {
        return new String(Json.write(value), StandardCharsets.UTF_8);
    }

    private static RSAKey generate() {
        try {
            return new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
                    .keyIDFromThumbprint(true).generate();
        } catch (JOSEException noRsa) {
            throw new IllegalStateException("this JVM cannot generate RSA keys", noRsa);
        }
    }

    private static RSAKey read(Path file) throws IOException {
        try {
            if (JWK.parse(Files.readString(file, StandardCharsets.UTF_8)) instanceof RSAKey key
                    && key.isPrivate() && key.size() >= 2048) {
                // The thumbprint, not whatever kid the file says, so the key id cannot drift from the key.
                return new RSAKey.Builder(key).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
                        .keyIDFromThumbprint().build();
            }
        } catch (ParseException | JOSEException unreadable) {
            throw new IOException(file + " is not a JWK; delete it to have a new key made", unreadable);
        }
        throw new IOException(file + " holds no RSA private key of 2048 bits or more; delete it to have one made");
    }

    private static RSAKey store(Path keyDir, RSAKey key) throws IOException {
        boolean posix = keyDir.getFileSystem().supportedFileAttributeViews().contains("posix");
        Files.createDirectories(keyDir, ownerOnly(posix, "rwx------"));
        // Written aside and renamed, so a crash never leaves a half-written key behind to be loaded next time.
        Path temp = Files.createTempFile(keyDir, ".dev-issuer-key", ".tmp", ownerOnly(posix, "rw-------"));
        try {
            Files.writeString(temp, key.toJSONString(), StandardCharsets.UTF_8);
            Files.move(temp, keyDir.resolve(KEY_FILE), StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        return key;
    }

    private static FileAttribute<?>[] ownerOnly(boolean posix, String permissions) {
        return posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                        permissions))}
                : new FileAttribute<?>[0];
    }
}
