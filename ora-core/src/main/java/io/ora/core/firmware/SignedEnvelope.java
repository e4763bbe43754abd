package io.ora.core.firmware;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A signed firmware document: a DSSE envelope (docs/ota.md, "Keys and signed metadata"). The signatures cover the
 * payload's exact bytes through DSSE's pre-authentication encoding, so no JSON is ever canonicalised and a payload
 * cannot be re-encoded into something else that still verifies.
 *
 * @param payloadType what the payload is ({@link #ROOT_TYPE}, {@link #RELEASE_TYPE})
 * @param payload     the signed bytes (JSON)
 * @param signatures  Ed25519 signatures by key id
 */
public record SignedEnvelope(String payloadType, byte[] payload, List<KeySignature> signatures) {

    /** Root metadata: which keys sign releases and the next root. */
    public static final String ROOT_TYPE = "application/vnd.ora.firmware-root+json";
    /** Release metadata: one firmware image of one model. */
    public static final String RELEASE_TYPE = "application/vnd.ora.firmware-release+json";
    /** The largest envelope taken, in bytes of JSON. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final int MAX_SIGNATURES = 8;
    private static final Set<String> FIELDS = Set.of("payloadType", "payload", "signatures");
    private static final Set<String> SIGNATURE_FIELDS = Set.of("keyid", "sig");

    /** One signature, by the key whose id ({@link FirmwareKeys#keyId}) is {@code keyId}. */
    public record KeySignature(String keyId, byte[] signature) {
        public KeySignature {
            signature = signature.clone();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }
    }

    public SignedEnvelope {
        payload = payload.clone();
        signatures = List.copyOf(signatures);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** Signs {@code payload} as {@code payloadType} with each of {@code keys}. */
    public static SignedEnvelope sign(String payloadType, byte[] payload, List<PrivateKey> keys) {
        List<KeySignature> signatures = new ArrayList<>();
        for (PrivateKey key : keys) {
            try {
                Signature signer = Signature.getInstance(FirmwareKeys.ALGORITHM);
                signer.initSign(key);
                signer.update(pae(payloadType, payload));
                signatures.add(new KeySignature(FirmwareKeys.keyId(FirmwareKeys.publicOf(key)), signer.sign()));
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot sign with this key", e);
            }
        }
        return new SignedEnvelope(payloadType, payload, signatures);
    }

    /** Whether a signature by {@code key} over this envelope verifies. */
    public boolean signedBy(PublicKey key) {
        String id = FirmwareKeys.keyId(key);
        byte[] signed = pae(payloadType, payload);
        for (KeySignature signature : signatures) {
            if (!signature.keyId().equals(id)) {
                continue;
            }
            try {
                Signature verifier = Signature.getInstance(FirmwareKeys.ALGORITHM);
                verifier.initVerify(key);
                verifier.update(signed);
                if (verifier.verify(signature.signature())) {
                    return true;
                }
            } catch (GeneralSecurityException e) {
                // A signature of the wrong length or form is simply not a valid one.
            }
        }
        return false;
    }

    /** Whether a signature by any of {@code keys} verifies. */
    public boolean signedByAny(List<PublicKey> keys) {
        return keys.stream().anyMatch(this::signedBy);
    }

    /** DSSE's pre-authentication encoding: {@code "DSSEv1" SP len(type) SP type SP len(body) SP body}. */
    static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + payload.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(payload, 0, all, head.length, payload.length);
        return all;
    }

    /** Parses an envelope's JSON, refusing any field it does not define and anything over {@link #MAX_BYTES}. */
    public static SignedEnvelope parse(byte[] json) throws InvalidDocumentException {
        if (json.length > MAX_BYTES) {
            throw new InvalidDocumentException("the envelope is larger than " + MAX_BYTES + " bytes");
        }
        return of(Documents.read(json, "envelope"));
    }

    /** The envelope in {@code node}, as {@link #parse} reads it. */
    public static SignedEnvelope of(JsonNode node) throws InvalidDocumentException {
        Documents.onlyFields(node, FIELDS, "envelope");
        String payloadType = Documents.string(node, "payloadType", 128);
        byte[] payload = Documents.base64(node, "payload");
        JsonNode list = node.get("signatures");
        if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_SIGNATURES) {
            throw new InvalidDocumentException("signatures is a list of 1 to " + MAX_SIGNATURES + " signatures");
        }
        List<KeySignature> signatures = new ArrayList<>();
        for (JsonNode entry : list) {
            Documents.onlyFields(entry, SIGNATURE_FIELDS, "signature");
            String keyId = Documents.string(entry, "keyid", 64);
            if (!keyId.matches("[0-9a-f]{64}")) {
                throw new InvalidDocumentException("keyid is 64 lower-case hex digits");
            }
            signatures.add(new KeySignature(keyId, Documents.base64(entry, "sig")));
        }
        return new SignedEnvelope(payloadType, payload, signatures);
    }

    /** The envelope as a JSON tree. */
    public ObjectNode toTree() {
        ObjectNode node = Documents.MAPPER.createObjectNode();
        node.put("payloadType", payloadType);
        node.put("payload", Base64.getEncoder().encodeToString(payload));
        ArrayNode list = node.putArray("signatures");
        for (KeySignature signature : signatures) {
            list.addObject().put("keyid", signature.keyId())
                    .put("sig", Base64.getEncoder().encodeToString(signature.signature()));
        }
        return node;
    }

    /** The envelope's JSON bytes. */
    public byte[] toJson() {
        return Documents.MAPPER.writeValueAsBytes(toTree());
    }
}
