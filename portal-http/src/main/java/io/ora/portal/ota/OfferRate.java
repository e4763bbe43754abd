package io.ora.portal.ota;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.codec.StringCodec;
import io.ora.persistence.LazyConnection;
import io.ora.persistence.Redis;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The per-minute cap on a rollout's offers (docs/ota.md, "Rate"): at most {@code cap} offers in each minute of the
 * clock, counted across the cluster in Redis (one atomic INCR a minute's first offer also gives an expiry); while
 * Redis does not answer, each node counts its own, so the cap then holds per node. Keys name the rollout and the
 * minute only.
 */
class OfferRate implements AutoCloseable {

    private static final String SCRIPT = "local n = redis.call('INCR', KEYS[1]) "
            + "if n == 1 then redis.call('PEXPIRE', KEYS[1], 120000) end return n";

    private final LazyConnection<String, String> redis;
    private final String prefix;
    private final Map<String, AtomicInteger> local = new ConcurrentHashMap<>();

    OfferRate(Redis redis) {
        this.redis = redis.lazyConnection(StringCodec.UTF8);
        this.prefix = redis.keyPrefix() + "ota:offers:";
    }

    /** Takes one offer of {@code rollout} in {@code minute} (epoch minutes); false when the cap is reached. */
    CompletionStage<Boolean> tryOffer(UUID rollout, long minute, int cap) {
        String key = prefix + rollout + ":" + minute;
        return redis.get()
                .thenCompose(connection -> connection.async().<Long>eval(SCRIPT, ScriptOutputType.INTEGER,
                        new String[] {key}))
                .thenApply(count -> count <= cap)
                .exceptionally(unreachable -> locally(key, minute, cap));
    }

    private boolean locally(String key, long minute, int cap) {
        // Old minutes are dropped as new ones come, so the map holds at most a few keys per open rollout.
        local.keySet().removeIf(k -> !k.endsWith(":" + minute));
        return local.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() <= cap;
    }

    @Override
    public void close() {
        redis.close();
    }
}
