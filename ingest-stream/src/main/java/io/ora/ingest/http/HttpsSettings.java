package io.ora.ingest.http;

import com.typesafe.config.Config;
import io.ora.device.https.HubRateLimit;
import java.time.Duration;

/**
 * The telemetry endpoint's own configuration ({@code ora.ingest.https}), with the body limit it shares with the
 * filter ({@code ora.ingest.filter.max-bytes}), read once. The listener's (port, TLS, body timeout) is
 * {@code ora.device-https}, device-https's. Defaults live in {@code reference.conf}, never here.
 *
 * @param maxBytes              the largest request body accepted
 * @param unavailableRetryAfter the {@code Retry-After} of a 503
 */
record HttpsSettings(long maxBytes, Duration unavailableRetryAfter, HubRateLimit.Settings rateLimit) {

    /** Reads {@code ora.ingest.https} from a resolved config. */
    static HttpsSettings from(Config root) {
        Config c = root.getConfig("ora.ingest.https");
        return new HttpsSettings(root.getMemorySize("ora.ingest.filter.max-bytes").toBytes(),
                c.getDuration("unavailable-retry-after"),
                HubRateLimit.Settings.from(c.getConfig("rate-limit")));
    }
}
