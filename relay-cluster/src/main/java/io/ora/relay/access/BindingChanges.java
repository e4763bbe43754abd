package io.ora.relay.access;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on PostgreSQL's {@code relay_binding} channel (the dev grants, V2) and {@code relay_access} channel (the
 * portal's tables, V5) and reports each change, so that every node forgets a cached answer within milliseconds of
 * the change's commit.
 *
 * <p>It runs on its own thread with one connection held for LISTEN (JDBC blocks; it never touches an event loop or
 * a dispatcher), checked every few seconds so that a silently dead connection is noticed too. Nothing is known about
 * changes made while it is not listening, so it reports {@link Listener#lost()} when the connection goes and
 * {@link Listener#listening()} each time LISTEN is in place again, including the first time.
 */
final class BindingChanges implements AutoCloseable {

    /** What changed. */
    sealed interface Change {
        /** A dev grant of one app to one hub was made or removed. */
        record Pair(String appId, UUID hub) implements Change {
        }

        /** Anyone's access to this hub may have changed. */
        record Hub(UUID hub) implements Change {
        }

        /** This portal user's access to any hub may have changed. */
        record User(UUID user) implements Change {
        }

        /** Anything may have changed. */
        record Everything() implements Change {
        }
    }

    /** Called on the listener's thread; must not block. */
    interface Listener {
        void changed(Change change);

        /** Notifications flow (again); what changed before is unknown. */
        void listening();

        /** Notifications may be missed from now on. */
        void lost();
    }

    private static final Logger LOG = LoggerFactory.getLogger(BindingChanges.class);
    private static final String BINDING_CHANNEL = "relay_binding";
    private static final String ACCESS_CHANNEL = "relay_access";
    private static final int POLL_MILLIS = 500;
    private static final long CHECK_NANOS = Duration.ofSeconds(2).toNanos();
    private static final int CHECK_TIMEOUT_SECONDS = 2;
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);

    private final DataSource dataSource;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean running = true;

    private BindingChanges(DataSource dataSource, Listener listener) {
        this.dataSource = dataSource;
        this.listener = listener;
        this.thread = new Thread(this::run, "ora-binding-changes");
        this.thread.setDaemon(true);
    }

    static BindingChanges start(DataSource dataSource, Listener listener) {
        BindingChanges changes = new BindingChanges(dataSource, listener);
        changes.thread.start();
        return changes;
    }

    private void run() {
        boolean everListened = false;
        while (running) {
            boolean listened = false;
            try (Connection connection = dataSource.getConnection()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + BINDING_CHANNEL);
                    statement.execute("LISTEN " + ACCESS_CHANNEL);
                    listened = true;
                    if (everListened) {
                        LOG.info("binding change listener is listening again");
                    }
                    everListened = true;
                    listener.listening();
                    poll(connection);
                } finally {
                    unlisten(connection);
                }
            } catch (SQLException lost) {
                if (listened) {
                    listener.lost();
                    LOG.warn("binding change listener lost its connection; retrying every {}: {}", RETRY,
                            lost.getMessage());
                }
                if (running) {
                    pause();
                }
            }
        }
    }

    private void poll(Connection connection) throws SQLException {
        PGConnection postgres = connection.unwrap(PGConnection.class);
        long checked = System.nanoTime();
        while (running) {
            PGNotification[] notifications = postgres.getNotifications(POLL_MILLIS);
            if (notifications != null) {
                for (PGNotification notification : notifications) {
                    listener.changed(parse(notification.getName(), notification.getParameter()));
                }
            }
            if (System.nanoTime() - checked >= CHECK_NANOS) {
                // Waiting for notifications sends nothing, so a connection cut without a reset would look quiet.
                if (!connection.isValid(CHECK_TIMEOUT_SECONDS)) {
                    throw new SQLException("the listening connection stopped answering");
                }
                checked = System.nanoTime();
            }
        }
    }

    /** A payload that cannot be read is reported as "everything changed": forgetting too much is only slower. */
    static Change parse(String channel, String payload) {
        try {
            if (BINDING_CHANNEL.equals(channel)) {
                int space = payload.indexOf(' ');
                return new Change.Pair(payload.substring(0, space), UUID.fromString(payload.substring(space + 1)));
            }
            if (payload.startsWith("hub:")) {
                return new Change.Hub(UUID.fromString(payload.substring("hub:".length())));
            }
            if (payload.startsWith("user:")) {
                return new Change.User(UUID.fromString(payload.substring("user:".length())));
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException unexpected) {
            return new Change.Everything();
        }
        return new Change.Everything();
    }

    /** The connection goes back to the pool: without UNLISTEN it would keep collecting notifications for nobody. */
    private static void unlisten(Connection connection) {
        try (Statement statement = connection.createStatement()) {
            statement.execute("UNLISTEN *");
        } catch (SQLException gone) {
            // A broken connection listens to nothing; the pool discards it.
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

    /** Stops listening and returns once the held connection is back in the pool (within one poll interval). */
    @Override
    public void close() {
        running = false;
        if (Thread.currentThread() != thread) {
            try {
                thread.join(CLOSE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
