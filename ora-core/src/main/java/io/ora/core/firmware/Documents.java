package io.ora.core.firmware;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Strict reading of the firmware documents: allow-listed fields, each at most once (a hub that kept the first of
 * two and a portal that kept the last would trust different documents), bounded sizes and depth, exact types, and
 * base64 in its one standard spelling.
 */
final class Documents {

    static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(16).maxStringLength(SignedEnvelope.MAX_BYTES * 2).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Documents() {
    }

    static JsonNode read(byte[] json, String what) throws InvalidDocumentException {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new InvalidDocumentException("the " + what + " is not JSON, each field at most once");
        }
        if (node == null || !node.isObject()) {
            throw new InvalidDocumentException("the " + what + " is not a JSON object");
        }
        return node;
    }

    static void onlyFields(JsonNode node, Set<String> allowed, String what) throws InvalidDocumentException {
        if (node == null || !node.isObject()) {
            throw new InvalidDocumentException("the " + what + " is not a JSON object");
        }
        Iterator<String> names = node.propertyNames().iterator();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new InvalidDocumentException("the " + what + " has a field it does not define: " + safe(name));
            }
        }
    }

    static String string(JsonNode node, String field, int maxLength) throws InvalidDocumentException {
        JsonNode value = node.get(field);
        if (value == null || !value.isString()) {
            throw new InvalidDocumentException(field + " is a string");
        }
        String text = value.stringValue();
        if (text.length() > maxLength) {
            throw new InvalidDocumentException(field + " is at most " + maxLength + " characters");
        }
        return text;
    }

    static byte[] base64(JsonNode node, String field) throws InvalidDocumentException {
        String text = string(node, field, SignedEnvelope.MAX_BYTES * 2);
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidDocumentException(field + " is standard base64");
        }
        // The JDK's decoder also takes text without padding and with stray low bits; RFC 4648 §4 spells each byte
        // string one way, so only that spelling is taken.
        if (!Base64.getEncoder().encodeToString(bytes).equals(text)) {
            throw new InvalidDocumentException(field + " is standard base64, with padding");
        }
        return bytes;
    }

    static long integer(JsonNode node, String field, long min, long max) throws InvalidDocumentException {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()
                || value.longValue() < min || value.longValue() > max) {
            throw new InvalidDocumentException(field + " is a whole number from " + min + " to " + max);
        }
        return value.longValue();
    }

    static Instant instant(JsonNode node, String field) throws InvalidDocumentException {
        String text = string(node, field, 40);
        if (!text.endsWith("Z")) {
            throw new InvalidDocumentException(field + " is an ISO-8601 instant in UTC, ending in Z");
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidDocumentException(field + " is an ISO-8601 instant in UTC, ending in Z");
        }
    }

    static FirmwareVersion version(JsonNode node, String field) throws InvalidDocumentException {
        return FirmwareVersion.parse(string(node, field, 32)).orElseThrow(() ->
                new InvalidDocumentException(field + " is MAJOR.MINOR.PATCH"));
    }

    /** A field name echoed in a message: only if it is short and plain, so no input is reflected as is. */
    private static String safe(String name) {
        return name.matches("[A-Za-z0-9_]{1,32}") ? name : "(a name not shown)";
    }
}
