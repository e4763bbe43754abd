package io.ora.portal.limits;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The shared buckets in Redis: every bucket of one request (the user's, then the address's) checked and spent in one
 * atomic Lua script, so one round trip decides a request however many nodes and requests contend for a bucket. (A
 * compare-and-swap bucket retries under contention: a busy user or a shared address would turn each request into
 * several round trips, which is exactly when a limiter must stay cheap.)
 *
 * <p>Each bucket is a GCRA cell, the token bucket expressed as one number: the "theoretical arrival time" of the
 * next request, in microseconds of Redis's own clock (so nodes' clocks do not matter). With capacity {@code C} per
 * period {@code P}, a token is worth {@code P/C}; a request is allowed when its arrival time minus {@code P} is not
 * in the future, which allows a burst of {@code C} and then {@code C} per {@code P}: the same limit as a greedily
 * refilled bucket. The script writes nothing unless every bucket allows the request, so a request refused by the
 * address costs the user nothing and one refused for the user costs the address nothing. Each key expires once its
 * bucket would be full again, plus {@code keepAfterRefill}.
 */
final class SharedBuckets {

    /** One bucket of a request: its key and limit. */
    record Bucket(String key, RateClass.Limit limit) {
    }

    /** The script's answer: allowed, or refused by bucket {@code index} until {@code retryAfter} has passed. */
    record Verdict(boolean allowed, int index, Duration retryAfter) {
    }

    private static final String SCRIPT = String.join("\n",
            "local t = redis.call('TIME')",
            "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])",
            "local keep = tonumber(ARGV[#ARGV])",
            "local next = {}",
            "for i = 1, #KEYS do",
            "  local interval = tonumber(ARGV[2 * i - 1])",
            "  local period = tonumber(ARGV[2 * i])",
            "  local tat = tonumber(redis.call('GET', KEYS[i]) or now)",
            "  if tat < now then tat = now end",
            "  local candidate = tat + interval",
            "  if candidate - period > now then",
            "    return {i, candidate - period - now}",
            "  end",
            "  next[i] = candidate",
            "end",
            "for i = 1, #KEYS do",
            "  redis.call('SET', KEYS[i], string.format('%.0f', next[i]), 'PX',",
            "    math.ceil((next[i] - now) / 1000) + keep)",
            "end",
            "return {0, 0}");

    private static final String SHA = sha1(SCRIPT);

    private final Duration keepAfterRefill;

    SharedBuckets(Duration keepAfterRefill) {
        this.keepAfterRefill = keepAfterRefill;
    }

    /** Checks and, if all allow it, spends one request from each of {@code buckets}, atomically. */
    CompletionStage<Verdict> take(StatefulRedisConnection<byte[], byte[]> redis, List<Bucket> buckets) {
        byte[][] keys = new byte[buckets.size()][];
        byte[][] args = new byte[buckets.size() * 2 + 1][];
        for (int i = 0; i < buckets.size(); i++) {
            RateClass.Limit limit = buckets.get(i).limit();
            long period = limit.period().toNanos() / 1000;
            keys[i] = buckets.get(i).key().getBytes(StandardCharsets.UTF_8);
            args[2 * i] = ascii(Math.max(1, period / limit.capacity()));
            args[2 * i + 1] = ascii(period);
        }
        args[args.length - 1] = ascii(keepAfterRefill.toMillis());
        return redis.async().<List<Long>>evalsha(SHA, ScriptOutputType.MULTI, keys, args)
                .exceptionallyCompose(failure -> failure instanceof RedisNoScriptException
                        || failure.getCause() instanceof RedisNoScriptException
                        ? redis.async().<List<Long>>eval(SCRIPT.getBytes(StandardCharsets.UTF_8),
                                ScriptOutputType.MULTI, keys, args)
                        : CompletableFuture.<List<Long>>failedStage(failure))
                .thenApply(answer -> {
                    int refusedBy = answer.get(0).intValue();
                    return refusedBy == 0 ? new Verdict(true, -1, Duration.ZERO)
                            : new Verdict(false, refusedBy - 1, Duration.ofNanos(answer.get(1) * 1000));
                });
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("SHA-1 is required of every JVM", impossible);
        }
    }
}
