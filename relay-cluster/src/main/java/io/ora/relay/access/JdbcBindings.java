package io.ora.relay.access;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Counter;
import io.ora.core.metrics.Metrics;
import io.ora.persistence.Redis;
import io.ora.relay.RelaySettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's answer to "how far may this app reach this hub" ({@link Scope}), from PostgreSQL, the source of truth,
 * through two cache levels.
 *
 * <p><b>Sources.</b> A dev grant in {@code relay_binding} (the CLI's {@code grant}, any app id) gives {@link
 * Scope#FULL}; the {@code relay_access} view over the portal's tables (V5) gives the scope of the portal user an app
 * identity {@code <user uuid>:<install id>} names. The widest answer wins; no row is {@link Scope#NONE}.
 *
 * <p><b>Levels.</b> Each node keeps answers in a bounded local cache, for {@code ora.relay.access.announced-ttl} while
 * it hears change announcements and for {@code local-ttl} (a few seconds) while it does not ({@link #answerLifetime}),
 * in front of entries in Redis shared by every node ({@link SharedScopes}, {@code redis-ttl}); a miss in both queries
 * PostgreSQL on the blocking executor, never on a Netty event loop. Concurrent look-ups of one pair on one node share
 * one load. "No access" is cached like any answer, and so is invalidated like any answer.
 *
 * <p><b>Invalidation.</b> Triggers announce every change on PostgreSQL's {@code relay_binding} and
 * {@code relay_access} channels at commit, and every node listens ({@link BindingChanges}). On a notification a node
 * drops the matching local answers at once, replaces the matching generation in Redis (orphaning the shared entries;
 * every node does so, which is harmless), and drops the local answers again once that is done, in case a look-up
 * read the old entry in between. So a change takes effect on every node within the notification's delivery plus one
 * Redis round trip. While a node is not listening, it cannot trust Redis: it answers from PostgreSQL with its short
 * local cache only, and before it reads Redis again it orphans every shared entry (it cannot know what it missed).
 *
 * <p><b>Failures.</b> Redis down: answers come from PostgreSQL (and the local cache), one warning per outage, and
 * Redis is used again once it answers, without a restart. PostgreSQL down: the look-up fails and the caller refuses
 * (fail closed); since the notification connection is lost as well, every cached answer is dropped within seconds.
 */
public final class JdbcBindings implements Bindings, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcBindings.class);

    private static final String SCOPES = "SELECT 'FULL' FROM relay_binding WHERE app_id = ? AND hub_id = ? "
            + "UNION ALL SELECT scope FROM relay_access WHERE app_user_id = ? AND hub_id = ?";
    private static final String GRANT =
            "INSERT INTO relay_binding (app_id, hub_id) VALUES (?, ?) ON CONFLICT DO NOTHING";
    private static final String REVOKE = "DELETE FROM relay_binding WHERE app_id = ? AND hub_id = ?";

    /** An app (its app id) and a hub: what a scope is cached for. */
    record Pair(String appId, UUID hub) {

        /** The portal user this app id names, if it is {@code <canonical lower-case user uuid>:<install id>}. */
        Optional<UUID> portalUser() {
            int colon = appId.indexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            String user = appId.substring(0, colon);
            try {
                UUID uuid = UUID.fromString(user);
                // One user has one spelling, so that their answers are found (and dropped) under one key.
                return uuid.toString().equals(user) ? Optional.of(uuid) : Optional.empty();
            } catch (IllegalArgumentException notAUuid) {
                return Optional.empty();
            }
        }

        boolean concerns(BindingChanges.Change change) {
            if (change instanceof BindingChanges.Change.Pair pair) {
                return pair.appId().equals(appId) && pair.hub().equals(hub);
            }
            if (change instanceof BindingChanges.Change.Hub changed) {
                return changed.hub().equals(hub);
            }
            if (change instanceof BindingChanges.Change.User user) {
                return portalUser().filter(user.user()::equals).isPresent();
            }
            return true;
        }
    }

    private final DataSource dataSource;
    private final Executor blocking;
    private final AsyncLoadingCache<Pair, Scope> local;
    private final Optional<SharedScopes> shared;
    private final Metrics metrics;
    private final Counter answeredLocally;
    private final Counter answeredByRedis;
    private final Counter answeredByDatabase;
    private final Counter redisFailures;
    private final Counter databaseFailures;
    private final AtomicBoolean databaseDown = new AtomicBoolean();
    // Counts listener state changes, so a late "in sync" cannot overrule a later loss.
    private final AtomicLong listenings = new AtomicLong();
    /** Changes whenever any answer may have become stale ({@link #generation()}). */
    private final AtomicLong generation = new AtomicLong();
    private final Duration unannouncedTtl;
    private final Duration announcedTtl;
    private volatile boolean listening;
    private volatile Runnable afterQuery = () -> { };
    private volatile Consumer<BindingChanges.Change> afterInvalidation = change -> { };
    private volatile boolean closed;
    private BindingChanges changes;

    /**
     * Bindings cached on this node only, for {@code ttl}, and not listening for changes: for tools that only
     * {@link #grant} and {@link #revoke} (the CLI). A relay node uses {@link #start}.
     */
    public JdbcBindings(DataSource dataSource, Executor blocking, Duration ttl, long size) {
        this(dataSource, blocking, new RelaySettings.Access(ttl, ttl, size, ttl), Optional.empty(), new Metrics(),
                Ticker.systemTicker());
    }

    private JdbcBindings(DataSource dataSource, Executor blocking, RelaySettings.Access settings,
                         Optional<Redis> redis, Metrics metrics, Ticker ticker) {
        this.dataSource = dataSource;
        this.blocking = blocking;
        this.metrics = metrics;
        this.unannouncedTtl = settings.localTtl();
        this.announcedTtl = settings.announcedTtl();
        this.local = Caffeine.newBuilder()
                .expireAfter(new Expiry<Pair, Scope>() {
                    // Judged when an answer is stored (or replaced), never extended by reading it.
                    @Override
                    public long expireAfterCreate(Pair pair, Scope scope, long now) {
                        return answerLifetime().toNanos();
                    }

                    @Override
                    public long expireAfterUpdate(Pair pair, Scope scope, long now, long left) {
                        return answerLifetime().toNanos();
                    }

                    @Override
                    public long expireAfterRead(Pair pair, Scope scope, long now, long left) {
                        return left;
                    }
                })
                .maximumSize(settings.localSize())
                .executor(blocking)
                .ticker(ticker)
                .buildAsync((pair, executor) -> load(pair));
        String lookups = "ora_relay_access_lookups_total";
        String lookupsHelp = "App-hub access look-ups (one per app-hub PUBLISH), by the level that answered";
        this.answeredLocally = metrics.counter(lookups, lookupsHelp, "answered_by", "local");
        this.answeredByRedis = metrics.counter(lookups, lookupsHelp, "answered_by", "redis");
        this.answeredByDatabase = metrics.counter(lookups, lookupsHelp, "answered_by", "database");
        String failures = "ora_relay_access_failures_total";
        String failuresHelp = "Access look-up steps that failed, by store: redis (answered from PostgreSQL "
                + "instead) or database (the publish was refused)";
        this.redisFailures = metrics.counter(failures, failuresHelp, "store", "redis");
        this.databaseFailures = metrics.counter(failures, failuresHelp, "store", "database");
        this.shared = redis.map(r -> new SharedScopes(r, settings.redisTtl(), answeredByRedis, redisFailures));
        metrics.gauge("ora_relay_access_listening", "1 while this node receives access change notifications",
                () -> listening ? 1 : 0);
    }

    /**
     * A relay node's bindings: cached per {@code settings}, shared through {@code redis} when there is one, and
     * listening for changes (one held connection, one thread) from now on.
     */
    public static JdbcBindings start(DataSource dataSource, Executor blocking, RelaySettings.Access settings,
                                     Optional<Redis> redis, Metrics metrics) {
        return start(dataSource, blocking, settings, redis, metrics, Ticker.systemTicker());
    }

    /** {@link #start} on a clock of the caller's: tests move time instead of waiting for it. */
    static JdbcBindings start(DataSource dataSource, Executor blocking, RelaySettings.Access settings,
                              Optional<Redis> redis, Metrics metrics, Ticker ticker) {
        return new JdbcBindings(dataSource, blocking, settings, redis, metrics, ticker).listenForChanges();
    }

    /** Starts acting on change notifications (one held connection, one thread). */
    public JdbcBindings listenForChanges() {
        changes = BindingChanges.start(dataSource, new BindingChanges.Listener() {
            @Override
            public void changed(BindingChanges.Change change) {
                if (!closed) {
                    invalidate(change);
                }
            }

            @Override
            public void listening() {
                if (closed) {
                    return;
                }
                long epoch = listenings.incrementAndGet();
                local.asMap().clear();
                generation.incrementAndGet();
                if (shared.isEmpty()) {
                    listening = true;
                    return;
                }
                // Redis is read again only once every entry from before is orphaned (or that is owed, if it fails).
                shared.get().owe();
                shared.get().settle().whenComplete((settled, failure) -> {
                    if (listenings.get() == epoch) {
                        listening = true;
                    }
                });
            }

            @Override
            public void lost() {
                listenings.incrementAndGet();
                listening = false;
                local.asMap().clear();
                generation.incrementAndGet();
            }
        });
        return this;
    }

    /**
     * Whether change notifications are arriving. While they are not, answers come from PostgreSQL and the local
     * cache only.
     */
    public boolean isListening() {
        return listening;
    }

    @Override
    public void close() {
        closed = true;
        if (changes != null) {
            changes.close();
        }
        shared.ifPresent(SharedScopes::close);
    }

    @Override
    public CompletionStage<Scope> scope(String appId, UUID hub) {
        Pair pair = new Pair(appId, hub);
        CompletableFuture<Scope> cached = local.getIfPresent(pair);
        if (cached != null) {
            answeredLocally.increment();
            // The common case, a completed answer, is returned as it is: this runs for every PUBLISH.
            return cached.getNow(null) != null ? cached : cached.thenApply(JdbcBindings::known);
        }
        return local.get(pair).thenApply(JdbcBindings::known);
    }

    /**
     * Binds an app to a hub with {@link Scope#FULL} (idempotent): a dev grant. Blocking: call from a blocking
     * context. This node answers with the grant when it returns, every other node once the change notification
     * reaches it.
     */
    public void grant(String appId, UUID hub) throws SQLException {
        update(GRANT, appId, hub);
        invalidate(new BindingChanges.Change.Pair(appId, hub)).toCompletableFuture().join();
    }

    /** Removes a dev grant (idempotent); access the portal's data gives stays. Blocking, like {@link #grant}. */
    public void revoke(String appId, UUID hub) throws SQLException {
        update(REVOKE, appId, hub);
        invalidate(new BindingChanges.Change.Pair(appId, hub)).toCompletableFuture().join();
    }

    /** Test seam: runs on the loading thread after each PostgreSQL query, before its answer is stored anywhere. */
    void afterQuery(Runnable hook) {
        afterQuery = hook;
    }

    /** Test seam: runs once an invalidation is complete on this node (both levels). */
    void afterInvalidation(Consumer<BindingChanges.Change> hook) {
        afterInvalidation = hook;
    }

    private CompletionStage<Void> invalidate(BindingChanges.Change change) {
        metrics.counter("ora_relay_access_invalidations_total",
                "Access changes announced by PostgreSQL (or made by this node), by what changed",
                "change", label(change)).increment();
        dropLocal(change);
        CompletionStage<Void> shared = this.shared.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : this.shared.get().invalidate(change).thenRun(() -> dropLocal(change));
        return shared.thenRun(() -> afterInvalidation.accept(change));
    }

    private void dropLocal(BindingChanges.Change change) {
        // The map view holds loads still in flight too: a dropped load answers its callers but is not kept.
        local.asMap().keySet().removeIf(pair -> pair.concerns(change));
        // After the removal, never before: whoever reads the new generation can only find fresh answers.
        generation.incrementAndGet();
    }

    @Override
    public long generation() {
        return generation.get();
    }

    /**
     * While announcements arrive, a change drops its answers at once and a lost notification connection drops every
     * answer within seconds ({@link BindingChanges} checks it), so an answer in steady use need not be asked for
     * again every few seconds: {@code announced-ttl}. While they do not, {@code local-ttl} bounds an answer's age.
     * An answer loaded while listening and stored after a loss is kept only {@code local-ttl}: the loss cleared the
     * cache before it was stored, and it is judged when stored.
     */
    @Override
    public Duration answerLifetime() {
        return listening ? announcedTtl : unannouncedTtl;
    }

    /**
     * A failed load completes with null, which the local cache drops without logging (it would log a stack trace
     * per failed load, and while PostgreSQL is down every look-up fails); {@link #known} turns it back into a
     * failure for the callers. The failure itself is counted and logged once per outage by {@link #query}.
     */
    private CompletableFuture<Scope> load(Pair pair) {
        CompletionStage<Scope> loaded = shared.isPresent() && listening
                ? shared.get().scope(pair, () -> query(pair))
                : query(pair);
        return loaded.toCompletableFuture().exceptionally(failure -> null);
    }

    private static Scope known(Scope scope) {
        if (scope == null) {
            throw new CompletionException(new IllegalStateException("access unknown: PostgreSQL did not answer"));
        }
        return scope;
    }

    private CompletionStage<Scope> query(Pair pair) {
        return CompletableFuture.supplyAsync(() -> {
            Scope scope;
            try {
                scope = select(pair);
            } catch (SQLException e) {
                databaseFailures.increment();
                if (databaseDown.compareAndSet(false, true)) {
                    LOG.warn("PostgreSQL does not answer access look-ups ({}): app-hub publishes are refused",
                            e.getClass().getSimpleName());
                }
                throw new CompletionException(e);
            }
            if (databaseDown.compareAndSet(true, false)) {
                LOG.info("PostgreSQL answers access look-ups again");
            }
            answeredByDatabase.increment();
            afterQuery.run();
            return scope;
        }, blocking);
    }

    private Scope select(Pair pair) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(SCOPES)) {
            statement.setString(1, pair.appId());
            statement.setObject(2, pair.hub());
            Optional<UUID> user = pair.portalUser();
            if (user.isPresent()) {
                statement.setObject(3, user.get());
            } else {
                statement.setNull(3, Types.OTHER);
            }
            statement.setObject(4, pair.hub());
            Scope widest = Scope.NONE;
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    widest = widest.widest(Scope.parse(rows.getString(1)).orElse(Scope.NONE));
                }
            }
            return widest;
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

    private static String label(BindingChanges.Change change) {
        if (change instanceof BindingChanges.Change.Pair) {
            return "pair";
        }
        if (change instanceof BindingChanges.Change.Hub) {
            return "hub";
        }
        if (change instanceof BindingChanges.Change.User) {
            return "user";
        }
        return "all";
    }
}
