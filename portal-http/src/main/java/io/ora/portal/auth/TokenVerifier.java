package io.ora.portal.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.ora.portal.auth.InvalidTokenException.Reason;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a bearer access token into a {@link Caller}, or refuses it with an {@link InvalidTokenException}.
 *
 * <p>A token is accepted only if: it is at most 8 KiB; it is a JWS whose {@code alg} is one of
 * {@code ora.portal.oidc.algorithms} (never {@code none} or HMAC) and whose key, found by {@code kid} in the issuer's
 * published JWK set, fits that algorithm (kty and, where the key states one, alg); its {@code typ} is {@code JWT},
 * {@code at+jwt} or absent; the signature holds; {@code iss} is the configured issuer exactly; {@code aud} contains
 * the configured audience; {@code sub} is present; {@code exp} has not passed and {@code nbf}, if present, has, both
 * within the configured clock skew. Signatures are checked before claims, so a forged token learns nothing.
 *
 * <p>Nothing is fetched at construction. The first verification reads the issuer's discovery document, refuses it
 * unless its {@code issuer} is the configured one, and from then on keeps the keys from its {@code jwks_uri} in a
 * cache ({@code jwks.cache-ttl}); an unknown {@code kid} refetches them, at most twice per
 * {@code jwks.min-refresh-interval}. A failed discovery is retried on a later call, at most once per that interval.
 * Keys are never kept past their TTL when the issuer is down: a token then fails as {@code issuer_unreachable}.
 *
 * <p>Thread-safe. {@link #verify} blocks on the network when discovery or a key fetch is due, bounded by
 * {@code ora.portal.oidc.http}; callers run it on the portal's blocking dispatcher, not on a route's thread.
 */
public final class TokenVerifier {

    /** Tokens longer than this are refused before any parsing; real access tokens are a fraction of it. */
    static final int MAX_TOKEN_LENGTH = 8 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(TokenVerifier.class);
    private static final DefaultJOSEObjectTypeVerifier<SecurityContext> TYPES = new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null);

    private final OidcSettings settings;
    private final String issuer;
    private final Clock clock;
    private final DefaultResourceRetriever retriever;
    private final Object discovery = new Object();
    private volatile DefaultJWTProcessor<SecurityContext> processor;
    private Instant nextDiscovery = Instant.MIN; // guarded by discovery
    private Reason discoveryFailure; // guarded by discovery
    private volatile boolean keysUnavailable;

    private TokenVerifier(OidcSettings settings, String issuer, Clock clock) {
        this.settings = settings;
        this.issuer = issuer;
        this.clock = clock;
        this.retriever = new DefaultResourceRetriever((int) settings.http().connectTimeout().toMillis(),
                (int) settings.http().readTimeout().toMillis(), settings.http().sizeLimit());
    }

    /**
     * A verifier for tokens from {@code issuerUrl} (the configured issuer, or the dev issuer's URL). Does no I/O.
     */
    public static TokenVerifier create(OidcSettings settings, String issuerUrl) {
        return create(settings, issuerUrl, Clock.systemUTC());
    }

    /** With {@code clock} deciding token validity and when discovery may be retried. */
    static TokenVerifier create(OidcSettings settings, String issuerUrl, Clock clock) {
        if (issuerUrl == null || issuerUrl.isEmpty()) {
            throw new IllegalArgumentException("an issuer URL is needed");
        }
        return new TokenVerifier(settings, issuerUrl, clock);
    }

    /** The issuer whose tokens this accepts. */
    public String issuerUrl() {
        return issuer;
    }

    /**
     * The caller {@code compactJwt} (the bearer token, without {@code Bearer }) establishes.
     *
     * @throws InvalidTokenException when the token is not accepted or cannot be checked now
     */
    public Caller verify(String compactJwt) throws InvalidTokenException {
        if (compactJwt == null || compactJwt.isEmpty() || compactJwt.length() > MAX_TOKEN_LENGTH) {
            throw new InvalidTokenException(Reason.MALFORMED);
        }
        SignedJWT jwt = parse(compactJwt);
        JWTClaimsSet claims;
        try {
            claims = processor().process(jwt, null);
        } catch (ClaimsRefused refused) {
            throw new InvalidTokenException(refused.reason);
        } catch (BadJWSException forged) {
            throw new InvalidTokenException(Reason.BAD_SIGNATURE);
        } catch (BadJWTException notClaims) {
            throw new InvalidTokenException(Reason.MALFORMED);
        } catch (BadJOSEException noKey) {
            // Type and algorithm were checked in parse(), so what is left is a kid the issuer does not publish.
            throw new InvalidTokenException(Reason.UNKNOWN_KEY);
        } catch (RateLimitReachedException notRefetched) {
            // Held back from fetching: the kid is unknown to keys we have, or we have none because the issuer is down.
            throw new InvalidTokenException(keysUnavailable ? Reason.ISSUER_UNREACHABLE : Reason.UNKNOWN_KEY);
        } catch (KeySourceException unreachable) {
            LOG.warn("keys of OIDC issuer {} unavailable: {}", issuer, unreachable.getMessage());
            throw new InvalidTokenException(Reason.ISSUER_UNREACHABLE, unreachable);
        } catch (JOSEException unusableKey) {
            throw new InvalidTokenException(Reason.BAD_SIGNATURE);
        }
        return caller(claims);
    }

    private SignedJWT parse(String compactJwt) throws InvalidTokenException {
        JWT parsed;
        try {
            parsed = JWTParser.parse(compactJwt);
        } catch (ParseException malformed) {
            throw new InvalidTokenException(Reason.MALFORMED);
        }
        // Unsecured (alg none) and encrypted tokens parse as other JWT types.
        if (!(parsed instanceof SignedJWT jwt) || !settings.algorithms().contains(jwt.getHeader().getAlgorithm())) {
            throw new InvalidTokenException(Reason.ALGORITHM_NOT_ALLOWED);
        }
        try {
            TYPES.verify(jwt.getHeader().getType(), null);
        } catch (BadJOSEException wrongType) {
            throw new InvalidTokenException(Reason.MALFORMED);
        }
        return jwt;
    }

    private Caller caller(JWTClaimsSet claims) throws InvalidTokenException {
        String subject = claims.getSubject();
        Date expiry = claims.getExpirationTime();
        if (subject == null || subject.isBlank() || expiry == null) {
            throw new InvalidTokenException(Reason.MALFORMED);
        }
        try {
            return new Caller(subject, roles(claims.getClaim(settings.rolesClaim())),
                    Optional.ofNullable(claims.getDateClaim("auth_time")).map(Date::toInstant),
                    Optional.ofNullable(claims.getStringClaim("acr")),
                    Optional.ofNullable(claims.getStringClaim("name")),
                    Optional.ofNullable(claims.getStringClaim("email")),
                    expiry.toInstant());
        } catch (ParseException wrongType) {
            throw new InvalidTokenException(Reason.MALFORMED);
        }
    }

    /** A string or an array of strings; names the portal does not know grant nothing. */
    private static Set<Role> roles(Object claim) throws ParseException {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        if (claim instanceof String name) {
            Role.fromWire(name).ifPresent(roles::add);
        } else if (claim instanceof List<?> names) {
            for (Object name : names) {
                if (!(name instanceof String wire)) {
                    throw new ParseException("roles claim holds a non-string", 0);
                }
                Role.fromWire(wire).ifPresent(roles::add);
            }
        } else if (claim != null) {
            throw new ParseException("roles claim is neither a string nor an array", 0);
        }
        return roles;
    }

    private DefaultJWTProcessor<SecurityContext> processor() throws InvalidTokenException {
        DefaultJWTProcessor<SecurityContext> ready = processor;
        if (ready != null) {
            return ready;
        }
        synchronized (discovery) {
            if (processor == null) {
                processor = discover();
            }
            return processor;
        }
    }

    /** Called holding the lock, so concurrent first calls make one discovery request, not one each. */
    private DefaultJWTProcessor<SecurityContext> discover() throws InvalidTokenException {
        Instant now = clock.instant();
        if (now.isBefore(nextDiscovery)) {
            throw new InvalidTokenException(discoveryFailure);
        }
        nextDiscovery = now.plus(settings.jwks().minRefreshInterval());
        try {
            URL jwksUri = jwksUri();
            LOG.info("OIDC issuer {} discovered; its keys are at {}", issuer, jwksUri);
            DefaultJWTProcessor<SecurityContext> built = new DefaultJWTProcessor<>();
            built.setJWSTypeVerifier(TYPES);
            built.setJWSKeySelector(new JWSVerificationKeySelector<>(settings.algorithms(), keys(jwksUri)));
            built.setJWTClaimsSetVerifier(new ClaimsCheck());
            return built;
        } catch (InvalidTokenException failed) {
            discoveryFailure = failed.reason();
            LOG.warn("OIDC issuer {} not usable ({}), retrying after {}: {}", issuer, failed.reason().code(),
                    settings.jwks().minRefreshInterval(),
                    failed.getCause() == null ? "its discovery document names another issuer"
                            : failed.getCause().getMessage());
            throw failed;
        }
    }

    private URL jwksUri() throws InvalidTokenException {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        try {
            Map<String, Object> document = JSONObjectUtils.parse(
                    retriever.retrieveResource(URI.create(base + "/.well-known/openid-configuration").toURL())
                            .getContent());
            if (!issuer.equals(JSONObjectUtils.getString(document, "issuer"))) {
                throw new InvalidTokenException(Reason.ISSUER_MISMATCH);
            }
            URI jwks = JSONObjectUtils.getURI(document, "jwks_uri");
            if (jwks == null || !OidcSettings.trustworthy(jwks)) {
                throw new ParseException("jwks_uri missing, or neither https nor on localhost", 0);
            }
            return jwks.toURL();
        } catch (IOException | ParseException | IllegalArgumentException unusable) {
            throw new InvalidTokenException(Reason.ISSUER_UNREACHABLE, unusable);
        }
    }

    private JWKSource<SecurityContext> keys(URL jwksUri) {
        OidcSettings.Jwks jwks = settings.jwks();
        // No outage tolerance and no refresh-ahead: a key is never used past its TTL, and nothing runs in the
        // background. Retrying is off so one verification makes at most one request.
        return JWKSourceBuilder.create(new KeyFetches(new URLBasedJWKSetSource<>(jwksUri, retriever)))
                .cache(jwks.cacheTtl().toMillis(), jwks.refreshTimeout().toMillis())
                .refreshAheadCache(false)
                .rateLimited(jwks.minRefreshInterval().toMillis())
                .retrying(false)
                .outageTolerant(false)
                .build();
    }

    /** Remembers whether the last key fetch failed. */
    private final class KeyFetches implements JWKSetSource<SecurityContext> {

        private final JWKSetSource<SecurityContext> source;

        KeyFetches(JWKSetSource<SecurityContext> source) {
            this.source = source;
        }

        @Override
        public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refresh, long currentTime, SecurityContext context)
                throws KeySourceException {
            try {
                JWKSet fetched = source.getJWKSet(refresh, currentTime, context);
                keysUnavailable = false;
                return fetched;
            } catch (KeySourceException failed) {
                keysUnavailable = true;
                throw failed;
            }
        }

        @Override
        public void close() throws IOException {
            source.close();
        }
    }

    /** Nimbus' claim checks, with the reason for a refusal worked out from the claims rather than its message. */
    private final class ClaimsCheck extends DefaultJWTClaimsVerifier<SecurityContext> {

        ClaimsCheck() {
            super(Set.of(settings.audience()), new JWTClaimsSet.Builder().issuer(issuer).build(),
                    Set.of("iss", "sub", "aud", "exp"), null);
            setMaxClockSkew(Math.toIntExact(settings.clockSkew().toSeconds()));
        }

        @Override
        protected Date currentTime() {
            return Date.from(clock.instant());
        }

        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            try {
                super.verify(claims, context);
            } catch (BadJWTException refused) {
                throw new ClaimsRefused(reasonFor(claims, refused));
            }
        }

        private Reason reasonFor(JWTClaimsSet claims, BadJWTException refused) {
            if (refused instanceof ExpiredJWTException) {
                return Reason.EXPIRED;
            }
            if (!issuer.equals(claims.getIssuer())) {
                return Reason.WRONG_ISSUER;
            }
            if (claims.getAudience() == null || !claims.getAudience().contains(settings.audience())) {
                return Reason.WRONG_AUDIENCE;
            }
            Date notBefore = claims.getNotBeforeTime();
            if (notBefore != null && !notBefore.toInstant().isBefore(clock.instant().plus(settings.clockSkew()))) {
                return Reason.NOT_YET_VALID;
            }
            return Reason.MALFORMED;
        }
    }

    /** Carries the reason out of nimbus' processor, which only lets a {@link BadJWTException} through. */
    private static final class ClaimsRefused extends BadJWTException {

        private static final long serialVersionUID = 1L;
        private final transient Reason reason;

        ClaimsRefused(Reason reason) {
            super(reason.code());
            this.reason = reason;
        }
    }
}
