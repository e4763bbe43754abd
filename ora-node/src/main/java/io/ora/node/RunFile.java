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
 * ({@code grant}, {@code revoke}) can reach it while the node owns the data directory. Written at start, removed at
 * a clean stop; the password of the embedded server is empty, and no other secret is ever written here.
 */
public final class RunFile {

    private static final String URL = "db.url";
    private static final String USER = "db.user";

    private RunFile() {
    }

    public static Path path(Path home) {
        return home.resolve("run").resolve("node.properties");
    }

    public static void write(Path home, Database.Connection connection) throws IOException {
        Properties properties = new Properties();
        properties.setProperty(URL, connection.url());
        properties.setProperty(USER, connection.user());
        Path file = path(home);
        Files.createDirectories(file.getParent());
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, "written by the running Ora node; removed when it stops");
        }
    }

    public static Optional<Database.Connection> read(Path home) throws IOException {
        Path file = path(home);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        return Optional.of(new Database.Connection(properties.getProperty(URL), properties.getProperty(USER), ""));
    }

    public static void remove(Path home) throws IOException {
        Files.deleteIfExists(path(home));
    }
}
