package io.ora.node;

import io.ora.persistence.Database;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code $ORA_HOME/run/node.properties}: where the running node's embedded database listens, so the CLI
 * ({@code grant}, {@code revoke}) can reach it while the node owns the data directory, and the URL of its
 * development OIDC issuer, so {@code token} mints tokens the node accepts. Written at start, removed at a clean stop;
 * the password of the embedded server is empty, and no other secret is ever written here.
 */
public final class RunFile {

    private static final String URL = "db.url";
    private static final String USER = "db.user";
    private static final String ISSUER = "oidc.issuer";

    private RunFile() {
    }

    public static Path path(Path home) {
        return home.resolve("run").resolve("node.properties");
    }

    public static void write(Path home, Database.Connection connection) throws IOException {
        Properties properties = new Properties();
        properties.setProperty(URL, connection.url());
        properties.setProperty(USER, connection.user());
        store(home, properties);
    }

    public static Optional<Database.Connection> read(Path home) throws IOException {
        Properties properties = load(home);
        return properties.getProperty(URL) == null ? Optional.empty()
                : Optional.of(new Database.Connection(properties.getProperty(URL), properties.getProperty(USER), ""));
    }

    /** Adds the development issuer's URL (known only once the portal has bound its port). */
    public static void recordIssuer(Path home, String issuerUrl) throws IOException {
        Properties properties = load(home);
        properties.setProperty(ISSUER, issuerUrl);
        store(home, properties);
    }

    /** The running node's development issuer URL, if a node with one is running on this home. */
    public static Optional<String> issuer(Path home) throws IOException {
        return Optional.ofNullable(load(home).getProperty(ISSUER));
    }

    private static Properties load(Path home) throws IOException {
        Properties properties = new Properties();
        Path file = path(home);
        if (Files.exists(file)) {
            try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(in);
            }
        }
        return properties;
    }

    private static void store(Path home, Properties properties) throws IOException {
        Path file = path(home);
        Files.createDirectories(file.getParent());
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, "written by the running Ora node; removed when it stops");
        }
    }

    public static void remove(Path home) throws IOException {
        Files.deleteIfExists(path(home));
    }
}
