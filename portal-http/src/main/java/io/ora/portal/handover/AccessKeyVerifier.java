package io.ora.portal.handover;

import io.ora.core.handover.AccessKeyCode;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the server keeps instead of an AccessKey code: HMAC-SHA-256 of the canonical code under a server secret (the
 * "pepper", the same on every node). A database dump then reveals no code and cannot test guesses offline; with 100
 * secret bits in a code, a keyed fast hash is enough and no slow hash is needed. Comparison is constant-time.
 */
public final class AccessKeyVerifier {

    private final SecretKeySpec pepper;

    /** @param pepper the server secret, at least 32 bytes */
    public AccessKeyVerifier(byte[] pepper) {
        if (pepper.length < 32) {
            throw new IllegalArgumentException("the AccessKey secret must be at least 32 bytes");
        }
        this.pepper = new SecretKeySpec(pepper.clone(), "HmacSHA256");
    }

    public byte[] verifier(AccessKeyCode code) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(pepper);
            return mac.doFinal(code.canonical().getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException | InvalidKeyException impossible) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", impossible);
        }
    }

    public boolean matches(AccessKeyCode code, byte[] stored) {
        return MessageDigest.isEqual(verifier(code), stored);
    }
}
