package io.ora.hubkit.handover;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ora.core.handover.AccessKeyCode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The Project Key wrapped under an AccessKey code, as the installer's app uploads it to the portal and the
 * homeowner's app fetches it back (docs/handover.md, "The Project Key envelope"). The format, exactly:
 *
 * <pre>{@code
 * {"version":1,
 *  "kdf":{"name":"argon2id","memoryKiB":65536,"iterations":3,"parallelism":1,"salt":"<base64url>"},
 *  "cipher":{"name":"AES-256-GCM","nonce":"<base64url>","ciphertext":"<base64url>"}}
 * }</pre>
 *
 * <p>The key is Argon2id (RFC 9106, version 0x13) over the code's {@linkplain AccessKeyCode#canonical() canonical}
 * characters as US-ASCII, with the envelope's salt and parameters, 32 bytes out; the Project Key is sealed with
 * AES-256-GCM (128-bit tag) under it, with {@code ora/project-key/v1/<project UUID, lower case>} as additional
 * authenticated data. Binary fields are unpadded base64url.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@link #wrap} writes exactly the fields above, in that order, with a fresh random 16-byte salt and 12-byte
 *       nonce each time, so two wraps of the same key never look alike.</li>
 *   <li>{@link #unwrap} returns the Project Key only if the code is the one it was wrapped under (however it was
 *       typed: the canonical form is what counts), the envelope is unchanged, and the project is the one it was
 *       wrapped for. Otherwise it throws {@link WrongCodeException}: GCM cannot tell those cases apart.</li>
 *   <li>{@link #unwrap} refuses, with {@link MalformedEnvelopeException} and before deriving any key, anything that
 *       is not this format: unknown, missing or duplicated fields, other names or versions, binary fields of the
 *       wrong size, non-canonical base64url, Argon2 parameters outside {@link Parameters}' bounds. A hostile
 *       envelope cannot make a client spend more than the bounds allow (1 GiB, 10 passes) and, since the text is
 *       capped at {@value #MAX_ENVELOPE_CHARS} characters, not even a large parse.</li>
 *   <li>Neither method ever puts the code, the derived key or the Project Key into an exception message.</li>
 * </ul>
 *
 * <p>Argon2 is deliberately slow and memory-hungry ({@link Parameters#RECOMMENDED} takes 64 MiB and a noticeable
 * fraction of a second on a phone): call both methods off any UI thread or event loop. Both are thread-safe.
 *
 * <p>Derived keys and password bytes are overwritten with zeros after use, but Java cannot guarantee they are gone:
 * the code's canonical {@code String} is immutable, {@link SecretKeySpec} and the JCE cipher keep their own copies,
 * and the garbage collector may have moved any array before it was cleared. The zeroing shortens exposure; it is
 * not a promise.
 */
public final class ProjectKeyEnvelope {

    /** The only format version there is. */
    public static final int VERSION = 1;
    public static final String KDF_NAME = "argon2id";
    public static final String CIPHER_NAME = "AES-256-GCM";
    /** Sizes of a Project Key this envelope carries: the portal's ciphertext bound, 1040 bytes, less the tag. */
    public static final int MIN_KEY_BYTES = 1;
    public static final int MAX_KEY_BYTES = 1024;
    /** The prefix of the additional authenticated data; the project's UUID follows it. */
    public static final String AAD_PREFIX = "ora/project-key/v1/";
    /**
     * Longest envelope text {@link #unwrap} parses. The largest valid envelope is about 1,600 characters written
     * compactly; the rest is room for whitespace from whatever stored or re-served it.
     */
    public static final int MAX_ENVELOPE_CHARS = 4096;

    static final int SALT_BYTES = 16;
    static final int MIN_SALT_BYTES = 16;
    static final int MAX_SALT_BYTES = 64;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;
    static final int KEY_BYTES = 32;

    private static final List<String> ENVELOPE_FIELDS = List.of("version", "kdf", "cipher");
    private static final List<String> KDF_FIELDS = List.of("name", "memoryKiB", "iterations", "parallelism", "salt");
    private static final List<String> CIPHER_FIELDS = List.of("name", "nonce", "ciphertext");
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");

    // Strict on purpose: the portal refuses unknown fields and so do we, and a duplicated field could make two
    // parsers read two different envelopes out of one text.
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final SecureRandom RANDOM = new SecureRandom();

    private ProjectKeyEnvelope() {
    }

    /**
     * Argon2id cost: memory in KiB, passes, lanes. The bounds are the portal's: the lower ones are OWASP's minimum
     * for Argon2id (19 MiB, 2 passes, 1 lane); the upper ones cap what an envelope from the server can make a
     * client spend (1 GiB, 10 passes, 8 lanes).
     *
     * @throws IllegalArgumentException when a value is outside its bounds
     */
    public record Parameters(int memoryKiB, int iterations, int parallelism) {

        public static final int MIN_MEMORY_KIB = 19_456;
        public static final int MAX_MEMORY_KIB = 1_048_576;
        public static final int MIN_ITERATIONS = 2;
        public static final int MAX_ITERATIONS = 10;
        public static final int MIN_PARALLELISM = 1;
        public static final int MAX_PARALLELISM = 8;

        /**
         * 64 MiB, 3 passes, 1 lane: above OWASP's Argon2id minimum and the memory and passes of RFC 9106's second
         * recommended option. One lane because BouncyCastle computes lanes one after another: more lanes would cost
         * the phone time without costing a parallel attacker any more.
         */
        public static final Parameters RECOMMENDED = new Parameters(65_536, 3, 1);

        public Parameters {
            check(memoryKiB, MIN_MEMORY_KIB, MAX_MEMORY_KIB, "memoryKiB");
            check(iterations, MIN_ITERATIONS, MAX_ITERATIONS, "iterations");
            check(parallelism, MIN_PARALLELISM, MAX_PARALLELISM, "parallelism");
        }

        private static void check(int value, int min, int max, String name) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be in " + min + ".." + max);
            }
        }
    }

    /**
     * Wraps a Project Key under an AccessKey code for one project.
     *
     * @param projectKey the key to wrap, {@value #MIN_KEY_BYTES} to {@value #MAX_KEY_BYTES} bytes; not modified
     * @param code the AccessKey the homeowner will type
     * @param projectId the project the envelope belongs to; unwrapping for any other project fails
     * @param params the Argon2id cost, normally {@link Parameters#RECOMMENDED}
     * @return the envelope as compact JSON text, ready to upload
     * @throws IllegalArgumentException when the key is empty or longer than {@value #MAX_KEY_BYTES} bytes
     */
    public static String wrap(byte[] projectKey, AccessKeyCode code, UUID projectId, Parameters params) {
        return wrap(projectKey, code, projectId, params, RANDOM);
    }

    /** {@link #wrap(byte[], AccessKeyCode, UUID, Parameters)} drawing salt, then nonce, from {@code random}. */
    static String wrap(byte[] projectKey, AccessKeyCode code, UUID projectId, Parameters params,
                       SecureRandom random) {
        Objects.requireNonNull(projectKey, "projectKey");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(params, "params");
        if (projectKey.length < MIN_KEY_BYTES || projectKey.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("a Project Key must be " + MIN_KEY_BYTES + " to " + MAX_KEY_BYTES
                    + " bytes");
        }
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        // A fresh salt already means a fresh key for every envelope, so a nonce is never reused under one key;
        // the random nonce keeps that true even if a salt ever repeated.
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);

        byte[] ciphertext = seal(projectKey, code, projectId, params, salt, nonce);

        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("version", VERSION);
        ObjectNode kdf = envelope.putObject("kdf");
        kdf.put("name", KDF_NAME);
        kdf.put("memoryKiB", params.memoryKiB());
        kdf.put("iterations", params.iterations());
        kdf.put("parallelism", params.parallelism());
        kdf.put("salt", encode(salt));
        ObjectNode cipher = envelope.putObject("cipher");
        cipher.put("name", CIPHER_NAME);
        cipher.put("nonce", encode(nonce));
        cipher.put("ciphertext", encode(ciphertext));
        try {
            return JSON.writeValueAsString(envelope);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("an in-memory tree of strings and ints always serialises", impossible);
        }
    }

    /**
     * Opens an envelope with the code the homeowner typed.
     *
     * @param envelopeJson the envelope text as fetched from the portal
     * @param code the AccessKey code
     * @param projectId the project the envelope is expected to belong to
     * @return the Project Key, a new array the caller owns (and should clear when done)
     * @throws WrongCodeException when the code, the project or the envelope's content does not match
     * @throws MalformedEnvelopeException when the text is not an envelope in this format; no key was derived
     */
    public static byte[] unwrap(String envelopeJson, AccessKeyCode code, UUID projectId) throws WrongCodeException {
        Objects.requireNonNull(envelopeJson, "envelopeJson");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(projectId, "projectId");
        Parsed envelope = parse(envelopeJson);
        byte[] key = deriveKey(code, envelope.salt(), envelope.params());
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(TAG_BYTES * Byte.SIZE, envelope.nonce()));
            cipher.updateAAD(aad(projectId));
            return cipher.doFinal(envelope.ciphertext());
        } catch (AEADBadTagException wrongKeyOrChanged) {
            // No cause attached: there is nothing in it to debug, and the exception promises to say only this.
            throw new WrongCodeException();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is required of every JVM", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static byte[] seal(byte[] projectKey, AccessKeyCode code, UUID projectId, Parameters params,
                               byte[] salt, byte[] nonce) {
        byte[] key = deriveKey(code, salt, params);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(TAG_BYTES * Byte.SIZE, nonce));
            cipher.updateAAD(aad(projectId));
            return cipher.doFinal(projectKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is required of every JVM", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** The AES key for a code: Argon2id over the canonical code, no secret, no associated data, 32 bytes. */
    static byte[] deriveKey(AccessKeyCode code, byte[] salt, Parameters params) {
        // Canonical, not as typed: "7k3qf 9xw2d…" and "7K3QF-9XW2D…" must derive the same key.
        byte[] password = code.canonical().getBytes(StandardCharsets.US_ASCII);
        try {
            return argon2id(password, salt, new byte[0], new byte[0], params.memoryKiB(), params.iterations(),
                    params.parallelism(), KEY_BYTES);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    /**
     * Argon2id version 0x13, as RFC 9106 defines it, with every input exposed so that a test can check this exact
     * configuration against the RFC's own test vector (which uses a secret and associated data that envelopes do
     * not). No bounds here: {@link Parameters} and the parser are the gates.
     */
    static byte[] argon2id(byte[] password, byte[] salt, byte[] secret, byte[] associatedData, int memoryKiB,
                           int iterations, int parallelism, int length) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withSecret(secret)
                .withAdditional(associatedData)
                .withMemoryAsKB(memoryKiB)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .build();
        try {
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(parameters);
            byte[] out = new byte[length];
            generator.generateBytes(password, out);
            return out;
        } finally {
            parameters.clear();
        }
    }

    static byte[] aad(UUID projectId) {
        // UUID.toString() is the canonical lower-case form on every JVM, which is what the format fixes.
        return (AAD_PREFIX + projectId).getBytes(StandardCharsets.US_ASCII);
    }

    private static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    // --- reading, all before any key is derived ---

    private record Parsed(Parameters params, byte[] salt, byte[] nonce, byte[] ciphertext) {
    }

    private static Parsed parse(String text) {
        if (text.length() > MAX_ENVELOPE_CHARS) {
            throw new MalformedEnvelopeException("an envelope is at most " + MAX_ENVELOPE_CHARS + " characters");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // Not chained: Jackson's message quotes the input, which holds nothing secret but much that is noise.
            throw new MalformedEnvelopeException("an envelope is a single JSON object without duplicated fields");
        }
        object(root, "the envelope", ENVELOPE_FIELDS);
        integer(root.get("version"), "version", VERSION, VERSION);

        JsonNode kdf = object(root.get("kdf"), "kdf", KDF_FIELDS);
        name(kdf.get("name"), "kdf.name", KDF_NAME);
        Parameters params = new Parameters(
                integer(kdf.get("memoryKiB"), "kdf.memoryKiB", Parameters.MIN_MEMORY_KIB, Parameters.MAX_MEMORY_KIB),
                integer(kdf.get("iterations"), "kdf.iterations", Parameters.MIN_ITERATIONS, Parameters.MAX_ITERATIONS),
                integer(kdf.get("parallelism"), "kdf.parallelism", Parameters.MIN_PARALLELISM,
                        Parameters.MAX_PARALLELISM));
        byte[] salt = bytes(kdf.get("salt"), "kdf.salt", MIN_SALT_BYTES, MAX_SALT_BYTES);

        JsonNode cipher = object(root.get("cipher"), "cipher", CIPHER_FIELDS);
        name(cipher.get("name"), "cipher.name", CIPHER_NAME);
        byte[] nonce = bytes(cipher.get("nonce"), "cipher.nonce", NONCE_BYTES, NONCE_BYTES);
        byte[] ciphertext = bytes(cipher.get("ciphertext"), "cipher.ciphertext", MIN_KEY_BYTES + TAG_BYTES,
                MAX_KEY_BYTES + TAG_BYTES);
        return new Parsed(params, salt, nonce, ciphertext);
    }

    /** An object with exactly {@code fields}, no more, no fewer. */
    private static JsonNode object(JsonNode node, String name, List<String> fields) {
        if (node == null || !node.isObject()) {
            throw new MalformedEnvelopeException(name + " must be an object");
        }
        if (node.size() != fields.size()) {
            throw new MalformedEnvelopeException(name + " must have exactly the fields " + fields);
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!fields.contains(field.getKey())) {
                throw new MalformedEnvelopeException(name + " must have exactly the fields " + fields);
            }
        }
        return node;
    }

    private static int integer(JsonNode node, String name, int min, int max) {
        // Integral JSON numbers only: not "3", not 3.0, not 1e9; a BigInteger cannot convert to int.
        if (node == null || !node.isIntegralNumber() || !node.canConvertToInt()
                || node.intValue() < min || node.intValue() > max) {
            throw new MalformedEnvelopeException(name + (min == max ? " must be " + min
                    : " must be an integer in " + min + ".." + max));
        }
        return node.intValue();
    }

    private static void name(JsonNode node, String field, String expected) {
        if (node == null || !node.isTextual() || !node.textValue().equals(expected)) {
            throw new MalformedEnvelopeException(field + " must be \"" + expected + "\"");
        }
    }

    /** Unpadded base64url in its one canonical spelling, of min..max bytes; lengths checked before decoding. */
    private static byte[] bytes(JsonNode node, String name, int min, int max) {
        String refusal = name + " must be unpadded base64url of " + min + (min == max ? "" : " to " + max) + " bytes";
        if (node == null || !node.isTextual()) {
            throw new MalformedEnvelopeException(refusal);
        }
        String text = node.textValue();
        int minChars = (min * 4 + 2) / 3;
        int maxChars = (max * 4 + 2) / 3;
        if (text.length() < minChars || text.length() > maxChars || !BASE64URL.matcher(text).matches()) {
            throw new MalformedEnvelopeException(refusal);
        }
        byte[] decoded;
        try {
            decoded = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException notBase64) {
            throw new MalformedEnvelopeException(refusal);
        }
        // Re-encoding refuses the spellings Java's decoder tolerates (stray low bits in the last character), so
        // one envelope has one text.
        if (decoded.length < min || decoded.length > max || !encode(decoded).equals(text)) {
            throw new MalformedEnvelopeException(refusal);
        }
        return decoded;
    }
}
