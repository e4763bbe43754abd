package io.ora.relay.access;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on PostgreSQL's {@code relay_binding} channel (fed by a trigger on the table) and reports each changed
 * app-hub pair, so every node forgets a cached binding within milliseconds of a grant or revoke.
 *
 * <p>It runs on its own thread with one connection held for LISTEN (JDBC blocks; it never touches an event loop or
 * a dispatcher). When the connection is lost, notifications may have been missed, so it reports "everything
 * changed" before listening again.
 */
final class BindingChanges implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BindingChanges.class);
    private static final String CHANNEL = "relay_binding";
    private static final int POLL_MILLIS = 500;
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final DataSource dataSource;
    private final BiConsumer<String, UUID> changed;
    private final Runnable everythingChanged;
    private final Thread thread;
    private volatile boolean running = true;

    private BindingChanges(DataSource dataSource, BiConsumer<String, UUID> changed, Runnable everythingChanged) {
        this.dataSource = dataSource;
        this.changed = changed;
        this.everythingChanged = everythingChanged;
        this.thread = new Thread(this::run, "ora-binding-changes");
        this.thread.setDaemon(true);
    }

    static BindingChanges start(DataSource dataSource, BiConsumer<String, UUID> changed,
                                Runnable everythingChanged) {
        BindingChanges changes = new BindingChanges(dataSource, changed, everythingChanged);
        changes.thread.start();
        return changes;
    }

    private void run() {
        while (running) {
            try (Connection connection = dataSource.getConnection();
                 Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + CHANNEL);
                // Anything that changed while we were not listening is unknown: start from an empty cache.
                everythingChanged.run();
                PGConnection postgres = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = postgres.getNotifications(POLL_MILLIS);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            report(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException lost) {
                everythingChanged.run();
                if (running) {
                    LOG.warn("binding change listener lost its connection; retrying in {}: {}", RETRY,
                            lost.getMessage());
                    pause();
                }
            }
        }
    }

    private void report(String payload) {
        int space = payload.indexOf(' ');
        try {
            changed.accept(payload.substring(0, space), UUID.fromString(payload.substring(space + 1)));
        } catch (IllegalArgumentException | IndexOutOfBoundsException unexpected) {
            everythingChanged.run();
        }
    }

    private void pause() {
        try {
            Thread.sleep(RETRY.toMillis());
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops listening within one poll interval; the held connection goes back to the pool. */
    @Override
    public void close() {
        running = false;
    }
}
