package io.ora.hubkit.handover;

import static io.ora.hubkit.handover.Envelopes.FAST;
import static io.ora.hubkit.handover.Envelopes.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.ora.core.handover.AccessKeyCode;
import io.ora.hubkit.ScriptedRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Known answers, so that the envelope cannot drift unnoticed (a changed Argon2 type or version, a different AAD, a
 * field order) and so that other implementations, the apps' among them, have something fixed to match.
 *
 * <p>The expected values besides the RFC's were computed independently of BouncyCastle and of this code, with
 * Python's {@code cryptography} 48 (OpenSSL's Argon2id and AES-GCM):
 *
 * <pre>{@code
 * from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
 * from cryptography.hazmat.primitives.ciphers.aead import AESGCM
 * k = Argon2id(salt=bytes(range(16)), length=32, iterations=2, lanes=1, memory_cost=19456)
 *         .derive(b"7K3QF9XW2DM4RT8VB6NJ5HZC0")
 * ct = AESGCM(k).encrypt(bytes(range(0xa0, 0xac)), bytes(range(0x40, 0x60)),
 *         b"ora/project-key/v1/5f0c3a1e-8b7d-4c2a-9e6f-1a2b3c4d5e6f")
 * }</pre>
 */
class ProjectKeyEnvelopeKnownAnswerTest {

    private static final HexFormat HEX = HexFormat.of();

    private static final AccessKeyCode CODE = new AccessKeyCode("7K3QF9XW2DM4RT8VB6NJ5HZC0");
    private static final byte[] SALT = range(0x00, 16);
    private static final byte[] NONCE = range(0xa0, 12);
    private static final byte[] PROJECT_KEY = range(0x40, 32);

    private static final String DERIVED_KEY = "e69435516189d182305a86fd7e06b81290a7bba33b44209ad825ac362e9f9c32";
    private static final String ENVELOPE = "{\"version\":1,"
            + "\"kdf\":{\"name\":\"argon2id\",\"memoryKiB\":19456,\"iterations\":2,\"parallelism\":1,"
            + "\"salt\":\"AAECAwQFBgcICQoLDA0ODw\"},"
            + "\"cipher\":{\"name\":\"AES-256-GCM\",\"nonce\":\"oKGio6Slpqeoqaqr\","
            + "\"ciphertext\":\"c6qs_bj_UqSGkmaEoveJ4yBEZEdIRcyJZf8DffSU6La5WyNdgI8gVcAEWLx0jlGR\"}}";

    /**
     * RFC 9106 section 5.3: Argon2id version 0x13, 32 KiB, 3 passes, 4 lanes, password 32 × 0x01, salt 16 × 0x02,
     * secret 8 × 0x03, associated data 12 × 0x04. Run through the same configuration the envelope uses.
     */
    @Test
    void argon2idMatchesRfc9106() {
        byte[] tag = ProjectKeyEnvelope.argon2id(filled(0x01, 32), filled(0x02, 16), filled(0x03, 8),
                filled(0x04, 12), 32, 3, 4, 32);
        assertThat(HEX.formatHex(tag))
                .isEqualTo("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
    }

    @Test
    void theDerivedKeyMatchesAnIndependentArgon2id() {
        assertThat(HEX.formatHex(ProjectKeyEnvelope.deriveKey(CODE, SALT, FAST))).isEqualTo(DERIVED_KEY);
    }

    @Test
    void theDerivedKeyDependsOnlyOnTheCanonicalCode() {
        AccessKeyCode typed = AccessKeyCode.parse("7k3qf 9xw2d m4rt8 vb6nj 5hzco").orElseThrow();
        assertThat(HEX.formatHex(ProjectKeyEnvelope.deriveKey(typed, SALT, FAST))).isEqualTo(DERIVED_KEY);
    }

    @Test
    void fixedInputsGiveAFixedEnvelope() throws WrongCodeException {
        String envelope = ProjectKeyEnvelope.wrap(PROJECT_KEY, CODE, PROJECT, FAST,
                new ScriptedRandom(SALT, NONCE));

        assertThat(envelope).isEqualTo(ENVELOPE);
        assertThat(ProjectKeyEnvelope.unwrap(ENVELOPE, CODE, PROJECT)).isEqualTo(PROJECT_KEY);
    }

    private static byte[] range(int first, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (first + i);
        }
        return bytes;
    }

    private static byte[] filled(int value, int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
