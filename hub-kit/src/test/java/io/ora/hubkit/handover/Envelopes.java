package io.ora.hubkit.handover;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ora.core.handover.AccessKeyCode;
import io.ora.hubkit.handover.ProjectKeyEnvelope.Parameters;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.UUID;
import java.util.function.Consumer;

/** What the envelope tests share: cheap Argon2 parameters, a code with a 1 and a 0 in it, and JSON surgery. */
final class Envelopes {

    /** OWASP's minimum, the lowest the format allows: one derivation takes tens of milliseconds. */
    static final Parameters FAST = new Parameters(19_456, 2, 1);

    /** Has both a 1 and a 0, so that typing I, L and O for them can be tested. */
    static final AccessKeyCode CODE = AccessKeyCode.parse("7K3QF-9XW2D-M4RT1-VB6NJ-5HZC0").orElseThrow();

    static final UUID PROJECT = UUID.fromString("5f0c3a1e-8b7d-4c2a-9e6f-1a2b3c4d5e6f");

    private static final ObjectMapper JSON = new ObjectMapper();

    private Envelopes() {
    }

    static ObjectNode tree(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code json} with {@code change} applied to its tree. */
    static String edit(String json, Consumer<ObjectNode> change) {
        ObjectNode root = tree(json);
        change.accept(root);
        return root.toString();
    }

    /** {@code json} with one bit of a binary field ({@code object.field}, base64url) flipped. */
    static String flipBit(String json, String object, String field, int bit) {
        return edit(json, root -> {
            ObjectNode holder = (ObjectNode) root.get(object);
            byte[] bytes = decode(holder.get(field).textValue());
            bytes[bit / 8] ^= (byte) (1 << (bit % 8));
            holder.put(field, encode(bytes));
        });
    }

    static byte[] decode(String base64url) {
        return Base64.getUrlDecoder().decode(base64url);
    }

    static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
