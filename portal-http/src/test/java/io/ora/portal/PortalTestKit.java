package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What the portal's HTTP tests share: the shape every problem answer has, a wrapped Project Key envelope as an
 * installer's app uploads it, the smallest body a PNG check accepts. One place, so no test imports another.
 */
final class PortalTestKit {

    /** The PNG signature and the start of an IHDR chunk: enough for the portal's type check. */
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};

    private static final SecureRandom RANDOM = new SecureRandom();

    private PortalTestKit() {
    }

    /** Asserts {@code response} is an RFC 9457 problem with {@code status}, a title and a detail. */
    static void assertProblem(ApiClient.Response response, int status) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("type").asString()).isEqualTo("about:blank");
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).isNotBlank();
    }

    /** A Project Key envelope of random bytes, shaped as the installer's app wraps it. */
    static Map<String, Object> envelope() {
        return Map.of("version", 1,
                "kdf", Map.of("name", "argon2id", "memoryKiB", 65536, "iterations", 3, "parallelism", 1,
                        "salt", b64(16)),
                "cipher", Map.of("name", "AES-256-GCM", "nonce", b64(12), "ciphertext", b64(48)));
    }

    /** {@code bytes} random bytes in unpadded base64url, as the envelope carries them. */
    static String b64(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
