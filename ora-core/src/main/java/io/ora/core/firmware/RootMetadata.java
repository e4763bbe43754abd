package io.ora.core.firmware;

import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Root metadata (docs/ota.md): which keys may sign releases, and which may sign the next root metadata. The payload
 * of a {@link SignedEnvelope#ROOT_TYPE} envelope.
 *
 * @param version     1 for the first, each next exactly one more
 * @param expires     after this the root is not trusted, nor anything it names
 * @param rootKeys    the keys that sign the next version (with one of that version's own)
 * @param releaseKeys the keys that sign releases
 */
public record RootMetadata(int version, Instant expires, List<PublicKey> rootKeys, List<PublicKey> releaseKeys) {

    static final int SPEC = 1;
    private static final int MAX_KEYS = 8;
    private static final Set<String> FIELDS = Set.of("spec", "version", "expires", "rootKeys", "releaseKeys");
    private static final Set<String> KEY_FIELDS = Set.of("keyid", "publicKey");

    public RootMetadata {
        rootKeys = List.copyOf(rootKeys);
        releaseKeys = List.copyOf(releaseKeys);
    }

    /** Parses the payload, strictly. */
    public static RootMetadata parse(byte[] payload) throws InvalidDocumentException {
        JsonNode node = Documents.read(payload, "root metadata");
        Documents.onlyFields(node, FIELDS, "root metadata");
        if (Documents.integer(node, "spec", SPEC, SPEC) != SPEC) {
            throw new InvalidDocumentException("spec is " + SPEC);
        }
        int version = (int) Documents.integer(node, "version", 1, Integer.MAX_VALUE);
        Instant expires = Documents.instant(node, "expires");
        return new RootMetadata(version, expires, keys(node, "rootKeys"), keys(node, "releaseKeys"));
    }

    private static List<PublicKey> keys(JsonNode node, String field) throws InvalidDocumentException {
        JsonNode list = node.get(field);
        if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_KEYS) {
            throw new InvalidDocumentException(field + " is a list of 1 to " + MAX_KEYS + " keys");
        }
        List<PublicKey> keys = new ArrayList<>();
        for (JsonNode entry : list) {
            Documents.onlyFields(entry, KEY_FIELDS, "key");
            byte[] spki = Documents.base64(entry, "publicKey");
            PublicKey key;
            try {
                key = FirmwareKeys.publicKey(spki);
            } catch (IllegalArgumentException e) {
                throw new InvalidDocumentException(field + " holds a key that is not Ed25519");
            }
            if (!FirmwareKeys.keyId(spki).equals(Documents.string(entry, "keyid", 64))) {
                throw new InvalidDocumentException(field + " holds a keyid that is not its key's SHA-256");
            }
            keys.add(key);
        }
        return keys;
    }

    /** The payload's JSON bytes. */
    public byte[] toJson() {
        ObjectNode node = Documents.MAPPER.createObjectNode();
        node.put("spec", SPEC).put("version", version).put("expires", expires.toString());
        write(node.putArray("rootKeys"), rootKeys);
        write(node.putArray("releaseKeys"), releaseKeys);
        return Documents.MAPPER.writeValueAsBytes(node);
    }

    private static void write(ArrayNode list, List<PublicKey> keys) {
        for (PublicKey key : keys) {
            list.addObject().put("keyid", FirmwareKeys.keyId(key))
                    .put("publicKey", Base64.getEncoder().encodeToString(key.getEncoded()));
        }
    }
}
