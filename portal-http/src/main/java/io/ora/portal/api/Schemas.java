package io.ora.portal.api;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;

/**
 * Request validation from the OpenAPI document itself: each JSON body is checked against the schema the document
 * publishes for it ({@code #/components/schemas/<name>}, JSON Schema 2020-12 as OpenAPI 3.1 defines), with format
 * assertions on. The document is the contract, so what the server accepts cannot drift from what it advertises.
 */
public final class Schemas {

    /** Where the OpenAPI document lives on the classpath, also served at {@code /openapi.json}. */
    public static final String DOCUMENT = "openapi.json";

    private static final String BASE = "https://ora.io/openapi.json";

    private final SchemaRegistry registry;
    private final byte[] document;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private Schemas(byte[] document) {
        this.document = document;
        String text = new String(document, StandardCharsets.UTF_8);
        this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build())
                .schemas(Map.of(BASE, text)));
    }

    /** The portal's published document. */
    public static Schemas load() {
        try (InputStream in = Schemas.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException(DOCUMENT + " is missing from the classpath");
            }
            return new Schemas(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The raw document bytes, as served. */
    public byte[] document() {
        return document.clone();
    }

    /** The rules {@code value} breaks, as "JSON pointer: message"; empty when it is valid. */
    public List<String> violations(String schemaName, JsonNode value) {
        Schema schema = schemas.computeIfAbsent(schemaName, name ->
                registry.getSchema(SchemaLocation.of(BASE + "#/components/schemas/" + name)));
        List<Error> errors = schema.validate(value);
        return errors.stream().limit(20)
                .map(error -> error.getInstanceLocation() + ": " + error.getMessage())
                .toList();
    }

    /** Validates {@code json} text (a response, in tests) against a named schema. */
    public List<String> violations(String schemaName, String json) {
        return violations(schemaName, Json.mapper().readTree(json));
    }
}
