package io.ora.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ORA_MODE=production java -jar ora-node.jar} with nothing else set, as a new user in production would start
 * it: it names every missing setting in one message, exits with 1, and leaves nothing in {@code ORA_HOME}.
 */
class ShippedModeIT {

    @TempDir
    Path dir;

    @Test
    void productionWithNothingConfiguredRefusesToStart() throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path output = dir.resolve("output.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-jar", System.getProperty("ora.test.node-jar")))
                .redirectErrorStream(true).redirectOutput(output.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("ORA_"));
        env.put("ORA_MODE", "production");
        env.put("ORA_HOME", home.toString());
        Process node = builder.start();

        boolean exited = node.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String said = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(exited).as("the node exits (output: %s)", said).isTrue();
        assertThat(node.exitValue()).as(said).isEqualTo(1);
        assertThat(said).contains("ora-node refused to start: ORA_MODE=production")
                .contains("ORA_OIDC_ISSUER", "ORA_DEV_PKI=off", "ORA_TLS_CA", "ORA_DB_URL", "ORA_REDIS_URL",
                        "ORA_TELEMETRY_PSEUDONYM_SECRET", "ORA_ACCESS_KEY_SECRET", "ORA_RATE_LIMIT_KEY_SECRET")
                .doesNotContain("Ora node up");
        try (Stream<Path> left = Files.list(home)) {
            assertThat(left).as("nothing started or generated").isEmpty();
        }
    }
}
