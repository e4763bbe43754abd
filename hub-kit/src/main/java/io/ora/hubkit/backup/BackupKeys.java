package io.ora.hubkit.backup;

import io.ora.core.backup.BackupEnvelope;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import javax.security.auth.Destroyable;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Everything derived from a {@link RecoveryKey} (docs/backup.md, "Derivations"):
 *
 * <pre>
 * root       = Argon2id(password = the key's 28 characters, salt = "ora/backup/v1/root",
 *                       cost = {@link BackupEnvelope.Kdf#V1}, 32 bytes)
 * locator    = HKDF-SHA256(ikm = root, salt = "ora/backup/v1", info = "ora/backup/v1/locator", 32 bytes)
 * credential = HKDF-SHA256(ikm = root, salt = "ora/backup/v1", info = "ora/backup/v1/write-credential", 32 bytes)
 * sealing    = HKDF-SHA256(ikm = root, salt = the envelope's salt, info = "ora/backup/v1/seal", 32 bytes)
 * </pre>
 *
 * Argon2id comes first so that every value, the locator included, costs an attacker one slow derivation per guess
 * even if part of the key leaked (a photo of half an emergency kit); the distinct HKDF labels keep the three uses
 * independent: knowing the locator (which the store sees) says nothing about the credential or the sealing key. The
 * salt of the root is fixed because a restoring hub has nothing but the key to start from; the key's 140 random
 * bits, not a salt, are what defeats precomputation.
 *
 * <p>The root derivation takes 256 MiB and a noticeable time: build this off any event loop. Call
 * {@link #destroy()} when done; Java cannot promise the bytes are gone, only that this copy is overwritten.
 */
public final class BackupKeys implements Destroyable {

    /** Bytes of each derived value. */
    public static final int BYTES = 32;
    private static final byte[] ROOT_SALT = ascii("ora/backup/v1/root");
    private static final byte[] HKDF_SALT = ascii("ora/backup/v1");
    private static final byte[] LOCATOR = ascii("ora/backup/v1/locator");
    private static final byte[] CREDENTIAL = ascii("ora/backup/v1/write-credential");
    private static final byte[] SEAL = ascii("ora/backup/v1/seal");

    private final byte[] root;
    private boolean destroyed;

    private BackupKeys(byte[] root) {
        this.root = root;
    }

    /** Runs the Argon2id root derivation for {@code key}. */
    public static BackupKeys derive(RecoveryKey key) {
        byte[] password = key.secret();
        try {
            return new BackupKeys(argon2id(password, ROOT_SALT, BackupEnvelope.Kdf.V1));
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    /** An independent copy, destroyed on its own: for tests that derive each key once. */
    BackupKeys copy() {
        check();
        return new BackupKeys(root.clone());
    }

    /** The name of the home's backup in the store; 32 bytes. */
    public byte[] locator() {
        return hkdf(HKDF_SALT, LOCATOR);
    }

    /** The locator as it appears in the URL: unpadded base64url, 43 characters. */
    public String locatorText() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(locator());
    }

    /** What authorises reading, replacing and deleting the backup; 32 bytes. */
    public byte[] writeCredential() {
        return hkdf(HKDF_SALT, CREDENTIAL);
    }

    /** The credential as sent in the {@code Ora-Backup-Credential} header: unpadded base64url. */
    public String writeCredentialText() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(writeCredential());
    }

    /** The XChaCha20-Poly1305 key of the envelope with this salt. */
    byte[] sealingKey(byte[] envelopeSalt) {
        if (envelopeSalt.length != BackupEnvelope.SALT_BYTES) {
            throw new IllegalArgumentException("an envelope salt is " + BackupEnvelope.SALT_BYTES + " bytes");
        }
        return hkdf(envelopeSalt, SEAL);
    }

    @Override
    public void destroy() {
        Arrays.fill(root, (byte) 0);
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "BackupKeys[…]";
    }

    static byte[] argon2id(byte[] password, byte[] salt, BackupEnvelope.Kdf cost) {
        return argon2id(password, argon2idParameters(salt, cost).build());
    }

    /**
     * The root derivation's Argon2id configuration (type, version, cost, salt), unbuilt, so that the known-answer
     * test can run RFC 9106's vector, which adds a secret and associated data, through exactly this configuration.
     */
    static Argon2Parameters.Builder argon2idParameters(byte[] salt, BackupEnvelope.Kdf cost) {
        return new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(cost.memoryKiB())
                .withIterations(cost.passes())
                .withParallelism(cost.lanes())
                .withSalt(salt);
    }

    static byte[] argon2id(byte[] password, Argon2Parameters parameters) {
        Argon2BytesGenerator argon = new Argon2BytesGenerator();
        argon.init(parameters);
        byte[] out = new byte[BYTES];
        argon.generateBytes(password, out);
        return out;
    }

    /** HKDF-SHA256 as every derivation here runs it; package-private for RFC 5869's vectors (other lengths). */
    static byte[] hkdf(byte[] ikm, byte[] salt, byte[] info, int length) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(ikm, salt, info));
        byte[] out = new byte[length];
        hkdf.generateBytes(out, 0, length);
        return out;
    }

    private byte[] hkdf(byte[] salt, byte[] info) {
        check();
        return hkdf(root, salt, info, BYTES);
    }

    private void check() {
        if (destroyed) {
            throw new IllegalStateException("these backup keys were destroyed");
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
