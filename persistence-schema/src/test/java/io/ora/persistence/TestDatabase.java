package io.ora.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The PostgreSQL every integration test in this JVM uses: an embedded one (zonky) the harness starts once per JVM
 * and stops when the JVM exits, unless {@code ORA_TEST_PG_HOST} names a server; then a fresh database on that
 * server, dropped when the JVM exits. Either way a real PostgreSQL, migrated by Flyway exactly as production is.
 *
 * <p>With a server: {@code ORA_TEST_PG_HOST}, {@code ORA_TEST_PG_PORT} (5432), {@code ORA_TEST_PG_USER}
 * ({@code postgres}, a role that may create databases) and {@code ORA_TEST_PG_PASSWORD} (none). A named server
 * that does not answer fails the run instead of falling back to an embedded one.
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
        Optional<InetSocketAddress> server = TestServers.named("ORA_TEST_PG_HOST", "ORA_TEST_PG_PORT", 5432);
        if (server.isPresent()) {
            String url = "jdbc:postgresql://" + server.get().getHostString() + ":" + server.get().getPort() + "/";
            return createDatabaseOn(url, TestServers.env("ORA_TEST_PG_USER", "postgres"),
                    TestServers.env("ORA_TEST_PG_PASSWORD", ""));
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
            throw new UncheckedIOException(
                    "the embedded PostgreSQL did not start (ORA_TEST_PG_HOST can name a server)", e);
        }
    }

    private static Database.Connection createDatabaseOn(String serverUrl, String user, String password) {
        String name = "ora_test_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        Database.Connection admin = new Database.Connection(serverUrl + "postgres", user, password);
        execute(admin, "CREATE DATABASE " + name);
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> execute(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"), "test-db-drop"));
        return new Database.Connection(serverUrl + name, user, password);
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
