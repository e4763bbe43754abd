package io.ora.portal.limits;

import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Names of rate-limit buckets: {@code <prefix>rl:<class>:<user|ip>:<capacity>-<period>:<hash>}.
 *
 * <p>No user subject and no IP address appears in a key: the subject is replaced by the first 128 bits of
 * HMAC-SHA-256 under {@code ora.portal.rate-limits.key-hash-secret}, or of plain SHA-256 when no secret is set.
 * Key names show up where values do not (monitoring, {@code MONITOR}, slow logs, memory reports); a plain hash of an
 * IPv4 address can be reversed by trying all 2^32 of them, which the secret prevents, so production sets one (the
 * same on every node, or nodes stop sharing buckets). 128 bits make collisions, which would merge two clients'
 * buckets, negligible.
 *
 * <p>IPv6 clients are limited per /64, the block one subscriber gets: limiting single addresses would let a client
 * rotate through its 2^64 addresses to escape the limit.
 */
final class BucketKeys {

    private static final int HASH_BYTES = 16;
    private static final int MIN_SECRET_LENGTH = 32;

    private final String prefix;
    private final Optional<SecretKeySpec> secret;

    BucketKeys(String redisKeyPrefix, String secret) {
        if (!secret.isEmpty() && secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException(
                    "ora.portal.rate-limits.key-hash-secret must be empty or at least " + MIN_SECRET_LENGTH + " chars");
        }
        this.prefix = redisKeyPrefix + "rl:";
        this.secret = secret.isEmpty()
                ? Optional.empty()
                : Optional.of(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    }

    String user(RateClass rateClass, RateClass.Limit limit, String subject) {
        return prefix + rateClass.name() + ":user:" + limit.tag() + ":" + hash("user\u0000" + subject);
    }

    String ip(RateClass rateClass, RateClass.Limit limit, String clientIp) {
        return prefix + rateClass.name() + ":ip:" + limit.tag() + ":" + hash("ip\u0000" + network(clientIp));
    }

    /** What an address is limited as: an IPv4 address itself, an IPv6 address's /64. */
    static String network(String clientIp) {
        String ip = clientIp.strip();
        return ClientAddress.parse(ip).map(address -> address instanceof Inet6Address
                        ? HexFormat.of().formatHex(Arrays.copyOf(address.getAddress(), 8)) + "::/64"
                        // An IPv4-mapped IPv6 address is its IPv4 address.
                        : address.getHostAddress())
                .orElse(ip);
    }

    private String hash(String value) {
        byte[] input = value.getBytes(StandardCharsets.UTF_8);
        try {
            byte[] digest;
            if (secret.isPresent()) {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(secret.get());
                digest = mac.doFinal(input);
            } else {
                digest = MessageDigest.getInstance("SHA-256").digest(input);
            }
            return HexFormat.of().formatHex(digest, 0, HASH_BYTES);
        } catch (GeneralSecurityException e) {
            // Every Java platform must provide SHA-256 and HmacSHA256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
