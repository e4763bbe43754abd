package io.ora.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An embedded PostgreSQL of one test's own: the test stops it (the server process exits, connections break) to see
 * how its code behaves while the database is away, and starts it again on the same port with the same data to see it
 * recover. Migrated by Flyway like every other database. Close it when done: the data directory is deleted.
 */
public final class StoppablePostgres implements AutoCloseable {

    private final Path dataDirectory;
    private final int port;
    private EmbeddedPostgres server;

    private StoppablePostgres(Path dataDirectory, int port) {
        this.dataDirectory = dataDirectory;
        this.port = port;
    }

    /** Starts a fresh, migrated server on a free port. */
    public static StoppablePostgres start() {
        try {
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            StoppablePostgres postgres = new StoppablePostgres(Files.createTempDirectory("ora-stoppable-pg"), port);
            postgres.server = postgres.launch();
            try (HikariDataSource pool = postgres.pool(2)) {
                Database.migrate(pool);
            }
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a dedicated PostgreSQL", e);
        }
    }

    /**
     * A pool on this server that gives up on a connection after one second, so code under test sees the outage
     * instead of waiting the default thirty seconds; the caller closes it.
     */
    public HikariDataSource pool(int size) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(url());
        hikari.setUsername("postgres");
        hikari.setMaximumPoolSize(size);
        hikari.setConnectionTimeout(1000);
        hikari.setInitializationFailTimeout(-1);
        return new HikariDataSource(hikari);
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** Takes the database away: the server has exited and its port is closed when this returns. */
    public synchronized void stop() {
        try {
            server.close();
            server = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop the dedicated PostgreSQL", e);
        }
    }

    /** Brings the database back on the same port with the same data. */
    public synchronized void restart() {
        try {
            server = launch();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart the dedicated PostgreSQL", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (server != null) {
                server.close();
                server = null;
            }
            try (Stream<Path> files = Files.walk(dataDirectory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the dedicated PostgreSQL", e);
        }
    }

    /** zonky runs initdb only into an empty directory, and must not delete the data when the server stops. */
    private EmbeddedPostgres launch() throws IOException {
        return EmbeddedPostgres.builder().setPort(port).setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false).start();
    }
}
