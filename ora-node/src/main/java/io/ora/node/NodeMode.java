package io.ora.node;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What kind of node this is ({@code ora.node.mode}, {@code ORA_MODE}), and the one place that knows which development
 * defaults a configuration falls back to. A development node (the default: {@code java -jar ora-node.jar}) embeds
 * everything and says so; a production node refuses to start while any development default is in effect, naming
 * every setting that would replace one, before it starts or generates anything.
 */
enum NodeMode {
    DEVELOPMENT("development"),
    PRODUCTION("production");

    private static final String GENERATED_SECRET = "a secret would be generated in a local file, different on every"
            + " node";

    private final String value;

    NodeMode(String value) {
        this.value = value;
    }

    /** The configured mode; an unknown value is refused, never taken for either mode. */
    static NodeMode of(Config config) {
        String configured = config.getString("ora.node.mode");
        return Arrays.stream(values()).filter(mode -> mode.value.equals(configured)).findFirst()
                .orElseThrow(() -> new StartRefused("ora.node.mode (ORA_MODE) is \"" + configured
                        + "\"; it must be \"development\" or \"production\""));
    }

    /**
     * Refuses a production configuration that falls back to a development default, with one message naming them
     * all; returns the mode otherwise.
     */
    static NodeMode check(Config config) {
        NodeMode mode = of(config);
        List<Fallback> defaults = developmentDefaults(config);
        if (mode == PRODUCTION && !defaults.isEmpty()) {
            throw new StartRefused("ORA_MODE=production, but this node would fall back to development defaults."
                    + " Set:\n  - " + String.join("\n  - ", defaults.stream().map(Fallback::toString).toList())
                    + "\n(docs/configuration.md, \"Development and production\")");
        }
        return mode;
    }

    /** The line a development node logs and prints at start: what it is, and what is in effect. */
    static String developmentNotice(Config config) {
        List<Fallback> defaults = developmentDefaults(config);
        return "development node (ORA_MODE=development): listeners default to 127.0.0.1"
                + (defaults.isEmpty() ? "" : "; development defaults in effect until set: "
                        + String.join(", ", defaults.stream().map(Fallback::setting).toList()))
                + ". Not for production: ORA_MODE=production refuses to start on any development default"
                + " (docs/configuration.md)";
    }

    /** Every development default in effect for this node's roles. */
    static List<Fallback> developmentDefaults(Config config) {
        Set<String> roles = Set.copyOf(config.getStringList("pekko.cluster.roles"));
        boolean portal = roles.contains("portal");
        List<Fallback> defaults = new ArrayList<>();
        if (portal && config.getString("ora.portal.oidc.issuer").isBlank()) {
            defaults.add(new Fallback("ORA_OIDC_ISSUER",
                    "the development issuer would mint tokens for any role, operator included"));
        }
        if (config.getBoolean("ora.node.dev-pki")) {
            defaults.add(new Fallback("ORA_DEV_PKI=off, with ORA_TLS_CA, ORA_TLS_CERTIFICATE and ORA_TLS_KEY",
                    "a development CA and server certificate would be generated"));
        }
        if (config.getString("ora.db.url").isBlank()) {
            defaults.add(new Fallback("ORA_DB_URL", "an embedded PostgreSQL would hold the data on local disk"));
        }
        if (config.getString("ora.redis.url").isBlank()) {
            defaults.add(new Fallback("ORA_REDIS_URL", "an embedded Redis would keep limits and caches to this node"));
        }
        if ((portal || roles.contains("ingest")) && config.getString("ora.telemetry.pseudonym-secret").isBlank()) {
            defaults.add(new Fallback("ORA_TELEMETRY_PSEUDONYM_SECRET", GENERATED_SECRET));
        }
        if (portal && config.getString("ora.portal.handover.access-key-secret").isBlank()) {
            defaults.add(new Fallback("ORA_ACCESS_KEY_SECRET", GENERATED_SECRET));
        }
        if (portal && config.getString("ora.portal.rate-limits.key-hash-secret").isBlank()) {
            defaults.add(new Fallback("ORA_RATE_LIMIT_KEY_SECRET",
                    "users and addresses in Redis key names would be plain SHA-256 hashes, reversible for IPv4"));
        }
        if (portal && !config.getString("ora.ota.root-public-key-file").isBlank()
                && URI.create(config.getString("ora.ota.download-base-url")).getHost() != null
                && isLoopback(URI.create(config.getString("ora.ota.download-base-url")).getHost())) {
            defaults.add(new Fallback("ORA_OTA_DOWNLOAD_BASE_URL",
                    "firmware offers would send hubs to a loopback address to download"));
        }
        String management = managementInterface(config);
        if (!isLoopback(management) && !config.getBoolean("ora.node.management-exposed")) {
            defaults.add(new Fallback("ORA_MANAGEMENT_BIND_HOST (or ORA_MANAGEMENT_HOST) on loopback, or"
                    + " ORA_MANAGEMENT_EXPOSED=on where the network keeps it private",
                    "management would listen on " + management));
        }
        return List.copyOf(defaults);
    }

    /** The interface pekko-management binds: its bind-hostname, or its hostname when that is empty. */
    static String managementInterface(Config config) {
        String bind = config.getString("pekko.management.http.bind-hostname");
        return bind.isBlank() ? config.getString("pekko.management.http.hostname") : bind;
    }

    /** Whether every address {@code host} names is a loopback one; a name that does not resolve is not. */
    static boolean isLoopback(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.isBlank()) {
            return false;
        }
        try {
            return Arrays.stream(InetAddress.getAllByName(bare)).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A development default in effect: the setting that replaces it, and what the default would do. */
    record Fallback(String setting, String instead) {
        @Override
        public String toString() {
            return setting + " (" + instead + ")";
        }
    }

    /** The node does not start: its configuration is refused, for the reasons the message gives. */
    static final class StartRefused extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        StartRefused(String message) {
            super(message);
        }
    }
}
