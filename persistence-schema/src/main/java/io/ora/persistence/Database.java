package io.ora.persistence;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.ora.core.metrics.Metrics;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's PostgreSQL: a pooled {@link DataSource} on a migrated schema.
 *
 * <p>With {@code ora.db.url} set it connects there; otherwise it starts an embedded PostgreSQL whose data survives
 * restarts under {@code ora.db.embedded.data-dir}. Either way Flyway brings the schema up to date before anything
 * else touches it, so no role ever sees an old schema. Closing stops the pool and, if it owns one, the server.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final Connection connection;
    private final HikariDataSource dataSource;
    private final Optional<EmbeddedPostgres> embedded;

    /** Where and as whom to connect. The password never appears in {@link #toString()}. */
    public record Connection(String url, String user, String password) {
        @Override
        public String toString() {
            return "Connection[url=" + url + ", user=" + user + "]";
        }
    }

    private Database(Connection connection, HikariDataSource dataSource, Optional<EmbeddedPostgres> embedded) {
        this.connection = connection;
        this.dataSource = dataSource;
        this.embedded = embedded;
    }

    /** Starts (or connects to) the database described by the {@code ora.db} section and migrates it. */
    public static Database start(Config config) {
        Config db = config.getConfig("ora.db");
        String url = db.getString("url");
        Optional<EmbeddedPostgres> embedded = Optional.empty();
        Connection connection;
        if (url.isBlank()) {
            EmbeddedPostgres server = startEmbedded(Path.of(db.getString("embedded.data-dir")));
            embedded = Optional.of(server);
            connection = new Connection(server.getJdbcUrl("postgres", "postgres"), "postgres", "");
        } else {
            connection = new Connection(url, db.getString("user"), db.getString("password"));
        }
        try {
            HikariDataSource pool = pool(connection, db.getInt("pool-size"), db.getDuration("connection-timeout"));
            migrate(pool);
            return new Database(connection, pool, embedded);
        } catch (RuntimeException failed) {
            embedded.ifPresent(Database::stopQuietly);
            throw failed;
        }
    }

    /** Connects to a server that is already running elsewhere (the CLI reaching a running node's database). */
    public static Database connect(Connection connection, Duration timeout) {
        HikariDataSource pool = pool(connection, 2, timeout);
        try {
            migrate(pool);
        } catch (RuntimeException failed) {
            pool.close();
            throw failed;
        }
        return new Database(connection, pool, Optional.empty());
    }

    /** Applies every pending Flyway migration from {@code classpath:db/migration}. */
    public static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * The pool's state as gauges: connections in use, idle, and requests waiting for one. Waiting requests that do
     * not go away mean the database is slow or gone (docs/operations.md, the alert rules).
     */
    public void measure(Metrics metrics) {
        metrics.gauge("ora_db_connections_active", "Database pool connections in use",
                () -> dataSource.getHikariPoolMXBean().getActiveConnections());
        metrics.gauge("ora_db_connections_idle", "Database pool connections idle",
                () -> dataSource.getHikariPoolMXBean().getIdleConnections());
        metrics.gauge("ora_db_connections_pending", "Requests waiting for a database pool connection",
                () -> dataSource.getHikariPoolMXBean().getThreadsAwaitingConnection());
    }

    /** Connection details, for libraries that open their own pool (pekko-persistence-jdbc via Slick). */
    public Connection connection() {
        return connection;
    }

    /** Whether this node runs the embedded server (development default). */
    public boolean isEmbedded() {
        return embedded.isPresent();
    }

    @Override
    public void close() {
        dataSource.close();
        embedded.ifPresent(Database::stopQuietly);
    }

    private static HikariDataSource pool(Connection connection, int size, Duration timeout) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("ora-db");
        hikari.setJdbcUrl(connection.url());
        hikari.setUsername(connection.user());
        hikari.setPassword(connection.password());
        hikari.setMaximumPoolSize(size);
        hikari.setConnectionTimeout(timeout.toMillis());
        // Otherwise the driver puts the server's DETAIL ("Failing row contains (...)") into exception messages, and
        // an exception message may reach a log: stored values must never.
        hikari.addDataSourceProperty("logServerErrorDetail", "false");
        return new HikariDataSource(hikari);
    }

    private static EmbeddedPostgres startEmbedded(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres server = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .start();
            LOG.info("embedded PostgreSQL started on port {} with data in {}", server.getPort(), dataDir);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL in " + dataDir, e);
        }
    }

    private static void stopQuietly(EmbeddedPostgres server) {
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("embedded PostgreSQL did not stop cleanly", e);
        }
    }
}
