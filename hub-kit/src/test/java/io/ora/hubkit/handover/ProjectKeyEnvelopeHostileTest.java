package io.ora.hubkit.handover;

import static io.ora.hubkit.handover.Envelopes.CODE;
import static io.ora.hubkit.handover.Envelopes.FAST;
import static io.ora.hubkit.handover.Envelopes.PROJECT;
import static io.ora.hubkit.handover.Envelopes.edit;
import static io.ora.hubkit.handover.Envelopes.encode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Envelopes a hostile or broken server could send. Each must be refused as malformed, which {@code unwrap} decides
 * before deriving any key: were Argon2 to run first, the expensive ones would allocate up to a gigabyte or spin for
 * a million passes, and the cheap wrong-name ones would come back as {@link WrongCodeException} (they start from a
 * real envelope under the right code, so only the format check can refuse them as malformed).
 */
class ProjectKeyEnvelopeHostileTest {

    private static String valid;

    @BeforeAll
    static void wrapOnce() {
        valid = ProjectKeyEnvelope.wrap(new byte[32], CODE, PROJECT, FAST);
    }

    private static Arguments change(String name, Consumer<ObjectNode> change) {
        return Arguments.of(Named.of(name, change));
    }

    private static Consumer<ObjectNode> kdf(Consumer<ObjectNode> change) {
        return root -> change.accept((ObjectNode) root.get("kdf"));
    }

    private static Consumer<ObjectNode> cipher(Consumer<ObjectNode> change) {
        return root -> change.accept((ObjectNode) root.get("cipher"));
    }

    private static String bytes(int count) {
        return encode(new byte[count]);
    }

    static Stream<Arguments> hostile() {
        return Stream.of(
                // costs a client must never pay
                change("memoryKiB 2^30", kdf(k -> k.put("memoryKiB", 1 << 30))),
                change("memoryKiB one above 1 GiB", kdf(k -> k.put("memoryKiB", 1_048_577))),
                change("memoryKiB below OWASP's minimum", kdf(k -> k.put("memoryKiB", 19_455))),
                change("memoryKiB past int", kdf(k -> k.put("memoryKiB", BigInteger.TWO.pow(70)))),
                change("memoryKiB as a string", kdf(k -> k.put("memoryKiB", "65536"))),
                change("memoryKiB with a fraction", kdf(k -> k.put("memoryKiB", 65_536.0))),
                change("iterations 10^6", kdf(k -> k.put("iterations", 1_000_000))),
                change("iterations 1", kdf(k -> k.put("iterations", 1))),
                change("iterations 11", kdf(k -> k.put("iterations", 11))),
                change("parallelism 0", kdf(k -> k.put("parallelism", 0))),
                change("parallelism 9", kdf(k -> k.put("parallelism", 9))),
                change("parallelism negative", kdf(k -> k.put("parallelism", -1))),
                // binary fields of the wrong size or spelling
                change("salt of 1 MB", kdf(k -> k.put("salt", bytes(1 << 20)))),
                change("salt of 15 bytes", kdf(k -> k.put("salt", bytes(15)))),
                change("salt of 65 bytes", kdf(k -> k.put("salt", bytes(65)))),
                change("salt empty", kdf(k -> k.put("salt", ""))),
                change("salt padded", kdf(k -> k.put("salt", bytes(16) + "=="))),
                change("salt in standard base64", kdf(k -> k.put("salt", "+/" + bytes(16).substring(2)))),
                change("salt with stray low bits", kdf(k -> k.put("salt", "AAAAAAAAAAAAAAAAAAAAAB"))),
                change("salt as a number", kdf(k -> k.put("salt", 16))),
                change("nonce of 11 bytes", cipher(c -> c.put("nonce", bytes(11)))),
                change("nonce of 13 bytes", cipher(c -> c.put("nonce", bytes(13)))),
                change("ciphertext of 10 MB", cipher(c -> c.put("ciphertext", bytes(10 << 20)))),
                change("ciphertext of 1041 bytes", cipher(c -> c.put("ciphertext", bytes(1041)))),
                change("ciphertext only a tag", cipher(c -> c.put("ciphertext", bytes(16)))),
                change("ciphertext null", cipher(c -> c.putNull("ciphertext"))),
                // names and versions
                change("version 2", root -> root.put("version", 2)),
                change("version 0", root -> root.put("version", 0)),
                change("version \"1\"", root -> root.put("version", "1")),
                change("version 1.0", root -> root.put("version", 1.0)),
                change("argon2i", kdf(k -> k.put("name", "argon2i"))),
                change("argon2d", kdf(k -> k.put("name", "argon2d"))),
                change("Argon2id", kdf(k -> k.put("name", "Argon2id"))),
                change("AES-128-GCM", cipher(c -> c.put("name", "AES-128-GCM"))),
                change("aes-256-gcm", cipher(c -> c.put("name", "aes-256-gcm"))),
                change("ChaCha20-Poly1305", cipher(c -> c.put("name", "ChaCha20-Poly1305"))),
                // shape
                change("no version", root -> root.remove("version")),
                change("no kdf", root -> root.remove("kdf")),
                change("no cipher", root -> root.remove("cipher")),
                change("no kdf.name", kdf(k -> k.remove("name"))),
                change("no kdf.memoryKiB", kdf(k -> k.remove("memoryKiB"))),
                change("no kdf.iterations", kdf(k -> k.remove("iterations"))),
                change("no kdf.parallelism", kdf(k -> k.remove("parallelism"))),
                change("no kdf.salt", kdf(k -> k.remove("salt"))),
                change("no cipher.name", cipher(c -> c.remove("name"))),
                change("no cipher.nonce", cipher(c -> c.remove("nonce"))),
                change("no cipher.ciphertext", cipher(c -> c.remove("ciphertext"))),
                change("an extra top-level field", root -> root.put("projectId", PROJECT.toString())),
                change("an extra kdf field", kdf(k -> k.put("secret", ""))),
                change("an extra cipher field", cipher(c -> c.put("tag", bytes(16)))),
                change("a field swapped for another", kdf(k -> {
                    k.remove("parallelism");
                    k.put("lanes", 1);
                })),
                change("kdf a string", root -> root.put("kdf", "argon2id")),
                change("cipher an array", root -> root.putArray("cipher")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void isRefusedAsMalformed(Consumer<ObjectNode> change) {
        String envelope = edit(valid, change);
        assertThatThrownBy(() -> ProjectKeyEnvelope.unwrap(envelope, CODE, PROJECT))
                .isInstanceOf(MalformedEnvelopeException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "not json",
        "null",
        "[]",
        "1",
        "\"envelope\"",
        "{}",
        "{\"version\":1",
    })
    void notAnEnvelopeIsRefusedAsMalformed(String text) {
        assertThatThrownBy(() -> ProjectKeyEnvelope.unwrap(text, CODE, PROJECT))
                .isInstanceOf(MalformedEnvelopeException.class);
    }

    @Test
    void aDuplicatedFieldIsRefused() {
        // The second "version" would win in a lenient parser; the portal's schema would never see the first.
        String duplicated = valid.replaceFirst("\\{\"version\":1,", "{\"version\":1,\"version\":1,");
        String duplicatedInKdf = valid.replaceFirst("\"iterations\":2,", "\"iterations\":2,\"iterations\":2,");
        for (String envelope : new String[] {duplicated, duplicatedInKdf}) {
            assertThatThrownBy(() -> ProjectKeyEnvelope.unwrap(envelope, CODE, PROJECT))
                    .isInstanceOf(MalformedEnvelopeException.class);
        }
    }

    @Test
    void trailingContentIsRefused() {
        for (String envelope : new String[] {valid + "{}", valid + " x", valid + valid}) {
            assertThatThrownBy(() -> ProjectKeyEnvelope.unwrap(envelope, CODE, PROJECT))
                    .isInstanceOf(MalformedEnvelopeException.class);
        }
    }

    @Test
    void commentsAreRefused() {
        String commented = "/* hi */" + valid;
        assertThatThrownBy(() -> ProjectKeyEnvelope.unwrap(commented, CODE, PROJECT))
                .isInstanceOf(MalformedEnvelopeException.class);
    }

    @Test
    void whitespaceFromAStoreIsFine() throws WrongCodeException {
        // PostgreSQL's jsonb text puts a space after every ':' and ','; the envelope must survive that round trip.
        String spaced = valid.replace(":", ": ").replace(",", ", ");
        ProjectKeyEnvelope.unwrap(spaced, CODE, PROJECT);
    }

    @Test
    void anEnvelopeAboveTheTextCapIsRefusedBeforeParsing() {
        String padded = valid.substring(0, valid.length() - 1)
                + " ".repeat(ProjectKeyEnvelope.MAX_ENVELOPE_CHARS) + "}";
        assertThatThrownBy(() -> ProjectKeyEnvelope.unwrap(padded, CODE, PROJECT))
                .isInstanceOf(MalformedEnvelopeException.class)
                .hasMessageContaining("at most");
    }
}
