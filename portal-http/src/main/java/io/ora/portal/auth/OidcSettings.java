package io.ora.portal.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the portal authenticates HTTP callers: {@code ora.portal.oidc}, documented in docs/configuration.md. Every
 * value comes from config (defaults live in reference.conf); {@link #from} refuses a section that would weaken
 * verification, above all a symmetric ({@code HS*}) or {@code none} algorithm, whatever the config says.
 *
 * @param issuer     the OIDC issuer URL, compared exactly with {@code iss}; empty means the node's own dev issuer
 * @param audience   the value {@code aud} must contain
 * @param rolesClaim the claim holding the caller's roles (a string or an array of strings)
 * @param clockSkew  tolerance for {@code exp} and {@code nbf}
 * @param algorithms the asymmetric JWS algorithms accepted
 * @param jwks       how the issuer's keys are cached and refetched
 * @param http       bounds on every request to the issuer
 * @param devIssuer  the development issuer, used only when {@code issuer} is empty
 */
public record OidcSettings(String issuer, String audience, String rolesClaim, Duration clockSkew,
                           Set<JWSAlgorithm> algorithms, Jwks jwks, Http http, DevIssuerSettings devIssuer) {

    private static final Pattern URL_PATH = Pattern.compile("[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*");

    /**
     * The issuer's key set cache.
     *
     * @param cacheTtl           how long a fetched key set is used before it is fetched again
     * @param refreshTimeout     how long a verification waits for a fetch another thread started
     * @param minRefreshInterval window in which at most two fetches happen, however many unknown key ids arrive
     */
    public record Jwks(Duration cacheTtl, Duration refreshTimeout, Duration minRefreshInterval) {
    }

    /**
     * Bounds on discovery and key set requests.
     *
     * @param connectTimeout TCP connect timeout
     * @param readTimeout    read timeout
     * @param sizeLimit      largest response body accepted, in bytes
     */
    public record Http(Duration connectTimeout, Duration readTimeout, int sizeLimit) {
    }

    /**
     * The development issuer ({@link io.ora.portal.dev.DevIssuer}).
     *
     * @param keyDir   where its signing key is kept
     * @param tokenTtl lifetime of the tokens it mints
     * @param path     URL path it is served under, without leading or trailing slash
     */
    public record DevIssuerSettings(Path keyDir, Duration tokenTtl, String path) {
    }

    public OidcSettings {
        algorithms = Collections.unmodifiableSet(new LinkedHashSet<>(algorithms));
    }

    /** Reads and checks {@code section}, the {@code ora.portal.oidc} config object. */
    public static OidcSettings from(Config section) {
        String issuer = section.getString("issuer");
        if (!issuer.isEmpty()) {
            checkIssuer(section, issuer);
        }
        String audience = nonBlank(section, "audience");
        String rolesClaim = nonBlank(section, "roles-claim");
        Duration clockSkew = positive(section, "clock-skew", true);

        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        for (String name : section.getStringList("algorithms")) {
            JWSAlgorithm algorithm = JWSAlgorithm.parse(name);
            // Only public-key signatures: with HMAC anyone who holds the published key could mint tokens.
            if (!JWSAlgorithm.Family.SIGNATURE.contains(algorithm)) {
                throw bad(section, "algorithms", "only asymmetric JWS algorithms are accepted, not " + name);
            }
            algorithms.add(algorithm);
        }
        if (algorithms.isEmpty()) {
            throw bad(section, "algorithms", "at least one algorithm is needed");
        }

        Jwks jwks = new Jwks(positive(section, "jwks.cache-ttl", false),
                positive(section, "jwks.refresh-timeout", false),
                positive(section, "jwks.min-refresh-interval", false));
        if (jwks.minRefreshInterval().compareTo(jwks.cacheTtl()) >= 0) {
            throw bad(section, "jwks.min-refresh-interval", "must be shorter than jwks.cache-ttl");
        }
        long sizeLimit = section.getMemorySize("http.size-limit").toBytes();
        if (sizeLimit < 1 || sizeLimit > Integer.MAX_VALUE) {
            throw bad(section, "http.size-limit", "must be between 1 byte and 2GiB");
        }
        Http http = new Http(millis(section, "http.connect-timeout"), millis(section, "http.read-timeout"),
                (int) sizeLimit);

        String path = section.getString("dev-issuer.path");
        if (!URL_PATH.matcher(path).matches()) {
            throw bad(section, "dev-issuer.path", "must be URL path segments without leading or trailing slash");
        }
        DevIssuerSettings dev = new DevIssuerSettings(Path.of(section.getString("dev-issuer.key-dir")),
                positive(section, "dev-issuer.token-ttl", false), path);
        return new OidcSettings(issuer, audience, rolesClaim, clockSkew, algorithms, jwks, http, dev);
    }

    /** Whether the node runs its own development issuer because no external one is configured. */
    public boolean usesDevIssuer() {
        return issuer.isEmpty();
    }

    /** Whether {@code url} may carry keys: https, or plain http only on this machine (dev issuer, tests). */
    static boolean trustworthy(URI url) {
        if ("https".equals(url.getScheme())) {
            return url.getHost() != null;
        }
        String host = url.getHost();
        return "http".equals(url.getScheme()) && host != null
                && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
    }

    private static void checkIssuer(Config section, String issuer) {
        try {
            URI url = new URI(issuer);
            if (!trustworthy(url) || url.getRawQuery() != null || url.getRawFragment() != null) {
                throw bad(section, "issuer", "must be an https URL without query or fragment"
                        + " (plain http is allowed for localhost only)");
            }
        } catch (URISyntaxException notAUrl) {
            throw bad(section, "issuer", "is not a URL");
        }
    }

    private static String nonBlank(Config section, String key) {
        String value = section.getString(key);
        if (value.isBlank()) {
            throw bad(section, key, "must not be empty");
        }
        return value;
    }

    private static Duration positive(Config section, String key, boolean zeroAllowed) {
        Duration value = section.getDuration(key);
        if (value.isNegative() || (!zeroAllowed && value.isZero())) {
            throw bad(section, key, zeroAllowed ? "must not be negative" : "must be positive");
        }
        return value;
    }

    private static Duration millis(Config section, String key) {
        Duration value = positive(section, key, false);
        if (value.toMillis() < 1 || value.toMillis() > Integer.MAX_VALUE) {
            throw bad(section, key, "must be between 1ms and 24 days");
        }
        return value;
    }

    private static ConfigException bad(Config section, String key, String why) {
        return new ConfigException.BadValue(section.origin(), key, why);
    }
}
