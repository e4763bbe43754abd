package io.ora.ingest.http;

import com.typesafe.config.Config;
import io.ora.core.pki.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code ora.ingest.https} configuration section, read once, with the body limit it shares with the filter
 * ({@code ora.ingest.filter.max-bytes}). Defaults live in {@code reference.conf}, never here.
 *
 * @param enabled               whether the ingest role opens the listener (the node decides; see {@link IngestHttps})
 * @param iface                 the interface to bind
 * @param port                  the port to bind; 0 for any free one
 * @param maxBytes              the largest request body accepted
 * @param bodyTimeout           how long a client may take to send its body
 * @param unavailableRetryAfter the {@code Retry-After} of a 503
 */
public record HttpsSettings(boolean enabled, String iface, int port, long maxBytes, Duration bodyTimeout,
                            Duration unavailableRetryAfter, RateLimit rateLimit, Tls tls) {

    /** Requests each hub may make per second, its burst, and how many hubs are tracked at most. */
    public record RateLimit(double perSecond, int burst, long trackedHubs) {
        public RateLimit {
            if (perSecond <= 0 || burst < 1 || trackedHubs < 1) {
                throw new IllegalArgumentException("ora.ingest.https.rate-limit: per-second must be positive, burst"
                        + " and tracked-hubs at least 1");
            }
        }
    }

    /** The device CA, the server's chain and key, the serial deny-list, and how often they are checked. */
    public record Tls(TlsFiles files, Duration reloadInterval) {
    }

    /** Reads {@code ora.ingest.https} from a resolved config. */
    public static HttpsSettings from(Config root) {
        Config c = root.getConfig("ora.ingest.https");
        Config r = c.getConfig("rate-limit");
        Config t = c.getConfig("tls");
        return new HttpsSettings(c.getBoolean("enabled"), c.getString("interface"), c.getInt("port"),
                root.getMemorySize("ora.ingest.filter.max-bytes").toBytes(), c.getDuration("body-timeout"),
                c.getDuration("unavailable-retry-after"),
                new RateLimit(r.getDouble("per-second"), r.getInt("burst"), r.getLong("tracked-hubs")),
                new Tls(new TlsFiles(Path.of(t.getString("ca")), Path.of(t.getString("certificate")),
                        Path.of(t.getString("key")), Path.of(t.getString("revoked-serials"))),
                        t.getDuration("reload-interval")));
    }
}
