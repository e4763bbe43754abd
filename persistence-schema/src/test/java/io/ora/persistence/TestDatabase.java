package io.ora.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;

/**
 * The PostgreSQL every integration test in this JVM uses: the machine's server on 127.0.0.1:5432 when it answers
 * (a fresh database, dropped when the JVM exits), otherwise an embedded one the harness starts itself. Either way a
 * real PostgreSQL, migrated by Flyway exactly as production is.
 *
 * <p>Override the server with {@code ORA_TEST_PG_HOST}/{@code ORA_TEST_PG_PORT}/{@code ORA_TEST_PG_USER}.
 */
public final class TestDatabase {

    private static Database.Connection connection;

    private TestDatabase() {
    }

    /** Connection details of this JVM's migrated test database, created on first use. */
    public static synchronized Database.Connection connection() {
        if (connection == null) {
            connection = create();
            try (HikariDataSource pool = pool(connection)) {
                Database.migrate(pool);
            }
        }
        return connection;
    }

    /** Config with {@code ora.db} pointing at the test database, layered over {@code base}. */
    public static Config config(Config base) {
        Database.Connection db = connection();
        return ConfigFactory.parseMap(Map.of("ora.db.url", db.url(), "ora.db.user", db.user(),
                "ora.db.password", db.password(), "ora.db.pool-size", 4)).withFallback(base);
    }

    /** A small pool on the test database; the caller closes it. */
    public static HikariDataSource dataSource() {
        return pool(connection());
    }

    private static HikariDataSource pool(Database.Connection db) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(db.url());
        hikari.setUsername(db.user());
        hikari.setPassword(db.password());
        hikari.setMaximumPoolSize(4);
        return new HikariDataSource(hikari);
    }

    private static Database.Connection create() {
        String host = TestServers.env("ORA_TEST_PG_HOST", "127.0.0.1");
        int port = Integer.parseInt(TestServers.env("ORA_TEST_PG_PORT", "5432"));
        String user = TestServers.env("ORA_TEST_PG_USER", "postgres");
        if (TestServers.reachable(host, port)) {
            return createDatabaseOn("jdbc:postgresql://" + host + ":" + port + "/", user);
        }
        try {
            EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    embedded.close();
                } catch (IOException ignored) {
                    // The JVM is exiting; zonky removes its own temporary directory.
                }
            }, "test-postgres-stop"));
            return new Database.Connection(embedded.getJdbcUrl("postgres", "postgres"), "postgres", "");
        } catch (IOException e) {
            throw new UncheckedIOException("no PostgreSQL on " + host + ":" + port + " and embedded start failed", e);
        }
    }

    private static Database.Connection createDatabaseOn(String serverUrl, String user) {
        String name = "ora_test_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        Database.Connection admin = new Database.Connection(serverUrl + "postgres", user, "");
        execute(admin, "CREATE DATABASE " + name);
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> execute(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"), "test-db-drop"));
        return new Database.Connection(serverUrl + name, user, "");
    }

    private static void execute(Database.Connection db, String sql) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.url(), db.user(), db.password());
             Statement statement = c.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test database setup failed: " + sql, e);
        }
    }
}
