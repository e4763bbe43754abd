package io.ora.portal.api;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The portal's one JSON codec. Parsing is defensive: bytes must be strict UTF-8, nesting, string and number sizes
 * are bounded before any tree is built, duplicate keys are refused (two parsers could otherwise disagree about what
 * a body says), and a failure never echoes the input.
 */
public final class Json {

    /** Deepest nesting accepted; no portal document needs more than a handful of levels. */
    static final int MAX_DEPTH = 32;

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxStringLength(256 * 1024)
                            .maxNumberLength(32)
                            .maxNameLength(256)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    public static JsonMapper mapper() {
        return MAPPER;
    }

    /** Parses a request body, or refuses it with a 400 that says why without quoting it. */
    public static JsonNode parse(byte[] body) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException notUtf8) {
            throw ApiException.badRequest("the request body is not valid UTF-8");
        }
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw ApiException.badRequest("the request body is empty");
            }
            return node;
        } catch (JacksonException malformed) {
            throw ApiException.badRequest("the request body is not valid JSON (or exceeds depth " + MAX_DEPTH
                    + " or a size limit)");
        }
    }

    /** Serialises a response body. */
    public static byte[] write(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    /** Binds an already validated tree to a record. */
    public static <T> T bind(JsonNode node, Class<T> type) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (JacksonException mismatch) {
            throw ApiException.badRequest("the request body does not have the expected shape");
        }
    }
}
