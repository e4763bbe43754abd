package io.ora.hubkit.handover;

import static io.ora.hubkit.handover.Envelopes.CODE;
import static io.ora.hubkit.handover.Envelopes.FAST;
import static io.ora.hubkit.handover.Envelopes.PROJECT;
import static io.ora.hubkit.handover.Envelopes.decode;
import static io.ora.hubkit.handover.Envelopes.edit;
import static io.ora.hubkit.handover.Envelopes.flipBit;
import static io.ora.hubkit.handover.Envelopes.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.ora.core.handover.AccessKeyCode;
import io.ora.hubkit.handover.ProjectKeyEnvelope.Parameters;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The envelope end to end with real Argon2id and AES-GCM: what opens it, what does not, and that what it writes is
 * exactly what the portal's schema accepts. Argon2 runs at {@link Envelopes#FAST} except in one test.
 */
class ProjectKeyEnvelopeTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    private static byte[] projectKey;
    private static String envelope;

    @BeforeAll
    static void wrapOnce() {
        projectKey = new byte[32];
        RANDOM.nextBytes(projectKey);
        envelope = ProjectKeyEnvelope.wrap(projectKey, CODE, PROJECT, FAST);
    }

    @Test
    void theSameCodeAndProjectOpenIt() throws WrongCodeException {
        assertThat(ProjectKeyEnvelope.unwrap(envelope, CODE, PROJECT)).isEqualTo(projectKey);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "7K3QF9XW2DM4RT1VB6NJ5HZC0",
        "7k3qf9xw2dm4rt1vb6nj5hzc0",
        "7K3QF 9XW2D M4RT1 VB6NJ 5HZC0",
        " 7k3qf-9xw2d-m4rt1-vb6nj-5hzc0 ",
        "7K3QF-9XW2D-M4RTI-VB6NJ-5HZCO",
        "7k3qf-9xw2d-m4rtl-vb6nj-5hzco",
        "7K3-QF9 XW2DM4RTL VB6-NJ5HZ-C-O",
    })
    void theCodeTypedAnyWayOpensIt(String typed) throws WrongCodeException {
        AccessKeyCode code = AccessKeyCode.parse(typed).orElseThrow();
        assertThat(ProjectKeyEnvelope.unwrap(envelope, code, PROJECT)).isEqualTo(projectKey);
    }

    @Test
    void anotherCodeDoesNotOpenIt() {
        AccessKeyCode oneCharacterOff = new AccessKeyCode("7K3QF9XW2DM4RT1VB6NJ5HZC1");
        AccessKeyCode random = AccessKeyCode.generate(RANDOM);
        for (AccessKeyCode wrong : List.of(oneCharacterOff, random)) {
            assertThatThrownBy(() -> ProjectKeyEnvelope.unwrap(envelope, wrong, PROJECT))
                    .isInstanceOf(WrongCodeException.class)
                    .hasMessage("the code does not open this envelope")
                    .hasNoCause();
        }
    }

    @Test
    void anotherProjectDoesNotOpenIt() {
        UUID other = UUID.randomUUID();
        assertThatThrownBy(() -> ProjectKeyEnvelope.unwrap(envelope, CODE, other))
                .isInstanceOf(WrongCodeException.class);
    }

    @Test
    void theProjectIsBoundInItsCanonicalLowerCaseForm() {
        assertThat(ProjectKeyEnvelope.aad(UUID.fromString("5F0C3A1E-8B7D-4C2A-9E6F-1A2B3C4D5E6F")))
                .asString()
                .isEqualTo("ora/project-key/v1/5f0c3a1e-8b7d-4c2a-9e6f-1a2b3c4d5e6f");
    }

    static Stream<Arguments> edgeBits() {
        return Stream.of(
                Arguments.of("kdf", "salt", 0), Arguments.of("kdf", "salt", 7),
                Arguments.of("kdf", "salt", 16 * 8 - 1),
                Arguments.of("cipher", "nonce", 0), Arguments.of("cipher", "nonce", 12 * 8 - 1),
                Arguments.of("cipher", "ciphertext", 0),
                Arguments.of("cipher", "ciphertext", 32 * 8 - 1),
                Arguments.of("cipher", "ciphertext", 32 * 8),
                Arguments.of("cipher", "ciphertext", 48 * 8 - 1));
    }

    /** The first and last bits of each field, key and tag; random bits are {@link ProjectKeyEnvelopePropertiesTest}. */
    @ParameterizedTest(name = "{0}.{1} bit {2}")
    @MethodSource("edgeBits")
    void aFlippedBitDoesNotOpen(String object, String field, int bit) {
        String changed = flipBit(envelope, object, field, bit);
        assertThatThrownBy(() -> ProjectKeyEnvelope.unwrap(changed, CODE, PROJECT))
                .isInstanceOf(WrongCodeException.class);
    }

    static Stream<Arguments> otherParameters() {
        return Stream.of(
                Arguments.of("memoryKiB", 19_457),
                Arguments.of("iterations", 3),
                Arguments.of("parallelism", 2));
    }

    /** Parameters are not authenticated by GCM, but they change the key, so changing them cannot go unnoticed. */
    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("otherParameters")
    void changedKdfParametersDoNotOpen(String field, int value) {
        String changed = edit(envelope, root -> ((ObjectNode) root.get("kdf")).put(field, value));
        assertThatThrownBy(() -> ProjectKeyEnvelope.unwrap(changed, CODE, PROJECT))
                .isInstanceOf(WrongCodeException.class);
    }

    @Test
    void everyWrapHasAFreshSaltAndNonce() throws WrongCodeException {
        String again = ProjectKeyEnvelope.wrap(projectKey, CODE, PROJECT, FAST);

        JsonNode first = tree(envelope);
        JsonNode second = tree(again);
        assertThat(second.at("/kdf/salt").textValue()).isNotEqualTo(first.at("/kdf/salt").textValue());
        assertThat(second.at("/cipher/nonce").textValue()).isNotEqualTo(first.at("/cipher/nonce").textValue());
        assertThat(second.at("/cipher/ciphertext").textValue())
                .isNotEqualTo(first.at("/cipher/ciphertext").textValue());
        assertThat(ProjectKeyEnvelope.unwrap(again, CODE, PROJECT)).isEqualTo(projectKey);
    }

    @Test
    void itHasExactlyTheFieldsOfTheFormat() {
        JsonNode root = tree(envelope);
        assertThat(fieldNames(root)).containsExactly("version", "kdf", "cipher");
        assertThat(fieldNames(root.get("kdf")))
                .containsExactly("name", "memoryKiB", "iterations", "parallelism", "salt");
        assertThat(fieldNames(root.get("cipher"))).containsExactly("name", "nonce", "ciphertext");

        assertThat(root.get("version").isInt()).isTrue();
        assertThat(root.get("version").intValue()).isEqualTo(1);
        assertThat(root.at("/kdf/name").textValue()).isEqualTo("argon2id");
        assertThat(root.at("/kdf/memoryKiB").intValue()).isEqualTo(FAST.memoryKiB());
        assertThat(root.at("/kdf/iterations").intValue()).isEqualTo(FAST.iterations());
        assertThat(root.at("/kdf/parallelism").intValue()).isEqualTo(FAST.parallelism());
        assertThat(root.at("/cipher/name").textValue()).isEqualTo("AES-256-GCM");
        for (String binary : List.of("/kdf/salt", "/cipher/nonce", "/cipher/ciphertext")) {
            assertThat(root.at(binary).textValue()).matches("[A-Za-z0-9_-]+");
        }
        assertThat(decode(root.at("/kdf/salt").textValue())).hasSize(16);
        assertThat(decode(root.at("/cipher/nonce").textValue())).hasSize(12);
        assertThat(decode(root.at("/cipher/ciphertext").textValue())).hasSize(projectKey.length + 16);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 32, 1024})
    void itFollowsThePortalsSchema(int keyBytes) throws IOException {
        byte[] key = new byte[keyBytes];
        RANDOM.nextBytes(key);
        String wrapped = ProjectKeyEnvelope.wrap(key, CODE, PROJECT, FAST);

        Schema schema = portalSchema();
        assertThat(schema.validate(wrapped, InputFormat.JSON)).isEmpty();
        // The validator is really looking: an extra field is refused.
        String extra = edit(wrapped, root -> root.put("hint", "none"));
        assertThat(schema.validate(extra, InputFormat.JSON)).extracting(Error::getMessage).isNotEmpty();
    }

    @Test
    void recommendedParametersRoundTrip() throws WrongCodeException {
        String wrapped = ProjectKeyEnvelope.wrap(projectKey, CODE, PROJECT, Parameters.RECOMMENDED);

        JsonNode kdf = tree(wrapped).get("kdf");
        assertThat(kdf.get("memoryKiB").intValue()).isEqualTo(65_536);
        assertThat(kdf.get("iterations").intValue()).isEqualTo(3);
        assertThat(kdf.get("parallelism").intValue()).isEqualTo(1);
        assertThat(ProjectKeyEnvelope.unwrap(wrapped, CODE, PROJECT)).isEqualTo(projectKey);
    }

    @Test
    void wrapLeavesTheKeyAsItWas() {
        byte[] key = projectKey.clone();
        ProjectKeyEnvelope.wrap(key, CODE, PROJECT, FAST);
        assertThat(key).isEqualTo(projectKey);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1025})
    void wrapRefusesKeysOfImpossibleSizes(int keyBytes) {
        assertThatThrownBy(() -> ProjectKeyEnvelope.wrap(new byte[keyBytes], CODE, PROJECT, FAST))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 1024 bytes");
    }

    @ParameterizedTest(name = "({0}, {1}, {2})")
    @CsvSource({"19455, 2, 1", "1048577, 2, 1", "19456, 1, 1", "19456, 11, 1", "19456, 2, 0", "19456, 2, 9"})
    void parametersRefuseValuesOutsideTheBounds(int memoryKiB, int iterations, int parallelism) {
        assertThatThrownBy(() -> new Parameters(memoryKiB, iterations, parallelism))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be in");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Schema portalSchema() throws IOException {
        try (InputStream in = ProjectKeyEnvelopeTest.class.getResourceAsStream("project-key-envelope.schema.json")) {
            assertThat(in).as("the schema resource").isNotNull();
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        }
    }
}
