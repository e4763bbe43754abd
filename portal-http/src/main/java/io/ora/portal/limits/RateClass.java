package io.ora.portal.limits;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A class of routes that share one set of limits, configured under {@code ora.portal.rate-limits.classes.<name>}:
 * a per-IP limit, optionally a per-user limit (a class for unauthenticated routes has none), and what to do while
 * Redis cannot be reached.
 *
 * <p>Guarantees: a class read from config is complete and valid (positive capacities and periods, a known
 * {@code when-redis-down}, a name that is safe inside a Redis key), or reading fails at start.
 */
public record RateClass(String name, Optional<Limit> perUser, Limit perIp, WhenRedisDown whenRedisDown) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    public RateClass {
        requireValidName(name);
    }

    /**
     * A token bucket of {@code capacity} tokens refilled greedily at {@code capacity} per {@code period}: a burst of
     * up to {@code capacity} requests, then one every {@code period / capacity}.
     */
    public record Limit(long capacity, Duration period) {
        public Limit {
            if (capacity <= 0 || period.isZero() || period.isNegative()) {
                throw new IllegalArgumentException("a limit needs a positive capacity and period");
            }
        }

        /** How long one token takes to come back. */
        public Duration timePerToken() {
            return period.dividedBy(capacity);
        }

        /** Names the limit inside a Redis key, so that changing a limit starts fresh buckets under new keys. */
        String tag() {
            return capacity + "-" + period;
        }
    }

    /** What a class does while Redis does not answer. */
    public enum WhenRedisDown {
        /**
         * Keep limiting with in-memory buckets on each node: every node enforces the limit on its own, so a client
         * spread over N nodes gets up to N times the limit. For routes where serving is worth more than exactness.
         */
        LOCAL,
        /**
         * Refuse as unavailable (the HTTP layer answers 503 with Retry-After): for routes whose limit is a security
         * control and must not be multiplied by the number of nodes.
         */
        FAIL_CLOSED;

        static WhenRedisDown parse(String value) {
            return switch (value) {
                case "local" -> LOCAL;
                case "fail-closed" -> FAIL_CLOSED;
                default -> throw new IllegalArgumentException("when-redis-down must be local or fail-closed: " + value);
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Every class under {@code classes} (the {@code ora.portal.rate-limits.classes} object), by name. */
    public static Map<String, RateClass> fromConfig(Config classes) {
        Map<String, RateClass> byName = new LinkedHashMap<>();
        for (String name : classes.root().keySet()) {
            // Checked first: a valid name needs no quoting as a config path.
            Config rateClass = classes.getConfig(requireValidName(name));
            Optional<Limit> perUser = rateClass.hasPath("per-user")
                    ? Optional.of(limit(rateClass.getConfig("per-user")))
                    : Optional.empty();
            byName.put(name, new RateClass(name, perUser, limit(rateClass.getConfig("per-ip")),
                    WhenRedisDown.parse(rateClass.getString("when-redis-down"))));
        }
        return Map.copyOf(byName);
    }

    private static String requireValidName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("rate class name must match " + NAME + ": " + name);
        }
        return name;
    }

    private static Limit limit(Config limit) {
        return new Limit(limit.getLong("capacity"), limit.getDuration("period"));
    }
}
