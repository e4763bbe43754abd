package io.ora.device.https;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.typesafe.config.Config;
import io.github.bucket4j.Bucket;
import io.ora.core.limits.RateLimits;
import java.time.Duration;
import java.util.UUID;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;

/**
 * A per-hub request rate for a route on the device listener: one token bucket per hub, in this node's memory.
 * At most {@code trackedHubs} buckets are kept; the least recently seen hub is forgotten first, and comes back with a
 * full bucket, so a flood of distinct certificates costs bounded memory and never blocks a hub that behaves. Each
 * role that mounts routes keeps its own, configured under its own keys, so one role's traffic never spends another's.
 */
public final class HubRateLimit {

    private final Cache<UUID, Bucket> buckets;
    private final Settings settings;

    /** Requests each hub may make per second, its burst, and how many hubs are tracked at most. */
    public record Settings(double perSecond, int burst, long trackedHubs) {
        public Settings {
            if (perSecond <= 0 || burst < 1 || trackedHubs < 1) {
                throw new IllegalArgumentException("rate-limit: per-second must be positive, burst and tracked-hubs"
                        + " at least 1");
            }
        }

        /** Reads {@code per-second}, {@code burst} and {@code tracked-hubs} from {@code section}. */
        public static Settings from(Config section) {
            return new Settings(section.getDouble("per-second"), section.getInt("burst"),
                    section.getLong("tracked-hubs"));
        }
    }

    public HubRateLimit(Settings settings) {
        this.settings = settings;
        this.buckets = Caffeine.newBuilder().maximumSize(settings.trackedHubs()).build();
    }

    /** Whether {@code hub} may make one more request now (and spends it if so). */
    public boolean tryTake(UUID hub) {
        // Requests of one hub may be served on several threads at once: the thread-safe kind.
        return buckets.get(hub, key -> RateLimits.shared(settings.perSecond(), settings.burst())).tryConsume(1);
    }

    /** How long a refused hub should wait: until its bucket holds a token again, in whole seconds. */
    public Duration retryAfter() {
        return Duration.ofSeconds((long) Math.max(1, Math.ceil(1 / settings.perSecond())));
    }

    /** The answer to a refused request: 429 {@code rate-limited} with {@code Retry-After}. */
    public HttpResponse refusal() {
        return Problem.typed("rate-limited", "Too many requests", StatusCodes.TOO_MANY_REQUESTS,
                "this hub makes requests faster than allowed; retry later").toResponse()
                .addHeader(RetryAfter.create(retryAfter().toSeconds()));
    }
}
