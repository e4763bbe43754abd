package io.ora.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The configuration the shipped artifact really runs with. In the fat jar every module's {@code reference.conf} is
 * concatenated into one, in an order the build chooses, and a later definition of a key replaces an earlier one: a
 * library's own default can silently win over a setting of ours (pekko-http's {@code remote-address-attribute = off}
 * did, and made every per-address rate limit node-wide). This test loads the built jar's effective configuration,
 * exactly as {@code java -jar} does but without environment or system overrides, and checks every key that any of
 * the project's own configuration files sets: it must have the value the project's file gives it (the node's
 * {@code application.conf} over the modules' references, as designed).
 */
class ShippedConfigIT {

    private static final ConfigResolveOptions NO_ENVIRONMENT = ConfigResolveOptions.noSystem();

    private static URLClassLoader jar;
    private static Config effective;
    private static Config application;

    @BeforeAll
    static void loadTheShippedJar() throws IOException {
        Path built = Path.of(System.getProperty("ora.test.node-jar"));
        assertThat(built).as("the node's fat jar is built before this test").isRegularFile();
        // Only the jar: the platform class loader sees no resource of ours or of any library.
        jar = new URLClassLoader(new URL[] {built.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        application = ConfigFactory.parseResourcesAnySyntax(jar, "application",
                ConfigParseOptions.defaults().setClassLoader(jar));
        effective = application.withFallback(ConfigFactory.defaultReference(jar)).resolve(NO_ENVIRONMENT);
    }

    @AfterAll
    static void close() throws IOException {
        jar.close();
    }

    @Test
    void everyKeyTheProjectSetsHasTheProjectsValueInTheShippedJar() throws IOException {
        List<Path> files = projectConfigFiles();
        assertThat(files).as("the project's configuration files").isNotEmpty();
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Path file : files) {
            // A module's reference.conf holds defaults the node's application.conf may override; every other file
            // (application.conf and what it includes, such as relay-cluster's ora-persistence.conf) is the node's
            // own configuration, all of which must hold as written.
            boolean defaults = file.getFileName().toString().equals("reference.conf");
            Config own = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setClassLoader(jar));
            // The file's values as the project means them: its substitutions filled from the running config.
            Config meant = own.withFallback(effective).resolve(NO_ENVIRONMENT);
            for (Map.Entry<String, ConfigValue> entry : own.entrySet()) {
                String key = entry.getKey();
                if (defaults && application.hasPathOrNull(key)) {
                    continue; // overridden on purpose by the node's configuration, which is checked as such
                }
                checked++;
                String expected = render(meant.getValue(key));
                String actual = effective.hasPathOrNull(key) ? render(effective.getValue(key)) : "(missing)";
                if (!expected.equals(actual)) {
                    wrong.add(repository().relativize(file) + ": " + key + " = " + expected + ", but the jar has "
                            + actual);
                }
            }
        }
        assertThat(checked).as("keys checked").isGreaterThan(100);
        assertThat(wrong).as("settings of ours that the shipped jar does not run with").isEmpty();
    }

    @Test
    void theJarCarriesTheNodesApplicationConfigurationAndEveryModulesReference() {
        assertThat(application.hasPath("pekko.cluster.roles")).as("ora-node's application.conf").isTrue();
        for (String namespace : List.of("ora.portal", "ora.relay", "ora.ingest", "ora.device-https", "ora.db",
                "ora.telemetry", "ora.observability")) {
            assertThat(effective.hasPath(namespace)).as(namespace).isTrue();
        }
    }

    @Test
    void theJarCarriesTheTracersReferenceAndItsOtlpReporter() {
        // Kamon's own reference.conf and kamon-opentelemetry's, merged into the jar's: without them the tracer has no
        // sampler settings and the node's ORA_OTLP_ENDPOINT would have no reporter to configure.
        assertThat(effective.getString("kamon.trace.sampler")).isEqualTo("adaptive");
        assertThat(effective.getString("kamon.modules.otel-trace-reporter.factory"))
                .isEqualTo("kamon.otel.OpenTelemetryTraceReporter$Factory");
        assertThat(effective.getString("ora.observability.tracing.sampler")).isEqualTo("adaptive");
        assertThat(effective.getString("ora.observability.otlp.endpoint")).isEmpty();
    }

    /** Every {@code .conf} under a module's {@code src/main/resources}: the configuration the project writes. */
    private static List<Path> projectConfigFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> modules = Files.list(repository())) {
            for (Path module : modules.filter(Files::isDirectory).sorted().toList()) {
                Path resources = module.resolve("src/main/resources");
                if (Files.isDirectory(resources)) {
                    try (Stream<Path> confs = Files.list(resources)) {
                        confs.filter(path -> path.toString().endsWith(".conf")).sorted().forEach(files::add);
                    }
                }
            }
        }
        return files;
    }

    private static Path repository() {
        return Path.of(System.getProperty("ora.test.repository")).toAbsolutePath().normalize();
    }

    private static String render(ConfigValue value) {
        return value.render(ConfigRenderOptions.concise());
    }
}
