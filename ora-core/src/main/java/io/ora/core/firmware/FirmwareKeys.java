package io.ora.core.firmware;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * The Ed25519 keys of firmware signing (docs/ota.md, "Keys and signed metadata"), on the JDK's EdDSA: making a key
 * pair, reading and writing it as PEM ({@code PUBLIC KEY}: X.509 SubjectPublicKeyInfo; {@code PRIVATE KEY}:
 * PKCS#8), and a public key's id, the lower-case hex SHA-256 of its SubjectPublicKeyInfo.
 */
public final class FirmwareKeys {

    static final String ALGORITHM = "Ed25519";

    /** The DER of an Ed25519 SubjectPublicKeyInfo before its 32 key bytes (RFC 8410: SEQUENCE, id-Ed25519). */
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private FirmwareKeys() {
    }

    /** A new key pair from the platform's strong randomness. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is unavailable", e);
        }
    }

    /** The id of {@code key}. */
    public static String keyId(PublicKey key) {
        return keyId(key.getEncoded());
    }

    /** The id of the public key whose SubjectPublicKeyInfo is {@code spki}. */
    public static String keyId(byte[] spki) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    /** The public half of {@code key}, computed from its seed (the JDK keeps no public key in a private one). */
    public static PublicKey publicOf(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey edec) || edec.getBytes().isEmpty()) {
            throw new IllegalArgumentException("not an Ed25519 private key");
        }
        byte[] raw = new Ed25519PrivateKeyParameters(edec.getBytes().get(), 0).generatePublicKey().getEncoded();
        byte[] spki = new byte[SPKI_PREFIX.length + raw.length];
        System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
        System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, raw.length);
        return publicKey(spki);
    }

    /** An Ed25519 public key from its SubjectPublicKeyInfo; refused when it is not one. */
    public static PublicKey publicKey(byte[] spki) {
        try {
            PublicKey key = KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(spki));
            if (!key.getAlgorithm().equals("EdDSA") && !key.getAlgorithm().equals(ALGORITHM)) {
                throw new IllegalArgumentException("not an Ed25519 public key");
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }

    /** Reads a PEM {@code PUBLIC KEY} file. */
    public static PublicKey readPublic(Path file) throws IOException {
        return publicKey(pem(Files.readString(file, StandardCharsets.US_ASCII), "PUBLIC KEY"));
    }

    /** Parses PEM {@code PUBLIC KEY} text. */
    public static PublicKey parsePublic(String pem) {
        return publicKey(pem(pem, "PUBLIC KEY"));
    }

    /** Reads a PEM {@code PRIVATE KEY} (PKCS#8) file. */
    public static PrivateKey readPrivate(Path file) throws IOException {
        byte[] pkcs8 = pem(Files.readString(file, StandardCharsets.US_ASCII), "PRIVATE KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not an Ed25519 private key", e);
        }
    }

    /**
     * Writes {@code key} as PEM to a new file, readable and writable by the owner only where the file system has
     * POSIX permissions (set as the file is created, so it is never readable by others even for a moment). Never
     * writes over an existing file: {@link java.nio.file.FileAlreadyExistsException}.
     */
    public static void writePrivate(PrivateKey key, Path file) throws IOException {
        FileAttribute<?>[] ownerOnly = Files.getFileAttributeView(file.toAbsolutePath().getParent(),
                PosixFileAttributeView.class) != null
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
                        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))}
                : new FileAttribute<?>[0];
        writeNew(file, toPem(key.getEncoded(), "PRIVATE KEY"), ownerOnly);
    }

    /** Writes {@code key} as PEM to a new file; never over an existing one. */
    public static void writePublic(PublicKey key, Path file) throws IOException {
        writeNew(file, toPem(key.getEncoded(), "PUBLIC KEY"));
    }

    private static void writeNew(Path file, String text, FileAttribute<?>... attributes) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(file,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    static String toPem(byte[] der, String label) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static byte[] pem(String text, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("not a PEM " + label);
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a PEM " + label, e);
        }
    }
}
