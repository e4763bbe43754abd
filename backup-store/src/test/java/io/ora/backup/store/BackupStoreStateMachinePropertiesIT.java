package io.ora.backup.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.backup.store.BackupStore.Conflict;
import io.ora.backup.store.BackupStore.Exists;
import io.ora.backup.store.BackupStore.NotFound;
import io.ora.backup.store.BackupStore.Removed;
import io.ora.backup.store.BackupStore.Version;
import io.ora.backup.store.BackupStore.Versions;
import io.ora.backup.store.BackupStore.Written;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;
import net.jqwik.api.lifecycle.SkipExecutionHook.SkipResult;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * Random sequences of every operation, with the right and a wrong credential, over three ids, on both backends (S3
 * on s3proxy and on moto): after each step the store must answer what a plain in-memory model of docs/backup.md
 * answers. The clock starts in 1990, a year no other test writes in, so the model can count what an expiry sweep
 * deletes.
 */
class BackupStoreStateMachinePropertiesIT {

    private static final LocalDate START = LocalDate.of(1990, 1, 1);
    private static final int IDS = 3;
    private static final int CREDENTIALS = 2;
    private static final int S3PROXY_TRIES = 8;
    private static final int MOTO_TRIES = 6;

    private static Backend postgres;
    private static Backend s3;
    private static Backend moto;

    private Session session;

    @BeforeContainer
    static void startBackends() {
        postgres = new PostgresBackend();
        s3 = new S3Backend(TestS3::client);
        moto = TestMoto.unavailable().isEmpty() ? new S3Backend(TestMoto::client) : null;
    }

    @AfterContainer
    static void stopBackends() {
        postgres.close();
        s3.close();
        if (moto != null) {
            moto.close();
        }
    }

    @AfterTry
    void wipe() {
        if (session != null) {
            session.close();
            session = null;
        }
    }

    @Property(tries = 60)
    void postgresAnswersAsTheModel(@ForAll("postgresChains") ActionChain<Session> chain) {
        chain.withInvariant("store agrees with the model", Session::agreesWithModel).run();
    }

    /**
     * The S3 store's sequential behaviour, split between the two S3 APIs: s3proxy checks signatures, moto checks
     * every conditional write's ETag (s3proxy would accept a wrong one). Each S3 try costs some 10 to 15 times a
     * PostgreSQL one, hence fewer.
     */
    @Property(tries = S3PROXY_TRIES)
    void s3AnswersAsTheModel(@ForAll("s3Chains") ActionChain<Session> chain) {
        chain.withInvariant("store agrees with the model", Session::agreesWithModel).run();
    }

    @Property(tries = MOTO_TRIES)
    @AddLifecycleHook(MotoAvailable.class)
    void s3OnMotoAnswersAsTheModel(@ForAll("motoChains") ActionChain<Session> chain) {
        chain.withInvariant("store agrees with the model", Session::agreesWithModel).run();
    }

    @Provide
    Arbitrary<ActionChain<Session>> postgresChains() {
        return chains(() -> postgres);
    }

    @Provide
    Arbitrary<ActionChain<Session>> s3Chains() {
        return chains(() -> s3);
    }

    @Provide
    Arbitrary<ActionChain<Session>> motoChains() {
        return chains(() -> moto);
    }

    /** Skips the moto property, saying why, where moto cannot run ({@link TestMoto#unavailable()}). */
    static final class MotoAvailable implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            return TestMoto.unavailable().map(why -> SkipResult.skip("moto's S3 is not available: " + why))
                    .orElseGet(SkipResult::doNotSkip);
        }
    }

    private Arbitrary<ActionChain<Session>> chains(java.util.function.Supplier<Backend> backend) {
        Arbitrary<Integer> id = Arbitraries.integers().between(0, IDS - 1);
        Arbitrary<Integer> credential = Arbitraries.integers().between(0, CREDENTIALS - 1);
        Arbitrary<byte[]> envelope = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<Expectation> expectation = Arbitraries.of(Expectation.class);
        Arbitrary<OptionalLong> readVersion = Arbitraries.integers().between(-1, 4)
                .map(back -> back < 0 ? OptionalLong.empty() : OptionalLong.of(back));
        return ActionChain.<Session>startWith(() -> {
            session = new Session(backend.get());
            return session;
        })
                .withAction(3, independent(Combinators.combine(id, credential, envelope).as((i, c, e) ->
                        Transformer.mutate("create " + i + " as " + c, s -> s.create(i, c, e)))))
                .withAction(5, independent(Combinators.combine(id, credential, expectation, envelope)
                        .as((i, c, x, e) -> Transformer.mutate("replace " + i + " as " + c + " " + x,
                                s -> s.replace(i, c, x, e)))))
                .withAction(3, independent(Combinators.combine(id, credential, readVersion).as((i, c, v) ->
                        Transformer.mutate("read " + i + " as " + c + " back " + v, s -> s.read(i, c, v)))))
                .withAction(1, independent(Combinators.combine(id, credential).as((i, c) ->
                        Transformer.mutate("delete " + i + " as " + c, s -> s.delete(i, c)))))
                .withAction(1, independent(Arbitraries.integers().between(0, 12).map(days ->
                        Transformer.mutate("expire before today-" + days, s -> s.expire(days)))))
                .withAction(2, independent(Arbitraries.integers().between(1, 5).map(days ->
                        Transformer.mutate("advance " + days + " days", s -> s.advance(days)))))
                .withMaxTransformations(30);
    }

    private static Action.Independent<Session> independent(Arbitrary<Transformer<Session>> transformers) {
        return () -> transformers;
    }

    /** What a replace names as the version it expects. */
    enum Expectation { CURRENT, STALE, ANY }

    /** One kept version in the model. */
    record Kept(long version, LocalDate written, byte[] envelope) {
    }

    /** One backup in the model: whose credential guards it, and its kept versions newest first. */
    static final class Modelled {
        final int owner;
        final List<Kept> kept = new ArrayList<>();

        Modelled(int owner) {
            this.owner = owner;
        }

        long version() {
            return kept.get(0).version();
        }
    }

    /** A store under test, its ids and credentials, and the model it must agree with. */
    static final class Session implements AutoCloseable {
        private final Backend backend;
        private final MutableClock clock = new MutableClock(START);
        private final BackupStore store;
        private final List<BackupId> ids = new ArrayList<>();
        private final List<Credential> credentials = new ArrayList<>();
        private final Map<Integer, Modelled> model = new HashMap<>();

        Session(Backend backend) {
            this.backend = backend;
            this.store = backend.open(clock);
            for (int i = 0; i < IDS; i++) {
                ids.add(Fixtures.newId());
            }
            for (int c = 0; c < CREDENTIALS; c++) {
                credentials.add(Fixtures.newCredential());
            }
        }

        void create(int id, int credential, byte[] envelope) {
            Object outcome = store.create(ids.get(id), credentials.get(credential).verifier(), envelope);
            if (model.containsKey(id)) {
                assertThat(outcome).isEqualTo(new Exists());
                return;
            }
            assertThat(outcome).isEqualTo(new Written(1));
            Modelled created = new Modelled(credential);
            created.kept.add(new Kept(1, clock.today(), envelope));
            model.put(id, created);
        }

        void replace(int id, int credential, Expectation expectation, byte[] envelope) {
            Modelled current = guarded(id, credential);
            long currentVersion = current == null ? 1 : current.version();
            OptionalLong expected = switch (expectation) {
                case CURRENT -> OptionalLong.of(currentVersion);
                case STALE -> OptionalLong.of(currentVersion - 1);
                case ANY -> OptionalLong.empty();
            };
            Object outcome = store.replace(ids.get(id), credentials.get(credential), expected, envelope);
            if (current == null) {
                assertThat(outcome).isEqualTo(new NotFound());
            } else if (expectation == Expectation.STALE) {
                assertThat(outcome).isEqualTo(new Conflict(currentVersion));
            } else {
                assertThat(outcome).isEqualTo(new Written(currentVersion + 1));
                current.kept.add(0, new Kept(currentVersion + 1, clock.today(), envelope));
                if (current.kept.size() > BackupStore.KEPT_VERSIONS) {
                    current.kept.remove(BackupStore.KEPT_VERSIONS);
                }
            }
        }

        void read(int id, int credential, OptionalLong back) {
            Modelled current = guarded(id, credential);
            OptionalLong version = back.isEmpty() || current == null ? OptionalLong.empty()
                    : OptionalLong.of(current.version() - back.getAsLong());
            Object outcome = store.read(ids.get(id), credentials.get(credential), version);
            Kept expected = current == null ? null : current.kept.stream()
                    .filter(k -> version.isEmpty() || k.version() == version.getAsLong()).findFirst().orElse(null);
            if (expected == null) {
                assertThat(outcome).isEqualTo(new NotFound());
            } else {
                BackupStoreContract.assertFound(outcome, expected.version(), expected.written(), expected.envelope());
            }
        }

        void delete(int id, int credential) {
            Modelled current = guarded(id, credential);
            Object outcome = store.delete(ids.get(id), credentials.get(credential));
            if (current == null) {
                assertThat(outcome).isEqualTo(new NotFound());
            } else {
                assertThat(outcome).isEqualTo(new Removed());
                model.remove(id);
            }
        }

        void expire(int daysBack) {
            LocalDate cutoff = clock.today().minusDays(daysBack);
            List<Integer> expired = model.entrySet().stream()
                    .filter(e -> e.getValue().kept.get(0).written().isBefore(cutoff)).map(Map.Entry::getKey).toList();
            assertThat(store.expire(cutoff)).isEqualTo(expired.size());
            expired.forEach(model::remove);
        }

        void advance(int days) {
            clock.advanceDays(days);
        }

        /** Every id, read with every credential, lists what the model keeps, and nothing more is stored. */
        void agreesWithModel() {
            List<Integer> stored = backend.storedEnvelopes(ids);
            for (int id = 0; id < IDS; id++) {
                for (int credential = 0; credential < CREDENTIALS; credential++) {
                    Modelled current = guarded(id, credential);
                    Object listed = store.versions(ids.get(id), credentials.get(credential));
                    if (current == null) {
                        assertThat(listed).isEqualTo(new NotFound());
                    } else {
                        assertThat(listed).isEqualTo(new Versions(current.kept.stream()
                                .map(k -> new Version(k.version(), k.written(), k.envelope().length)).toList()));
                    }
                }
                Modelled modelled = model.get(id);
                assertThat(stored.get(id)).isEqualTo(modelled == null ? 0 : modelled.kept.size());
            }
        }

        /** The modelled backup under {@code id} when {@code credential} is its owner's, else null. */
        private Modelled guarded(int id, int credential) {
            Modelled current = model.get(id);
            return current != null && current.owner == credential ? current : null;
        }

        @Override
        public void close() {
            store.close();
            ids.forEach(backend::wipe);
        }

        @Override
        public String toString() {
            return "Session" + model.keySet();
        }
    }
}
