package io.ora.core.backup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The sealed backup's outer form, as the hub writes it and the backup store checks it (docs/backup.md, "The
 * envelope"). This class knows the layout and nothing about keys: the store can refuse anything that is not an
 * envelope of a known version without being able to open one, and the hub seals and opens through it, so there is
 * one definition of the format. Version 1, all integers big-endian:
 *
 * <pre>
 * offset  size  field
 *      0     6  magic "ORABAK"
 *      6     1  version = 1
 *      7     1  kdf = 1 (Argon2id v1.3 root, then HKDF-SHA256; see {@link Kdf})
 *      8     4  Argon2id memory, KiB
 *     12     2  Argon2id passes
 *     14     1  Argon2id lanes
 *     15    16  salt of the sealing key's HKDF step (random per envelope)
 *     31     1  aead = 1 (XChaCha20-Poly1305)
 *     32    24  nonce (random per envelope)
 *     56     4  ciphertext length n, tag included (at least 16)
 *     60     n  ciphertext and 16-byte Poly1305 tag
 * </pre>
 *
 * The first {@value #HEADER_BYTES} bytes (everything before the ciphertext) are the AEAD's associated data: a change
 * to any header byte, like a change to the ciphertext, fails authentication.
 *
 * <p>{@link #parse} accepts an envelope only when every field holds a known value, the lengths agree exactly with
 * the bytes given and the whole is within the caller's size cap; otherwise it names the first thing wrong, without
 * quoting any byte of the input.
 */
public final class BackupEnvelope {

    /** The six bytes every envelope starts with. */
    public static final byte[] MAGIC = "ORABAK".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    public static final int SALT_BYTES = 16;
    public static final int NONCE_BYTES = 24;
    public static final int TAG_BYTES = 16;
    /** Bytes before the ciphertext: the associated data. */
    public static final int HEADER_BYTES = 60;

    private static final int KDF_ARGON2ID_HKDF = 1;
    private static final int AEAD_XCHACHA20_POLY1305 = 1;

    /**
     * The key derivation an envelope was sealed under. The Argon2id cost is fixed per format version, not chosen per
     * envelope: the hub derives the backup's locator from the same Argon2id output before it has fetched anything,
     * so a restoring hub must know the cost from the version alone. The envelope still states it, and an envelope
     * stating any other cost is refused, so a reader never has to trust the version byte alone.
     */
    public record Kdf(int memoryKiB, int passes, int lanes) {
        /** Version 1's cost: 256 MiB, 3 passes, 1 lane (libsodium's "moderate" level; docs/backup.md). */
        public static final Kdf V1 = new Kdf(262_144, 3, 1);
    }

    private final Kdf kdf;
    private final byte[] salt;
    private final byte[] nonce;
    private final byte[] ciphertext;

    private BackupEnvelope(Kdf kdf, byte[] salt, byte[] nonce, byte[] ciphertext) {
        this.kdf = kdf;
        this.salt = salt;
        this.nonce = nonce;
        this.ciphertext = ciphertext;
    }

    /**
     * An envelope about to be written: version 1, its KDF, and the salt, nonce and ciphertext (tag included) the
     * hub produced with {@link #associatedData}.
     *
     * @throws IllegalArgumentException when a part has the wrong length
     */
    public static BackupEnvelope of(byte[] salt, byte[] nonce, byte[] ciphertext) {
        if (salt.length != SALT_BYTES || nonce.length != NONCE_BYTES || ciphertext.length < TAG_BYTES) {
            throw new IllegalArgumentException("salt, nonce or ciphertext has the wrong length");
        }
        return new BackupEnvelope(Kdf.V1, salt.clone(), nonce.clone(), ciphertext.clone());
    }

    /**
     * The header an envelope with this salt and nonce and a ciphertext of {@code ciphertextBytes} will have: the
     * associated data to seal with.
     */
    public static byte[] associatedData(byte[] salt, byte[] nonce, int ciphertextBytes) {
        if (salt.length != SALT_BYTES || nonce.length != NONCE_BYTES || ciphertextBytes < TAG_BYTES) {
            throw new IllegalArgumentException("salt, nonce or ciphertext has the wrong length");
        }
        return header(Kdf.V1, salt, nonce, ciphertextBytes);
    }

    /** Why bytes are not an envelope; each is a distinct answer at the store's edge and at restore. */
    public enum Defect {
        TOO_LARGE("the envelope is larger than allowed"),
        TRUNCATED("the envelope is shorter than its header or than the length it states"),
        NOT_AN_ENVELOPE("the bytes do not start with the backup envelope's magic"),
        UNKNOWN_VERSION("the envelope's version is not one this server knows"),
        UNKNOWN_KDF("the envelope names a key derivation or cost this version does not allow"),
        UNKNOWN_AEAD("the envelope names a cipher this version does not allow"),
        LENGTH_MISMATCH("the envelope's stated ciphertext length disagrees with its size");

        private final String message;

        Defect(String message) {
            this.message = message;
        }

        /** A sentence for a problem's detail: it never quotes the input. */
        public String message() {
            return message;
        }
    }

    /** The outcome of {@link #parse}: an envelope, or the first defect found. */
    public sealed interface Parsed {
        /** The bytes are a well-formed envelope. */
        record Valid(BackupEnvelope envelope) implements Parsed {
        }

        /** The bytes are not an envelope, for this reason. */
        record Invalid(Defect defect) implements Parsed {
        }
    }

    /**
     * Checks {@code bytes} against the format, in order: size cap, magic, version, KDF, AEAD, lengths.
     *
     * @param maxBytes the largest envelope accepted (the store's cap)
     */
    public static Parsed parse(byte[] bytes, long maxBytes) {
        Optional<Defect> defect = defect(bytes, maxBytes);
        if (defect.isPresent()) {
            return new Parsed.Invalid(defect.get());
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.position(8);
        Kdf kdf = new Kdf(in.getInt(), Short.toUnsignedInt(in.getShort()), Byte.toUnsignedInt(in.get()));
        byte[] salt = new byte[SALT_BYTES];
        in.get(salt);
        in.get();
        byte[] nonce = new byte[NONCE_BYTES];
        in.get(nonce);
        byte[] ciphertext = new byte[in.getInt()];
        in.get(ciphertext);
        return new Parsed.Valid(new BackupEnvelope(kdf, salt, nonce, ciphertext));
    }

    /**
     * The first defect of {@code bytes} as an envelope, in {@link #parse}'s order, or empty for a well-formed one:
     * the check alone, for a caller that keeps the bytes as they are (the store's edge) and needs no copy of the parts.
     */
    public static Optional<Defect> defect(byte[] bytes, long maxBytes) {
        if (bytes.length > maxBytes) {
            return Optional.of(Defect.TOO_LARGE);
        }
        if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            // A short prefix of the magic is a truncated envelope; anything else is not one at all.
            boolean prefix = Arrays.equals(bytes, 0, Math.min(bytes.length, MAGIC.length),
                    MAGIC, 0, Math.min(bytes.length, MAGIC.length));
            return Optional.of(prefix ? Defect.TRUNCATED : Defect.NOT_AN_ENVELOPE);
        }
        if (bytes.length > 6 && Byte.toUnsignedInt(bytes[6]) != VERSION) {
            return Optional.of(Defect.UNKNOWN_VERSION);
        }
        if (bytes.length < HEADER_BYTES) {
            return Optional.of(Defect.TRUNCATED);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (Byte.toUnsignedInt(in.get(7)) != KDF_ARGON2ID_HKDF || !Kdf.V1.equals(new Kdf(in.getInt(8),
                Short.toUnsignedInt(in.getShort(12)), Byte.toUnsignedInt(in.get(14))))) {
            return Optional.of(Defect.UNKNOWN_KDF);
        }
        if (Byte.toUnsignedInt(in.get(31)) != AEAD_XCHACHA20_POLY1305) {
            return Optional.of(Defect.UNKNOWN_AEAD);
        }
        long stated = Integer.toUnsignedLong(in.getInt(56));
        long actual = bytes.length - (long) HEADER_BYTES;
        if (stated < TAG_BYTES || stated > actual) {
            return Optional.of(stated < TAG_BYTES ? Defect.LENGTH_MISMATCH : Defect.TRUNCATED);
        }
        if (stated != actual) {
            return Optional.of(Defect.LENGTH_MISMATCH);
        }
        return Optional.empty();
    }

    /** The envelope as bytes, exactly as it is stored and fetched. */
    public byte[] bytes() {
        byte[] header = header(kdf, salt, nonce, ciphertext.length);
        byte[] out = Arrays.copyOf(header, header.length + ciphertext.length);
        System.arraycopy(ciphertext, 0, out, header.length, ciphertext.length);
        return out;
    }

    /** The associated data this envelope was sealed with: its header. */
    public byte[] associatedData() {
        return header(kdf, salt, nonce, ciphertext.length);
    }

    public Kdf kdf() {
        return kdf;
    }

    public byte[] salt() {
        return salt.clone();
    }

    public byte[] nonce() {
        return nonce.clone();
    }

    /** The ciphertext with its tag. */
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    private static byte[] header(Kdf kdf, byte[] salt, byte[] nonce, int ciphertextBytes) {
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES);
        out.put(MAGIC).put((byte) VERSION).put((byte) KDF_ARGON2ID_HKDF)
                .putInt(kdf.memoryKiB()).putShort((short) kdf.passes()).put((byte) kdf.lanes())
                .put(salt).put((byte) AEAD_XCHACHA20_POLY1305).put(nonce).putInt(ciphertextBytes);
        return out.array();
    }

    /** Sizes only: an envelope's bytes are not for logs. */
    @Override
    public String toString() {
        return "BackupEnvelope[v" + VERSION + ", " + ciphertext.length + " bytes sealed]";
    }
}
