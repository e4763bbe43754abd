package io.ora.core.firmware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** DSSE envelopes (docs/ota.md, "Keys and signed metadata"): what verifies, and what {@code parse} refuses. */
class SignedEnvelopeTest {

    private static final KeyPair SIGNER = FirmwareKeys.generate();
    private static final KeyPair OTHER = FirmwareKeys.generate();
    private static final byte[] PAYLOAD = new ReleaseMetadata("ora-hub-1", new FirmwareVersion(1, 4, 0),
            new FirmwareVersion(1, 2, 0), 33_554_432, new byte[32], "Faster Thread commissioning.",
            Instant.parse("2027-03-07T00:00:00Z")).toJson();
    private static final SignedEnvelope SIGNED = SignedEnvelope.sign(SignedEnvelope.RELEASE_TYPE, PAYLOAD,
            List.of(SIGNER.getPrivate()));

    @Test
    void whatIsSignedVerifiesWithTheSignersPublicKeyOnly() {
        assertThat(SIGNED.signedBy(SIGNER.getPublic())).isTrue();
        assertThat(SIGNED.signedBy(OTHER.getPublic())).isFalse();
        assertThat(SIGNED.signedByAny(List.of(OTHER.getPublic(), SIGNER.getPublic()))).isTrue();
        assertThat(SIGNED.signedByAny(List.of(OTHER.getPublic()))).isFalse();
        assertThat(SIGNED.signatures()).singleElement().satisfies(signature ->
                assertThat(signature.keyId()).isEqualTo(FirmwareKeys.keyId(SIGNER.getPublic())));
    }

    @Test
    void theKeyIdIsTheSha256OfTheSubjectPublicKeyInfo() throws Exception {
        byte[] spki = SIGNER.getPublic().getEncoded();
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki));

        assertThat(FirmwareKeys.keyId(SIGNER.getPublic())).isEqualTo(expected).matches("[0-9a-f]{64}");
        assertThat(FirmwareKeys.publicOf(SIGNER.getPrivate()).getEncoded()).isEqualTo(spki);
    }

    @Test
    void theSignatureIsOverDssePreAuthenticationEncoding() throws Exception {
        byte[] expected = ("DSSEv1 41 application/vnd.ora.firmware-release+json " + PAYLOAD.length + " "
                + new String(PAYLOAD, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(SIGNER.getPublic());
        verifier.update(expected);

        assertThat(verifier.verify(SIGNED.signatures().get(0).signature())).isTrue();
    }

    @Test
    void aJsonRoundTripKeepsEveryByteAndStillVerifies() throws InvalidDocumentException {
        SignedEnvelope twice = SignedEnvelope.sign(SignedEnvelope.ROOT_TYPE, PAYLOAD,
                List.of(SIGNER.getPrivate(), OTHER.getPrivate()));

        SignedEnvelope parsed = SignedEnvelope.parse(twice.toJson());

        assertThat(parsed.payloadType()).isEqualTo(SignedEnvelope.ROOT_TYPE);
        assertThat(parsed.payload()).isEqualTo(PAYLOAD);
        assertThat(parsed.signatures()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(parsed.signatures().get(i).keyId()).isEqualTo(twice.signatures().get(i).keyId());
            assertThat(parsed.signatures().get(i).signature()).isEqualTo(twice.signatures().get(i).signature());
        }
        assertThat(parsed.signedBy(SIGNER.getPublic())).isTrue();
        assertThat(parsed.signedBy(OTHER.getPublic())).isTrue();
        assertThat(parsed.toJson()).isEqualTo(twice.toJson());
    }

    @Test
    void everyByteOfThePayloadChangedFailsVerification() {
        for (int i = 0; i < PAYLOAD.length; i++) {
            for (int bit : new int[] {0x01, 0x80}) {
                byte[] changed = PAYLOAD.clone();
                changed[i] ^= (byte) bit;
                SignedEnvelope tampered = new SignedEnvelope(SIGNED.payloadType(), changed, SIGNED.signatures());
                assertThat(tampered.signedBy(SIGNER.getPublic())).as("byte %d, bit %x", i, bit).isFalse();
            }
        }
    }

    @Test
    void theTypeAndTheLengthAreSignedToo() {
        SignedEnvelope retyped = new SignedEnvelope(SignedEnvelope.ROOT_TYPE, PAYLOAD, SIGNED.signatures());
        SignedEnvelope longer = new SignedEnvelope(SIGNED.payloadType(), Arrays.copyOf(PAYLOAD, PAYLOAD.length + 1),
                SIGNED.signatures());
        SignedEnvelope shorter = new SignedEnvelope(SIGNED.payloadType(), Arrays.copyOf(PAYLOAD, PAYLOAD.length - 1),
                SIGNED.signatures());

        assertThat(List.of(retyped, longer, shorter)).noneMatch(envelope -> envelope.signedBy(SIGNER.getPublic()));
    }

    @Test
    void aSignatureRelabelledWithAnotherKeysIdDoesNotVerify() {
        SignedEnvelope relabelled = new SignedEnvelope(SIGNED.payloadType(), PAYLOAD, List.of(
                new SignedEnvelope.KeySignature(FirmwareKeys.keyId(OTHER.getPublic()),
                        SIGNED.signatures().get(0).signature())));
        SignedEnvelope truncated = new SignedEnvelope(SIGNED.payloadType(), PAYLOAD, List.of(
                new SignedEnvelope.KeySignature(SIGNED.signatures().get(0).keyId(),
                        Arrays.copyOf(SIGNED.signatures().get(0).signature(), 63))));

        assertThat(relabelled.signedBy(OTHER.getPublic())).isFalse();
        assertThat(relabelled.signedBy(SIGNER.getPublic())).isFalse();
        assertThat(truncated.signedBy(SIGNER.getPublic())).isFalse();
    }

    @Test
    void unknownAndRepeatedFieldsAreRefused() {
        String good = new String(SIGNED.toJson(), StandardCharsets.UTF_8);
        String keyId = SIGNED.signatures().get(0).keyId();

        refused(good.replaceFirst("\\{", "{\"extra\":1,"), "a field it does not define: extra");
        refused(good.replace("\"keyid\":", "\"kid\":0,\"keyid\":"), "a field it does not define: kid");
        refused(good.replaceFirst("\\{", "{\"payloadType\":\"x\","), "not JSON");
        refused(good.replace("\"keyid\":\"" + keyId + "\"", "\"keyid\":\"" + keyId + "\",\"keyid\":\"" + keyId
                + "\""), "not JSON");
    }

    @Test
    void badBase64IsRefused() {
        // Trailing white space (still the same JSON) to a length that base64 pads.
        byte[] padded = Arrays.copyOf(PAYLOAD, PAYLOAD.length + 1 + (3 - (PAYLOAD.length + 1) % 3) % 3 + 1);
        Arrays.fill(padded, PAYLOAD.length, padded.length, (byte) ' ');
        SignedEnvelope envelope = SignedEnvelope.sign(SignedEnvelope.RELEASE_TYPE, padded,
                List.of(SIGNER.getPrivate()));
        String good = new String(envelope.toJson(), StandardCharsets.UTF_8);
        String payload = Base64.getEncoder().encodeToString(padded);
        String sig = Base64.getEncoder().encodeToString(envelope.signatures().get(0).signature());
        assertThat(payload).endsWith("==");
        assertThat(sig).endsWith("==");

        refused(good.replace(payload, "!" + payload.substring(1)), "payload is standard base64");
        refused(good.replace(payload, payload.replace("=", "")), "payload is standard base64, with padding");
        refused(good.replace(payload, "-" + payload.substring(1)), "payload is standard base64");
        refused(good.replace(payload, payload.substring(0, 8) + "\\n" + payload.substring(8)),
                "payload is standard base64");
        refused(good.replace(sig, sig.replace("==", "")), "sig is standard base64, with padding");
        // The character before "==" carries four bits more than the signature has: only zeros spell it (A, Q, g, w).
        char last = sig.charAt(sig.length() - 3);
        assertThat(last).isIn('A', 'Q', 'g', 'w');
        refused(good.replace(sig, sig.substring(0, sig.length() - 3) + (char) (last + 1) + "=="),
                "sig is standard base64");
    }

    @Test
    void anEnvelopeOver64KibIsRefusedBeforeItIsRead() {
        byte[] big = new byte[SignedEnvelope.MAX_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        byte[] json = SIGNED.toJson();
        System.arraycopy(json, 0, big, 0, json.length);

        assertThatThrownBy(() -> SignedEnvelope.parse(big)).isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("larger than 65536 bytes");
    }

    @Test
    void signaturesAreOneToEight() {
        String good = new String(SIGNED.toJson(), StandardCharsets.UTF_8);
        String one = good.substring(good.indexOf('[') + 1, good.lastIndexOf(']'));

        refused(good.replace(one, ""), "signatures is a list of 1 to 8");
        refused(good.replace(one, String.join(",", Collections.nCopies(9, one))),
                "signatures is a list of 1 to 8");
        refused(good.replace(SIGNED.signatures().get(0).keyId(), SIGNED.signatures().get(0).keyId().toUpperCase()),
                "keyid is 64 lower-case hex digits");
    }

    /** Whatever bytes arrive, {@code parse} answers an envelope or refuses them: never another exception. */
    @Property(tries = 2000)
    void anyBytesParseOrAreRefused(@ForAll @Size(max = 512) byte[] bytes) {
        parsesOrIsRefused(bytes);
    }

    /** The same for near misses of a real envelope, which reach the checks past the JSON parser. */
    @Property(tries = 2000)
    void anyChangeOfARealEnvelopeParsesOrIsRefused(@ForAll("positions") int position,
                                                    @ForAll("replacements") byte[] replacement,
                                                    @ForAll @IntRange(max = 8) int removed) {
        byte[] json = SIGNED.toJson();
        int at = position % json.length;
        int end = Math.min(json.length, at + removed);
        byte[] changed = new byte[json.length - (end - at) + replacement.length];
        System.arraycopy(json, 0, changed, 0, at);
        System.arraycopy(replacement, 0, changed, at, replacement.length);
        System.arraycopy(json, end, changed, at + replacement.length, json.length - end);

        parsesOrIsRefused(changed);
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, Integer.MAX_VALUE);
    }

    @Provide
    Arbitrary<byte[]> replacements() {
        List<Byte> interesting = new ArrayList<>();
        for (byte b : "{}[]\",:=\\0 aA+/-_\u00e9".getBytes(StandardCharsets.UTF_8)) {
            interesting.add(b);
        }
        return Arbitraries.oneOf(Arbitraries.of(interesting), Arbitraries.bytes()).array(byte[].class).ofMaxSize(6);
    }

    private static void parsesOrIsRefused(byte[] bytes) {
        try {
            SignedEnvelope envelope = SignedEnvelope.parse(bytes);
            assertThat(envelope.signatures()).hasSizeBetween(1, 8);
        } catch (InvalidDocumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    private static void refused(String json, String why) {
        assertThatThrownBy(() -> SignedEnvelope.parse(json.getBytes(StandardCharsets.UTF_8)))
                .as(json).isInstanceOf(InvalidDocumentException.class).hasMessageContaining(why);
    }
}
