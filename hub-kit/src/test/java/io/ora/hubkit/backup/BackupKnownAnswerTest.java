package io.ora.hubkit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ora.core.backup.BackupEnvelope;
import io.ora.hubkit.ScriptedRandom;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Known answers for the backup, so that nothing in it can drift unnoticed (an Argon2 type or version, an HKDF label
 * or salt, the AEAD's nonce handling, the header that is authenticated, the canonical JSON) and so that another
 * implementation, the firmware's or an app's, has fixed values to match.
 *
 * <p>The vectors are files beside this class's package in {@code src/test/resources/io/ora/hubkit/backup}, one per
 * primitive, each naming its source: RFC 9106 §5.3 (Argon2id), RFC 5869 A.1–A.3 (HKDF-SHA256),
 * draft-irtf-cfrg-xchacha-03 §A.3.1 (XChaCha20-Poly1305), and {@code ora-backup-v1.json} for the Ora derivations and
 * one exact envelope. The Ora values were computed independently of BouncyCastle and of this code, with Python's
 * {@code cryptography} (its bundled OpenSSL) and {@code hmac}; {@code vectors.py} in the same folder recomputes and
 * checks every value in the files ({@code python3 vectors.py}). Each check here goes through the call the production
 * code makes, not a re-implementation.
 */
class BackupKnownAnswerTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String VECTORS = "/io/ora/hubkit/backup/";
    private static final JsonMapper JSON = new JsonMapper();

    private static JsonNode endToEnd;
    private static RecoveryKey key;
    private static BackupKeys keys;

    @BeforeAll
    static void derive() {
        endToEnd = vectors("ora-backup-v1.json");
        key = ((RecoveryKey.Parsed.Valid) RecoveryKey.parse(endToEnd.get("recoveryKey").textValue())).key();
        // One Argon2id derivation (256 MiB, about 1.5 s) for the whole class.
        keys = BackupKeys.derive(key);
    }

    /**
     * RFC 9106's vector has a secret and associated data, which the root derivation does not use; it is run through
     * the root's own configuration (type, version, salt, cost) with those two added, so a changed type or version
     * fails here.
     */
    @Test
    void argon2idMatchesRfc9106ThroughTheRootConfiguration() {
        JsonNode rfc = vectors("argon2id.json").get("vectors").get(0);
        BackupEnvelope.Kdf cost = new BackupEnvelope.Kdf(rfc.get("memoryKiB").intValue(), rfc.get("passes").intValue(),
                rfc.get("lanes").intValue());

        byte[] tag = BackupKeys.argon2id(hex(rfc, "password"), BackupKeys.argon2idParameters(hex(rfc, "salt"), cost)
                .withSecret(hex(rfc, "secret"))
                .withAdditional(hex(rfc, "associatedData"))
                .build());

        assertThat(HEX.formatHex(tag)).isEqualTo(rfc.get("tag").textValue());
    }

    /** The production cost and salt, from the example Recovery Key: the root every other Ora value comes from. */
    @Test
    void theRootOfTheExampleKeyMatchesAnIndependentArgon2id() {
        JsonNode root = vectors("argon2id.json").get("vectors").get(1);
        assertThat(root.get("recoveryKey").textValue()).isEqualTo(key.display());
        byte[] password = key.secret();
        assertThat(new String(password, StandardCharsets.US_ASCII)).isEqualTo(root.get("passwordAscii").textValue());
        BackupEnvelope.Kdf cost = new BackupEnvelope.Kdf(root.get("memoryKiB").intValue(),
                root.get("passes").intValue(), root.get("lanes").intValue());
        assertThat(cost).isEqualTo(BackupEnvelope.Kdf.V1);

        byte[] tag = BackupKeys.argon2id(password, ascii(root, "saltAscii"), cost);

        assertThat(HEX.formatHex(tag)).isEqualTo(root.get("tag").textValue());
    }

    @Test
    void hkdfMatchesRfc5869() {
        for (JsonNode vector : vectors("hkdf-sha256.json").get("vectors")) {
            byte[] okm = BackupKeys.hkdf(hex(vector, "ikm"), hex(vector, "salt"), hex(vector, "info"),
                    vector.get("length").intValue());
            assertThat(HEX.formatHex(okm)).as(vector.get("name").textValue()).isEqualTo(vector.get("okm").textValue());
        }
    }

    @Test
    void xChaCha20Poly1305MatchesTheDraft() throws InvalidCipherTextException {
        JsonNode vector = vectors("xchacha20-poly1305.json").get("vectors").get(0);
        byte[] plaintext = vector.get("plaintextText").textValue().getBytes(StandardCharsets.US_ASCII);
        byte[] sealed = HEX.parseHex(vector.get("ciphertext").textValue() + vector.get("tag").textValue());

        assertThat(BackupSeal.xChaCha20Poly1305(true, hex(vector, "key"), hex(vector, "nonce"),
                hex(vector, "associatedData"), plaintext)).isEqualTo(sealed);
        assertThat(BackupSeal.xChaCha20Poly1305(false, hex(vector, "key"), hex(vector, "nonce"),
                hex(vector, "associatedData"), sealed)).isEqualTo(plaintext);
        // The same call must refuse what the vector's tag does not cover: here, other associated data.
        assertThatThrownBy(() -> BackupSeal.xChaCha20Poly1305(false, hex(vector, "key"), hex(vector, "nonce"),
                new byte[12], sealed)).isInstanceOf(InvalidCipherTextException.class);
    }

    @Test
    void theExampleKeyGivesTheRecordedLocatorAndCredential() {
        assertThat(keys.locatorText()).isEqualTo(endToEnd.get("locatorText").textValue());
        assertThat(keys.writeCredentialText()).isEqualTo(endToEnd.get("credentialText").textValue());
        assertThat(HEX.formatHex(keys.sealingKey(hex(endToEnd, "envelopeSalt"))))
                .isEqualTo(endToEnd.get("sealingKey").textValue());
    }

    /** The same key typed the forgiving ways gives the same locator: the derivation sees only the canonical key. */
    @Test
    void theDerivationStartsFromTheCanonicalKeyOnly() {
        RecoveryKey typed = ((RecoveryKey.Parsed.Valid) RecoveryKey.parse(
                " cetm9 3ss4v 3k72q szbz4 87xdo oel8z 7cgfz ")).key();
        assertThat(typed).isEqualTo(key);
        assertThat(typed.secret()).isEqualTo(key.secret());
    }

    /** Independently built canonical JSON (sorted keys, optionals left out) of the fixed configuration document. */
    @Test
    void theFixedConfigurationProjectsToTheRecordedPlaintext() throws HubConfigProjection.RefusedDocumentException {
        byte[] document = resource(endToEnd.get("configDocument").textValue());

        byte[] plaintext = HubConfigProjection.project(document).toJson();

        assertThat(new String(plaintext, StandardCharsets.UTF_8)).isEqualTo(endToEnd.get("plaintext").textValue());
    }

    /** Through the public {@code seal}: it draws the salt first and the nonce second, each exactly once. */
    @Test
    void fixedSaltAndNonceGiveTheRecordedEnvelope() {
        byte[] plaintext = endToEnd.get("plaintext").textValue().getBytes(StandardCharsets.UTF_8);

        BackupEnvelope envelope = BackupSeal.seal(keys, plaintext,
                new ScriptedRandom(hex(endToEnd, "envelopeSalt"), hex(endToEnd, "envelopeNonce")));

        assertThat(HEX.formatHex(envelope.bytes())).isEqualTo(endToEnd.get("envelope").textValue());
        BackupSeal.Opened opened = BackupSeal.open(keys, hex(endToEnd, "envelope"), 1 << 20);
        assertThat(opened).isInstanceOfSatisfying(BackupSeal.Opened.Plaintext.class,
                open -> assertThat(open.bytes()).isEqualTo(plaintext));
        assertThat(HubBackup.fromJson(plaintext).toJson()).isEqualTo(plaintext);
    }

    private static JsonNode vectors(String name) {
        try {
            return JSON.readTree(resource(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = BackupKnownAnswerTest.class.getResourceAsStream(VECTORS + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + VECTORS + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] hex(JsonNode vector, String field) {
        return HEX.parseHex(vector.get(field).textValue());
    }

    private static byte[] ascii(JsonNode vector, String field) {
        return vector.get(field).textValue().getBytes(StandardCharsets.US_ASCII);
    }
}
