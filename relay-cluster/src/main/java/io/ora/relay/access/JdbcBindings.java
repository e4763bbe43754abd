package io.ora.relay.access;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Bindings kept in PostgreSQL ({@code relay_binding}), the source of truth, and cached per node. A trigger announces
 * every change and each node drops the changed pair from its cache as soon as PostgreSQL delivers the notification
 * ({@link #listenForChanges()}); the TTL is only a safety net. A node that loses the notification connection empties
 * its cache, since it may have missed changes.
 *
 * <p>Look-ups run on the given executor (the relay's blocking dispatcher), never on a Netty event loop. Concurrent
 * look-ups of one pair share one query. If the database is unreachable the look-up fails and the publish is
 * refused: without the source of truth the relay fails closed.
 */
public final class JdbcBindings implements Bindings, AutoCloseable {

    private static final String EXISTS = "SELECT 1 FROM relay_binding WHERE app_id = ? AND hub_id = ?";
    private static final String GRANT =
            "INSERT INTO relay_binding (app_id, hub_id) VALUES (?, ?) ON CONFLICT DO NOTHING";
    private static final String REVOKE = "DELETE FROM relay_binding WHERE app_id = ? AND hub_id = ?";

    private final DataSource dataSource;
    private final AsyncLoadingCache<Pair, Boolean> cache;
    private BindingChanges changes;

    private record Pair(String appId, UUID hub) {
    }

    public JdbcBindings(DataSource dataSource, Executor blocking, Duration ttl, long size) {
        this.dataSource = dataSource;
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumSize(size)
                .executor(blocking)
                .buildAsync(pair -> exists(pair.appId(), pair.hub()));
    }

    /** Starts dropping cached pairs as their rows change (one held connection, one thread). */
    public JdbcBindings listenForChanges() {
        changes = BindingChanges.start(dataSource,
                (appId, hub) -> cache.synchronous().invalidate(new Pair(appId, hub)),
                () -> cache.synchronous().invalidateAll());
        return this;
    }

    @Override
    public void close() {
        if (changes != null) {
            changes.close();
        }
    }

    @Override
    public CompletionStage<Boolean> allowed(String appId, UUID hub) {
        return cache.get(new Pair(appId, hub));
    }

    /** Binds an app to a hub (idempotent). Blocking: call from a blocking context. */
    public void grant(String appId, UUID hub) throws SQLException {
        update(GRANT, appId, hub);
        cache.synchronous().invalidate(new Pair(appId, hub));
    }

    /** Removes a binding (idempotent). Blocking: call from a blocking context. */
    public void revoke(String appId, UUID hub) throws SQLException {
        update(REVOKE, appId, hub);
        cache.synchronous().invalidate(new Pair(appId, hub));
    }

    private boolean exists(String appId, UUID hub) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(EXISTS)) {
            statement.setString(1, appId);
            statement.setObject(2, hub);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    private void update(String sql, String appId, UUID hub) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, appId);
            statement.setObject(2, hub);
            statement.executeUpdate();
        }
    }
}
