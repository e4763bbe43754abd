package io.ora.portal.limits;

import io.github.bucket4j.Bucket;
import io.ora.core.limits.RateLimits;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * This node's in-memory buckets, used by {@link RateClass.WhenRedisDown#LOCAL} classes while Redis is unreachable.
 *
 * <p>Bounded: beyond {@code capacity} entries the least recently used bucket is dropped, so a flood of distinct
 * clients cannot exhaust the heap. A dropped bucket comes back full, so the bound must exceed the number of clients
 * active within one refill period; the clients that keep hitting the node are the ones that stay.
 */
final class LocalBuckets {

    private final Map<String, Bucket> buckets;

    LocalBuckets(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("ora.portal.rate-limits.local-buckets must be positive");
        }
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The bucket under {@code key}, created full with {@code limit} on first use. */
    synchronized Bucket bucket(String key, RateClass.Limit limit) {
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            // capacity per period, refilled continuously: the same bucket as capacity / period tokens a second.
            double perSecond = limit.capacity() * 1e9 / limit.period().toNanos();
            bucket = RateLimits.shared(perSecond, limit.capacity());
            buckets.put(key, bucket);
        }
        return bucket;
    }

    synchronized int size() {
        return buckets.size();
    }

    /** Forgets every bucket: once Redis is back, the shared buckets decide again. */
    synchronized void clear() {
        buckets.clear();
    }
}
