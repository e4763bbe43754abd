package io.ora.hubkit.backup;

import io.ora.core.backup.BackupEnvelope;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.XChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Seals a backup's plaintext into a {@link BackupEnvelope} on the hub, and opens one on the replacement hub:
 * XChaCha20-Poly1305 (BouncyCastle) under the sealing key {@link BackupKeys} derives for the envelope's random salt,
 * with a random 24-byte nonce and the envelope's header as associated data.
 *
 * <p>Opening tells apart what a restoring person can act on: bytes that are not an envelope of a known version
 * (the {@link BackupEnvelope.Defect}: a truncated download, an unknown version) and an envelope that fails
 * authentication (altered in storage or in transit, or sealed under another key). A wrong Recovery Key is normally
 * caught before any of this: its locator names no backup.
 */
public final class BackupSeal {

    private static final int TAG_BITS = BackupEnvelope.TAG_BYTES * 8;

    private BackupSeal() {
    }

    /** The outcome of {@link #open}: the plaintext, or why there is none. Never a part of the plaintext. */
    public sealed interface Opened {
        /** Authenticated plaintext. */
        record Plaintext(byte[] bytes) implements Opened {
        }

        /** Not an envelope of a known version. */
        record Malformed(BackupEnvelope.Defect defect) implements Opened {
        }

        /** A well-formed envelope that fails authentication under these keys. */
        record NotAuthentic() implements Opened {
        }
    }

    /** Seals {@code plaintext} with a fresh salt and nonce from {@code random}. */
    public static BackupEnvelope seal(BackupKeys keys, byte[] plaintext, SecureRandom random) {
        byte[] salt = new byte[BackupEnvelope.SALT_BYTES];
        random.nextBytes(salt);
        byte[] nonce = new byte[BackupEnvelope.NONCE_BYTES];
        random.nextBytes(nonce);
        return seal(keys, plaintext, salt, nonce);
    }

    /** Seals with the salt and nonce given: for known-answer vectors; everything else uses fresh random ones. */
    static BackupEnvelope seal(BackupKeys keys, byte[] plaintext, byte[] salt, byte[] nonce) {
        byte[] key = keys.sealingKey(salt);
        try {
            return BackupEnvelope.of(salt, nonce, xChaCha20Poly1305(true, key, nonce,
                    BackupEnvelope.associatedData(salt, nonce, plaintext.length + BackupEnvelope.TAG_BYTES),
                    plaintext));
        } catch (InvalidCipherTextException impossible) {
            throw new IllegalStateException("sealing cannot fail authentication", impossible);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * Checks and opens envelope bytes as fetched from the store.
     *
     * @param maxBytes the largest envelope to consider (the store's cap)
     */
    public static Opened open(BackupKeys keys, byte[] envelopeBytes, long maxBytes) {
        BackupEnvelope.Parsed parsed = BackupEnvelope.parse(envelopeBytes, maxBytes);
        if (parsed instanceof BackupEnvelope.Parsed.Invalid invalid) {
            return new Opened.Malformed(invalid.defect());
        }
        BackupEnvelope envelope = ((BackupEnvelope.Parsed.Valid) parsed).envelope();
        byte[] key = keys.sealingKey(envelope.salt());
        try {
            return new Opened.Plaintext(xChaCha20Poly1305(false, key, envelope.nonce(), envelope.associatedData(),
                    envelope.ciphertext()));
        } catch (InvalidCipherTextException forged) {
            return new Opened.NotAuthentic();
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * The AEAD both directions run (BouncyCastle's XChaCha20-Poly1305, 16-byte tag appended); package-private so the
     * known-answer test checks the draft's vector through this very call.
     */
    static byte[] xChaCha20Poly1305(boolean seal, byte[] key, byte[] nonce, byte[] associatedData, byte[] input)
            throws InvalidCipherTextException {
        XChaCha20Poly1305 aead = new XChaCha20Poly1305();
        aead.init(seal, new AEADParameters(new KeyParameter(key), TAG_BITS, nonce, associatedData));
        byte[] output = new byte[aead.getOutputSize(input.length)];
        int written = aead.processBytes(input, 0, input.length, output, 0);
        aead.doFinal(output, written);
        return output;
    }
}
