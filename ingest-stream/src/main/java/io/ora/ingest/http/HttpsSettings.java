package io.ora.ingest.http;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The telemetry endpoint's own configuration ({@code ora.ingest.https}), with the body limit it shares with the
 * filter ({@code ora.ingest.filter.max-bytes}), read once. The listener's (port, TLS, body timeout) is
 * {@code ora.device-https}, device-https's. Defaults live in {@code reference.conf}, never here.
 *
 * @param maxBytes              the largest request body accepted
 * @param unavailableRetryAfter the {@code Retry-After} of a 503
 */
record HttpsSettings(long maxBytes, Duration unavailableRetryAfter, RateLimit rateLimit) {

    /** Requests each hub may make per second, its burst, and how many hubs are tracked at most. */
    record RateLimit(double perSecond, int burst, long trackedHubs) {
        public RateLimit {
            if (perSecond <= 0 || burst < 1 || trackedHubs < 1) {
                throw new IllegalArgumentException("ora.ingest.https.rate-limit: per-second must be positive, burst"
                        + " and tracked-hubs at least 1");
            }
        }
    }

    /** Reads {@code ora.ingest.https} from a resolved config. */
    static HttpsSettings from(Config root) {
        Config c = root.getConfig("ora.ingest.https");
        Config r = c.getConfig("rate-limit");
        return new HttpsSettings(root.getMemorySize("ora.ingest.filter.max-bytes").toBytes(),
                c.getDuration("unavailable-retry-after"),
                new RateLimit(r.getDouble("per-second"), r.getInt("burst"), r.getLong("tracked-hubs")));
    }
}
