package io.ora.portal.handover;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.ora.core.concurrent.Failures;
import io.ora.persistence.PortalRows;
import io.ora.persistence.TestDatabase;
import io.ora.portal.api.Json;
import io.ora.portal.api.Page;
import io.ora.portal.api.Principal;
import io.ora.portal.auth.Caller;
import io.ora.portal.auth.Role;
import io.ora.portal.http.Refusals;
import io.ora.portal.projects.Projects;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;
import net.jqwik.api.statistics.Statistics;
import tools.jackson.databind.JsonNode;

/**
 * The handover's invariants (docs/handover.md, "The handover's invariants") under random sequences of issue, upload,
 * move to pending, claim (with the current code, an old one, a wrong one or junk), release, cancel, revoke, expire
 * (swept or left for the next touch) and complete, by random actors: the project's electrician, an electrician of
 * another organisation and three homeowners. Each step runs against the real {@link Handover} on PostgreSQL; its
 * answer must be the one a small model of the rules predicts, and after every step the stored state and what each
 * homeowner can reach must agree with the model.
 */
class HandoverPropertiesIT {

    private static final int ATTEMPTS_PER_KEY = 5;
    private static final int ACCOUNT_FAILURES = 5;
    private static final int HOMEOWNERS = 3;
    private static final JsonNode ENVELOPE = Json.mapper().readTree("{\"version\":1,\"kdf\":{\"name\":\"argon2id\","
            + "\"memoryKiB\":65536,\"iterations\":3,\"parallelism\":1,\"salt\":\"AAAAAAAAAAAAAAAAAAAAAA\"},"
            + "\"cipher\":{\"name\":\"AES-256-GCM\",\"nonce\":\"AAAAAAAAAAAAAAAA\","
            + "\"ciphertext\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}");

    private static HikariDataSource dataSource;
    private static ExecutorService blocking;
    private static Handover handover;
    private static Projects projects;
    private static PortalRows rows;

    @BeforeContainer
    static void start() {
        dataSource = TestDatabase.dataSource();
        blocking = Executors.newFixedThreadPool(2);
        Db db = new Db(dataSource, blocking);
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        HubLock relay = new HubLock() {
            @Override
            public CompletionStage<Void> lock(UUID project, List<UUID> hubs) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletionStage<Void> release(UUID project, List<UUID> hubs) {
                return CompletableFuture.completedFuture(null);
            }
        };
        handover = new Handover(db, new AccessKeyVerifier(secret), new Handover.Settings(Duration.ofHours(1),
                ATTEMPTS_PER_KEY, ACCOUNT_FAILURES, Duration.ofMinutes(15)), relay);
        projects = new Projects(db, 64, null);
        rows = new PortalRows(dataSource);
    }

    @AfterContainer
    static void stop() {
        blocking.shutdown();
        dataSource.close();
    }

    @Property(tries = 60)
    void everyStepKeepsTheHandoversInvariants(@ForAll("handovers") ActionChain<World> chain) {
        World end = chain.withInvariant("stored state and reach agree with the model", World::check).run();
        // How far chains get, so a change of weights that stops them reaching a claim or a handover shows.
        Statistics.label("claims").collect(end.keys.stream().filter(k -> k.claimant != null).count());
        Statistics.label("handed over").collect(end.homeowner != null);
    }

    @Provide
    Arbitrary<ActionChain<World>> handovers() {
        return ActionChain.startWith(World::new)
                // Random operations by random actors, and often the next step a cooperative electrician and
                // homeowner would take, so that most chains get to a claim and many to a completed handover.
                .withAction(6, action(w -> w.status != Projects.Status.ARCHIVED, HandoverPropertiesIT::advance))
                .withAction(1, action(w -> true, w -> electricians(w).map(who -> step(w, "issue", who,
                        x -> issue(x, who)))))
                .withAction(1, action(w -> true, w -> electricians(w).map(who -> step(w, "upload", who,
                        x -> upload(x, who)))))
                .withAction(1, action(w -> true, w -> electricians(w).map(who -> step(w, "to pending", who,
                        x -> toPending(x, who)))))
                .withAction(1, action(w -> true, w -> electricians(w).map(who -> step(w, "cancel", who,
                        x -> cancel(x, who)))))
                .withAction(1, action(w -> true, w -> electricians(w).map(who -> step(w, "revoke", who,
                        x -> revoke(x, who)))))
                // Archiving ends every chain's interest (nothing changes after it): tried late, or rarely.
                .withAction(1, action(w -> w.status == Projects.Status.HANDED_OVER || w.keys.size() > 3,
                        w -> electricians(w).map(who -> step(w, "archive", who, x -> archive(x, who)))))
                .withAction(2, action(w -> w.current().isPresent(), w -> Arbitraries.of(true, false).map(sweep ->
                        Transformer.mutate("expire" + (sweep ? ", swept" : ", not yet swept"),
                                x -> expire(x, sweep)))))
                .withAction(3, action(w -> !w.keys.isEmpty(), HandoverPropertiesIT::claims))
                .withAction(2, action(w -> true, w -> homeowners(w).map(who -> step(w, "release", who,
                        x -> release(x, who)))))
                .withAction(2, action(w -> true, w -> homeowners(w).map(who -> step(w, "complete", who,
                        x -> complete(x, who)))))
                .withMaxTransformations(40);
    }

    // --- the model ---

    /** What the rules say a key is; {@code code} is what was handed out for it. */
    static final class Key {
        final UUID id;
        final String code;
        Handover.KeyState state = Handover.KeyState.ACTIVE;
        UUID claimant;
        boolean released;
        boolean envelope;
        int wrongCodes;

        Key(UUID id, String code) {
            this.id = id;
            this.code = code;
        }
    }

    /** One project in the database, its actors, and the model of what its handover state must be. */
    static final class World {
        final UUID project;
        final Principal electrician;
        final Principal stranger;
        final List<Principal> homeowners = new ArrayList<>();
        final List<Key> keys = new ArrayList<>();
        final Map<UUID, Integer> accountFailures = new HashMap<>();
        Projects.Status status = Projects.Status.COMMISSIONING;
        UUID homeowner;

        World() {
            UUID organisation = rows.organisation();
            project = rows.project(organisation, "COMMISSIONING");
            rows.hub(project);
            electrician = electrician(organisation);
            stranger = electrician(rows.organisation());
            for (int i = 0; i < HOMEOWNERS; i++) {
                homeowners.add(principal(rows.user(), Role.HOMEOWNER, Optional.empty()));
            }
        }

        Optional<Key> current() {
            return keys.stream().filter(k -> k.state == Handover.KeyState.ACTIVE
                    || k.state == Handover.KeyState.CLAIMED).findFirst();
        }

        boolean claimedBy(Principal who) {
            return current().filter(k -> k.state == Handover.KeyState.CLAIMED && who.userId().equals(k.claimant))
                    .isPresent();
        }

        /** Who may reach the project: its homeowner after the handover, the live claimant before it. */
        boolean reaches(Principal who) {
            return who.userId().equals(homeowner) || claimedBy(who);
        }

        void end(Key key, Handover.KeyState to) {
            key.state = to;
            key.envelope = false;
        }

        void endCurrent(Handover.KeyState to) {
            current().ifPresent(k -> end(k, to));
        }

        String describe(String action, Principal who) {
            return action + " by " + (who == electrician ? "electrician" : who == stranger ? "stranger"
                    : "homeowner " + homeowners.indexOf(who));
        }

        /** The model agrees with what is stored and with what each homeowner can reach. */
        void check() {
            try (Connection c = dataSource.getConnection()) {
                Stored stored = Stored.read(c, project);
                assertThat(stored.current).as("at most one current key").hasSizeLessThanOrEqualTo(1);
                assertThat(stored.status).as("status").isEqualTo(status);
                for (Key key : keys) {
                    StoredKey row = stored.keys.get(key.id);
                    assertThat(row.effectiveState()).as("state of key %s", keys.indexOf(key)).isEqualTo(key.state);
                    assertThat(row.claimant).as("claimant").isEqualTo(Optional.ofNullable(key.claimant));
                    assertThat(row.released).as("released").isEqualTo(key.released);
                }
                assertThat(stored.envelopeKey).as("the envelope belongs to the current key")
                        .isEqualTo(current().filter(k -> k.envelope).map(k -> k.id));
                if (status == Projects.Status.HANDED_OVER || status == Projects.Status.ARCHIVED) {
                    assertThat(current()).as("no current key after the handover or archiving").isEmpty();
                }
                if (current().filter(k -> k.state == Handover.KeyState.CLAIMED).isPresent()) {
                    assertThat(status).as("a claim exists only while pending")
                            .isEqualTo(Projects.Status.PENDING_HANDOVER);
                }
                assertThat(stored.homeowner).as("the homeowner is set by the completed handover only")
                        .isEqualTo(Optional.ofNullable(homeowner));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            for (Principal who : homeowners) {
                boolean reaches = reaches(who);
                assertThat(join(projects.get(who, project)).isPresent()).as("homeowner %s reads the project",
                        homeowners.indexOf(who)).isEqualTo(reaches);
                assertThat(join(projects.list(who, Optional.empty(), new Page.Request(10, Page.Position.START)))
                        .items()).as("homeowner %s lists it", homeowners.indexOf(who)).hasSize(reaches ? 1 : 0);
            }
        }
    }

    /** The stored rows of one project, read with the database's clock. */
    record StoredKey(Handover.KeyState state, boolean due, Optional<UUID> claimant, boolean released) {
        /** A current key past its time counts as expired: every operation treats it so until it is swept. */
        Handover.KeyState effectiveState() {
            boolean current = state == Handover.KeyState.ACTIVE || state == Handover.KeyState.CLAIMED;
            return current && due ? Handover.KeyState.EXPIRED : state;
        }
    }

    record Stored(Projects.Status status, Optional<UUID> homeowner, Map<UUID, StoredKey> keys, List<UUID> current,
                  Optional<UUID> envelopeKey) {
        static Stored read(Connection c, UUID project) throws SQLException {
            Map<UUID, StoredKey> keys = new HashMap<>();
            List<UUID> current = new ArrayList<>();
            boolean dueCurrent = false;
            try (PreparedStatement select = c.prepareStatement("SELECT id, state, expires_at <= now(), claimed_by, "
                    + "released_at IS NOT NULL FROM access_key WHERE project_id = ?")) {
                select.setObject(1, project);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        StoredKey key = new StoredKey(Handover.KeyState.valueOf(row.getString(2)), row.getBoolean(3),
                                Optional.ofNullable(row.getObject(4, UUID.class)), row.getBoolean(5));
                        keys.put(row.getObject(1, UUID.class), key);
                        if (key.effectiveState() != key.state()) {
                            dueCurrent = true;
                        } else if (key.state() == Handover.KeyState.ACTIVE
                                || key.state() == Handover.KeyState.CLAIMED) {
                            current.add(row.getObject(1, UUID.class));
                        }
                    }
                }
            }
            Optional<UUID> envelope = Optional.empty();
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT access_key_id FROM project_key_envelope WHERE project_id = ?")) {
                select.setObject(1, project);
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        envelope = Optional.of(row.getObject(1, UUID.class));
                    }
                }
            }
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT status, homeowner_user_id FROM project WHERE id = ?")) {
                select.setObject(1, project);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    Projects.Status status = Projects.Status.valueOf(row.getString(1));
                    // A due key not yet swept: the project is back in COMMISSIONING for every operation.
                    if (dueCurrent && status == Projects.Status.PENDING_HANDOVER) {
                        status = Projects.Status.COMMISSIONING;
                    }
                    if (dueCurrent) {
                        envelope = Optional.empty();
                    }
                    return new Stored(status, Optional.ofNullable(row.getObject(2, UUID.class)), keys, current,
                            envelope);
                }
            }
        }
    }

    // --- the actions ---

    /** An action available when {@code when} holds, made of the transformers {@code transformers} offers. */
    static Action.Dependent<World> action(Predicate<World> when,
                                          Function<World, Arbitrary<Transformer<World>>> transformers) {
        return new Action.Dependent<>() {
            @Override
            public boolean precondition(World world) {
                return when.test(world);
            }

            @Override
            public Arbitrary<Transformer<World>> transformer(World world) {
                return transformers.apply(world);
            }
        };
    }

    static Transformer<World> step(World w, String name, Principal who, Consumer<World> operation) {
        return Transformer.mutate(w.describe(name, who), operation);
    }

    /** The step a cooperative electrician and homeowner would take next. */
    static Arbitrary<Transformer<World>> advance(World w) {
        Optional<Key> current = w.current();
        Principal electrician = w.electrician;
        if (w.status == Projects.Status.HANDED_OVER) {
            return Arbitraries.just(step(w, "archive", electrician, x -> archive(x, electrician)));
        }
        if (current.isEmpty()) {
            return Arbitraries.just(step(w, "issue", electrician, x -> issue(x, electrician)));
        }
        if (current.get().state == Handover.KeyState.ACTIVE && !current.get().envelope) {
            return Arbitraries.just(step(w, "upload", electrician, x -> upload(x, electrician)));
        }
        if (w.status == Projects.Status.COMMISSIONING) {
            return Arbitraries.just(step(w, "to pending", electrician, x -> toPending(x, electrician)));
        }
        if (current.get().state == Handover.KeyState.ACTIVE) {
            return Arbitraries.of(w.homeowners).map(who -> step(w, "claim with the current code", who,
                    x -> claim(x, who, current, false)));
        }
        Principal claimant = w.homeowners.stream().filter(w::claimedBy).findFirst().orElseThrow();
        return Arbitraries.just(current.get().released ? step(w, "complete", claimant, x -> complete(x, claimant))
                : step(w, "release", claimant, x -> release(x, claimant)));
    }

    /** A homeowner types a code: the newest, an earlier one, one of them with a wrong secret, or junk. */
    static Arbitrary<Transformer<World>> claims(World w) {
        Arbitrary<Optional<Key>> key = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(Optional.of(w.keys.get(w.keys.size() - 1)))),
                Tuple.of(2, Arbitraries.of(w.keys).map(Optional::of)),
                Tuple.of(1, Arbitraries.just(Optional.empty())));
        Arbitrary<Boolean> wrong = Arbitraries.frequency(Tuple.of(4, false), Tuple.of(1, true));
        return Combinators.combine(homeowners(w), key, wrong).as((who, typed, wrongSecret) -> step(w, "claim with "
                + typed.map(k -> (wrongSecret ? "a wrong secret for " : "") + "key " + w.keys.indexOf(k))
                .orElse("junk"), who, x -> claim(x, who, typed, wrongSecret)));
    }

    static Arbitrary<Principal> electricians(World world) {
        return Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.just(world.electrician)),
                Tuple.of(1, Arbitraries.just(world.stranger)));
    }

    /** Any homeowner, most often the one holding the claim (so that handovers get finished, and raced). */
    static Arbitrary<Principal> homeowners(World world) {
        Optional<Principal> claimant = world.homeowners.stream().filter(world::claimedBy).findFirst();
        return claimant.isEmpty() ? Arbitraries.of(world.homeowners) : Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(claimant.get())), Tuple.of(2, Arbitraries.of(world.homeowners)));
    }

    // --- the operations: each runs the real one, checks its answer against the rules, and updates the model ---

    /** The status an operation answered: 200 for success, else its problem's status. */
    static <T> int outcome(Supplier<CompletionStage<T>> operation) {
        return answer(operation).status();
    }

    record Answer<T>(int status, Optional<T> value) {
    }

    static <T> Answer<T> answer(Supplier<CompletionStage<T>> operation) {
        try {
            return new Answer<>(200, Optional.ofNullable(operation.get().toCompletableFuture().join()));
        } catch (RuntimeException failure) {
            if (Failures.cause(failure) instanceof Refused refused) {
                return new Answer<>(Refusals.answer(refused.refusal()).problem().status(), Optional.empty());
            }
            throw failure;
        }
    }

    static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    /** 404 for whom the project does not exist, 409 for its electrician when the rules refuse. */
    static int refusal(World w, Principal who) {
        return who == w.electrician ? 409 : 404;
    }

    static void issue(World w, Principal who) {
        boolean allowed = who == w.electrician && (w.status == Projects.Status.COMMISSIONING
                || w.status == Projects.Status.PENDING_HANDOVER);
        Answer<Handover.Issued> issued = answer(() -> handover.issue(who, w.project));
        assertThat(issued.status()).isEqualTo(allowed ? 200 : refusal(w, who));
        if (allowed) {
            w.endCurrent(Handover.KeyState.REVOKED);
            w.keys.add(new Key(issued.value().orElseThrow().id(), issued.value().orElseThrow().code()));
        }
    }

    static void upload(World w, Principal who) {
        boolean allowed = who == w.electrician
                && w.current().filter(k -> k.state == Handover.KeyState.ACTIVE).isPresent();
        assertThat(outcome(() -> handover.upload(who, w.project, ENVELOPE))).isEqualTo(allowed ? 200
                : refusal(w, who));
        if (allowed) {
            w.current().orElseThrow().envelope = true;
        }
    }

    static void toPending(World w, Principal who) {
        boolean allowed = who == w.electrician && w.status == Projects.Status.COMMISSIONING
                && w.current().filter(k -> k.state == Handover.KeyState.ACTIVE && k.envelope).isPresent();
        assertThat(transition(who, w, Projects.Status.PENDING_HANDOVER)).isEqualTo(allowed ? 200 : refusal(w, who));
        if (allowed) {
            w.status = Projects.Status.PENDING_HANDOVER;
        }
    }

    static void cancel(World w, Principal who) {
        boolean allowed = who == w.electrician && w.status == Projects.Status.PENDING_HANDOVER;
        assertThat(transition(who, w, Projects.Status.COMMISSIONING)).isEqualTo(allowed ? 200 : refusal(w, who));
        if (allowed) {
            w.endCurrent(Handover.KeyState.REVOKED);
            w.status = Projects.Status.COMMISSIONING;
        }
    }

    static void archive(World w, Principal who) {
        boolean allowed = who == w.electrician && (w.status == Projects.Status.COMMISSIONING
                || w.status == Projects.Status.HANDED_OVER);
        assertThat(transition(who, w, Projects.Status.ARCHIVED)).isEqualTo(allowed ? 200 : refusal(w, who));
        if (allowed) {
            w.endCurrent(Handover.KeyState.REVOKED);
            w.status = Projects.Status.ARCHIVED;
        }
    }

    static void revoke(World w, Principal who) {
        boolean allowed = who == w.electrician && w.current().isPresent();
        assertThat(outcome(() -> handover.revoke(who, w.project))).isEqualTo(allowed ? 200 : 404);
        if (allowed) {
            w.endCurrent(Handover.KeyState.REVOKED);
        }
    }

    /** Time passes beyond the current key's expiry; the sweeper may or may not have run yet. */
    static void expire(World w, boolean sweep) {
        rows.execute("UPDATE access_key SET expires_at = now() - interval '1 second' "
                + "WHERE project_id = ? AND state IN ('ACTIVE', 'CLAIMED')", w.project);
        if (sweep) {
            join(handover.sweep());
        }
        w.endCurrent(Handover.KeyState.EXPIRED);
        if (w.status == Projects.Status.PENDING_HANDOVER) {
            w.status = Projects.Status.COMMISSIONING;
        }
    }

    static void claim(World w, Principal who, Optional<Key> typed, boolean wrongSecret) {
        String code = typed.map(k -> wrongSecret ? wrongSecret(k.code) : k.code).orElse("not a code");
        int expected = expectedClaim(w, who, typed, wrongSecret);
        assertThat(outcome(() -> handover.claim(who, code))).isEqualTo(expected);
    }

    /** The answer the rules give a claim, applying its effects to the model. */
    private static int expectedClaim(World w, Principal who, Optional<Key> typed, boolean wrongSecret) {
        if (w.accountFailures.getOrDefault(who.userId(), 0) >= ACCOUNT_FAILURES) {
            return 429;
        }
        if (typed.isPresent() && !wrongSecret && typed.get().state == Handover.KeyState.EXPIRED) {
            return 410;
        }
        Optional<Key> active = typed.filter(k -> k.state == Handover.KeyState.ACTIVE);
        if (active.isEmpty() || wrongSecret) {
            active.ifPresent(k -> {
                k.wrongCodes++;
                if (k.wrongCodes >= ATTEMPTS_PER_KEY) {
                    w.end(k, Handover.KeyState.REVOKED);
                }
            });
            w.accountFailures.merge(who.userId(), 1, Integer::sum);
            return 404;
        }
        if (w.status != Projects.Status.PENDING_HANDOVER || !active.get().envelope) {
            return 409;
        }
        active.get().state = Handover.KeyState.CLAIMED;
        active.get().claimant = who.userId();
        return 200;
    }

    /** The same handle with one character of the secret changed. */
    private static String wrongSecret(String code) {
        char changed = code.charAt(6) == 'A' ? 'B' : 'A';
        return code.substring(0, 6) + changed + code.substring(7);
    }

    static void release(World w, Principal who) {
        boolean allowed = w.claimedBy(who);
        assertThat(outcome(() -> handover.release(who, w.project))).isEqualTo(allowed ? 200 : 404);
        if (allowed) {
            w.current().orElseThrow().released = true;
        }
    }

    static void complete(World w, Principal who) {
        boolean allowed = w.status == Projects.Status.PENDING_HANDOVER && w.claimedBy(who)
                && w.current().orElseThrow().released;
        assertThat(transition(who, w, Projects.Status.HANDED_OVER)).isEqualTo(allowed ? 200
                : w.reaches(who) ? 409 : 404);
        if (allowed) {
            w.endCurrent(Handover.KeyState.USED);
            w.status = Projects.Status.HANDED_OVER;
            w.homeowner = who.userId();
        }
    }

    static int transition(Principal who, World world, Projects.Status to) {
        return outcome(() -> handover.transition(who, world.project, OptionalInt.empty(), to));
    }

    static Principal electrician(UUID organisation) {
        return principal(rows.member(organisation), Role.ELECTRICIAN,
                Optional.of(new Principal.Membership(organisation, false)));
    }

    static Principal principal(UUID user, Role role, Optional<Principal.Membership> membership) {
        Instant now = Instant.now();
        return new Principal(new Caller("subject-" + user, Set.of(role), Optional.of(now), Optional.empty(),
                Optional.empty(), Optional.empty(), now.plus(Duration.ofHours(1))), user, membership);
    }
}
