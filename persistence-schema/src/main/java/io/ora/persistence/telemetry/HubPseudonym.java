package io.ora.persistence.telemetry;

import com.typesafe.config.Config;
import io.ora.core.secrets.ServerSecret;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The name a hub's telemetry is stored under: HMAC-SHA-256 of the hub's UUID (its 16 bytes, big-endian) under the
 * server's telemetry secret ({@code ora.telemetry.pseudonym-secret}). Stable, so one hub's samples can be read
 * together and erased together; keyed, so the stored value cannot be turned back into a UUID by trying them all
 * without the secret.
 */
public final class HubPseudonym {

    /** Length of a pseudonym in bytes. */
    public static final int LENGTH = 32;

    /** One keyed MAC per thread: looking up and keying one per hub would be work on every payload's path. */
    private final ThreadLocal<Mac> mac;

    public HubPseudonym(byte[] secret) {
        if (secret.length < ServerSecret.MIN_BYTES) {
            throw new IllegalArgumentException("the telemetry pseudonym secret must be at least "
                    + ServerSecret.MIN_BYTES + " bytes");
        }
        SecretKeySpec key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac keyed = Mac.getInstance("HmacSHA256");
                keyed.init(key);
                return keyed;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is unavailable", e);
            }
        });
    }

    /** From the node's configuration (the {@code ora.telemetry} section). */
    public static HubPseudonym from(Config config) {
        Config section = config.getConfig("ora.telemetry");
        return new HubPseudonym(ServerSecret.configuredOrFile(section.getString("pseudonym-secret"),
                Path.of(section.getString("secret-file")), "ora.telemetry.pseudonym-secret"));
    }

    /** The pseudonym of {@code hub}. */
    public byte[] of(UUID hub) {
        ByteBuffer bytes = ByteBuffer.allocate(16);
        bytes.putLong(hub.getMostSignificantBits()).putLong(hub.getLeastSignificantBits());
        return mac.get().doFinal(bytes.array());
    }

    @Override
    public String toString() {
        return "HubPseudonym[secret hidden]";
    }
}
