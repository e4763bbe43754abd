package io.ora.ingest.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ora.core.limits.TokenBucket;
import java.time.Duration;
import java.util.UUID;

/**
 * The per-hub request rate of the telemetry endpoint: one {@link TokenBucket} per hub, in this node's memory. At most
 * {@code trackedHubs} buckets are kept; the least recently seen hub is forgotten first, and comes back with a full
 * bucket, so a flood of distinct certificates costs bounded memory and never blocks a hub that behaves.
 */
final class HubRateLimit {

    private final Cache<UUID, TokenBucket> buckets;
    private final HttpsSettings.RateLimit settings;

    HubRateLimit(HttpsSettings.RateLimit settings) {
        this.settings = settings;
        this.buckets = Caffeine.newBuilder().maximumSize(settings.trackedHubs()).build();
    }

    /** Whether {@code hub} may make one more request now (and spends it if so). */
    boolean tryTake(UUID hub) {
        return buckets.get(hub, key -> new TokenBucket(settings.perSecond(), settings.burst())).tryTake();
    }

    /** How long a refused hub should wait: until its bucket holds a token again, in whole seconds. */
    Duration retryAfter() {
        return Duration.ofSeconds((long) Math.max(1, Math.ceil(1 / settings.perSecond())));
    }
}
