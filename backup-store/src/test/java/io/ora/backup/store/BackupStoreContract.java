package io.ora.backup.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.ora.backup.store.BackupStore.Conflict;
import io.ora.backup.store.BackupStore.Exists;
import io.ora.backup.store.BackupStore.Found;
import io.ora.backup.store.BackupStore.NotFound;
import io.ora.backup.store.BackupStore.Removed;
import io.ora.backup.store.BackupStore.StoreUnavailableException;
import io.ora.backup.store.BackupStore.Version;
import io.ora.backup.store.BackupStore.Versions;
import io.ora.backup.store.BackupStore.Written;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link BackupStore} promises (its Javadoc and docs/backup.md, "The store"), run against a real backend
 * by each subclass. Every test uses fresh random ids and removes what it stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BackupStoreContract {

    /** A day no other test writes on, so an expiry sweep here meets only this test's backups. */
    private static final LocalDate TODAY = LocalDate.of(2026, 12, 3);
    private static final int RACES = 25;

    private Backend backend;
    private final MutableClock clock = new MutableClock(TODAY);
    private final List<BackupId> used = new ArrayList<>();
    private BackupStore store;

    /** The backend this suite runs on, made once for the class. */
    abstract Backend newBackend();

    Backend backend() {
        return backend;
    }

    @BeforeAll
    void startBackend() {
        backend = newBackend();
    }

    @AfterAll
    void stopBackend() {
        // Null when newBackend() found its server missing and skipped the class.
        if (backend != null) {
            backend.close();
        }
    }

    @BeforeEach
    void openStore() {
        clock.set(TODAY);
        store = backend.open(clock);
    }

    @AfterEach
    void cleanUp() {
        store.close();
        used.forEach(backend::wipe);
    }

    BackupId newId() {
        BackupId id = Fixtures.newId();
        used.add(id);
        return id;
    }

    BackupStore store() {
        return store;
    }

    @Test
    void createStoresVersionOneAndASecondCreateFindsItTaken() {
        BackupId id = newId();
        Credential owner = Fixtures.newCredential();
        byte[] envelope = Fixtures.bytes(300);

        assertThat(store.create(id, owner.verifier(), envelope)).isEqualTo(new Written(1));
        assertThat(store.create(id, Fixtures.newCredential().verifier(), Fixtures.bytes(10))).isEqualTo(new Exists());
        assertThat(store.create(id, owner.verifier(), Fixtures.bytes(10))).isEqualTo(new Exists());

        assertFound(store.read(id, owner, OptionalLong.empty()), 1, TODAY, envelope);
        assertThat(backend.storedEnvelopes(id)).isEqualTo(1);
    }

    @Test
    void replaceOnTheExpectedVersionWritesTheNext() {
        BackupId id = newId();
        Credential owner = created(id);
        byte[] second = Fixtures.bytes(200);

        assertThat(store.replace(id, owner, OptionalLong.of(1), second)).isEqualTo(new Written(2));
        assertFound(store.read(id, owner, OptionalLong.empty()), 2, TODAY, second);
    }

    @Test
    void replaceOfAnyVersionWritesTheNext() {
        BackupId id = newId();
        Credential owner = created(id);
        store.replace(id, owner, OptionalLong.empty(), Fixtures.bytes(5));
        byte[] third = Fixtures.bytes(7);

        assertThat(store.replace(id, owner, OptionalLong.empty(), third)).isEqualTo(new Written(3));
        assertFound(store.read(id, owner, OptionalLong.empty()), 3, TODAY, third);
    }

    @Test
    void aStaleReplaceIsAConflictThatCarriesTheCurrentVersionAndChangesNothing() {
        BackupId id = newId();
        Credential owner = created(id);
        byte[] second = Fixtures.bytes(50);
        store.replace(id, owner, OptionalLong.of(1), second);

        assertThat(store.replace(id, owner, OptionalLong.of(1), Fixtures.bytes(9))).isEqualTo(new Conflict(2));
        assertThat(store.replace(id, owner, OptionalLong.of(3), Fixtures.bytes(9))).isEqualTo(new Conflict(2));
        assertFound(store.read(id, owner, OptionalLong.empty()), 2, TODAY, second);
        assertThat(backend.storedEnvelopes(id)).isEqualTo(2);
    }

    @Test
    void aWrongCredentialIsAnsweredExactlyAsAnUnknownId() {
        BackupId id = newId();
        Credential owner = created(id);
        Credential stranger = Fixtures.newCredential();
        BackupId unknown = newId();

        for (OptionalLong expected : List.of(OptionalLong.empty(), OptionalLong.of(1), OptionalLong.of(7))) {
            assertThat(store.replace(id, stranger, expected, Fixtures.bytes(3)))
                    .isEqualTo(store.replace(unknown, owner, expected, Fixtures.bytes(3))).isEqualTo(new NotFound());
        }
        for (OptionalLong version : List.of(OptionalLong.empty(), OptionalLong.of(1))) {
            assertThat(store.read(id, stranger, version))
                    .isEqualTo(store.read(unknown, owner, version)).isEqualTo(new NotFound());
        }
        assertThat(store.versions(id, stranger)).isEqualTo(store.versions(unknown, owner)).isEqualTo(new NotFound());
        assertThat(store.delete(id, stranger)).isEqualTo(store.delete(unknown, owner)).isEqualTo(new NotFound());

        assertThat(store.versions(id, owner)).isEqualTo(new Versions(List.of(new Version(1, TODAY, 100))));
        assertThat(backend.storedEnvelopes(id)).isEqualTo(1);
        assertThat(backend.holdsNothing(unknown)).isTrue();
    }

    @Test
    void exactlyTheNewestVersionsAreKeptAndOlderOnesReadAsNotFound() {
        BackupId id = newId();
        Credential owner = Fixtures.newCredential();
        List<byte[]> envelopes = new ArrayList<>();
        envelopes.add(Fixtures.bytes(10));
        store.create(id, owner.verifier(), envelopes.get(0));
        for (int version = 2; version <= 6; version++) {
            clock.advanceDays(1);
            envelopes.add(Fixtures.bytes(10 + version));
            assertThat(store.replace(id, owner, OptionalLong.of(version - 1), envelopes.get(version - 1)))
                    .isEqualTo(new Written(version));
            assertThat(backend.storedEnvelopes(id)).isEqualTo(Math.min(version, BackupStore.KEPT_VERSIONS));
        }

        assertThat(store.versions(id, owner)).isEqualTo(new Versions(List.of(
                new Version(6, TODAY.plusDays(5), 16), new Version(5, TODAY.plusDays(4), 15),
                new Version(4, TODAY.plusDays(3), 14))));
        assertFound(store.read(id, owner, OptionalLong.of(4)), 4, TODAY.plusDays(3), envelopes.get(3));
        assertFound(store.read(id, owner, OptionalLong.of(5)), 5, TODAY.plusDays(4), envelopes.get(4));
        for (long gone : new long[] {0, 1, 2, 3, 7, -1}) {
            assertThat(store.read(id, owner, OptionalLong.of(gone))).isEqualTo(new NotFound());
        }
    }

    @Test
    void deleteRemovesTheBackupAndEveryKeptVersion() {
        BackupId id = newId();
        Credential owner = created(id);
        store.replace(id, owner, OptionalLong.empty(), Fixtures.bytes(20));
        store.replace(id, owner, OptionalLong.empty(), Fixtures.bytes(30));

        assertThat(store.delete(id, owner)).isEqualTo(new Removed());

        assertThat(backend.holdsNothing(id)).isTrue();
        assertThat(store.read(id, owner, OptionalLong.empty())).isEqualTo(new NotFound());
        assertThat(store.versions(id, owner)).isEqualTo(new NotFound());
        assertThat(store.delete(id, owner)).isEqualTo(new NotFound());
        // The name is free again: a rotated-away locator can be created afresh.
        assertThat(store.create(id, Fixtures.newCredential().verifier(), Fixtures.bytes(1))).isEqualTo(new Written(1));
    }

    @Test
    void expiryDeletesBackupsWhoseNewestVersionIsOlderThanTheCutoff() {
        LocalDate day = LocalDate.of(2001, 1, 1);
        clock.set(day);
        BackupId old = newId();
        Credential oldOwner = created(old);
        BackupId refreshed = newId();
        Credential refreshedOwner = created(refreshed);
        BackupId boundary = newId();
        clock.set(day.plusDays(5));
        Credential boundaryOwner = created(boundary);
        store.replace(refreshed, refreshedOwner, OptionalLong.empty(), Fixtures.bytes(3));
        clock.set(day.plusDays(9));
        BackupId recent = newId();
        Credential recentOwner = created(recent);

        assertThat(store.expire(day.plusDays(5))).isEqualTo(1);

        assertThat(store.read(old, oldOwner, OptionalLong.empty())).isEqualTo(new NotFound());
        assertThat(backend.holdsNothing(old)).isTrue();
        // Written on the cutoff day itself, or refreshed then: kept.
        assertThat(store.read(boundary, boundaryOwner, OptionalLong.empty())).isInstanceOf(Found.class);
        assertThat(store.read(refreshed, refreshedOwner, OptionalLong.of(1))).isInstanceOf(Found.class);
        assertThat(store.read(recent, recentOwner, OptionalLong.empty())).isInstanceOf(Found.class);
        assertThat(store.expire(day.plusDays(5))).isZero();

        assertThat(store.expire(day.plusDays(10))).isEqualTo(3);
        for (BackupId id : List.of(boundary, refreshed, recent)) {
            assertThat(backend.holdsNothing(id)).isTrue();
        }
    }

    @Test
    void envelopesComeBackByteForByte() {
        byte[] allValues = new byte[256];
        for (int i = 0; i < allValues.length; i++) {
            allValues[i] = (byte) i;
        }
        for (byte[] envelope : List.of(new byte[0], allValues, Fixtures.bytes(1024 * 1024))) {
            BackupId id = newId();
            Credential owner = Fixtures.newCredential();
            store.create(id, owner.verifier(), envelope);
            assertFound(store.read(id, owner, OptionalLong.empty()), 1, TODAY, envelope);
            assertThat(store.versions(id, owner))
                    .isEqualTo(new Versions(List.of(new Version(1, TODAY, envelope.length))));
            store.replace(id, owner, OptionalLong.of(1), Fixtures.bytes(1));
            assertFound(store.read(id, owner, OptionalLong.of(1)), 1, TODAY, envelope);
        }
    }

    @Test
    void twoReplacesOfTheSameVersionNeverBothSucceed() throws Exception {
        assumeThat(backend.decidesRaces()).as("the server decides racing conditional writes").isTrue();
        for (int round = 0; round < RACES; round++) {
            BackupId id = newId();
            Credential owner = created(id);
            byte[] left = Fixtures.bytes(64);
            byte[] right = Fixtures.bytes(64);

            List<Object> outcomes = race(() -> store.replace(id, owner, OptionalLong.of(1), left),
                    () -> store.replace(id, owner, OptionalLong.of(1), right));

            assertThat(outcomes).containsExactlyInAnyOrder(new Written(2), new Conflict(2));
            byte[] winner = outcomes.get(0) instanceof Written ? left : right;
            assertFound(store.read(id, owner, OptionalLong.empty()), 2, TODAY, winner);
            // The loser's envelope is gone: version 1 and the winner's version 2 only.
            assertThat(backend.storedEnvelopes(id)).isEqualTo(2);
        }
    }

    @Test
    void twoCreatesOfOneIdNeverBothSucceed() throws Exception {
        assumeThat(backend.decidesRaces()).as("the server decides racing conditional writes").isTrue();
        for (int round = 0; round < RACES; round++) {
            BackupId id = newId();
            Credential left = Fixtures.newCredential();
            Credential right = Fixtures.newCredential();

            List<Object> outcomes = race(() -> store.create(id, left.verifier(), Fixtures.bytes(8)),
                    () -> store.create(id, right.verifier(), Fixtures.bytes(8)));

            assertThat(outcomes).containsExactlyInAnyOrder(new Written(1), new Exists());
            Credential winner = outcomes.get(0) instanceof Written ? left : right;
            Credential loser = winner == left ? right : left;
            assertThat(store.read(id, winner, OptionalLong.empty())).isInstanceOf(Found.class);
            assertThat(store.read(id, loser, OptionalLong.empty())).isEqualTo(new NotFound());
            assertThat(backend.storedEnvelopes(id)).isEqualTo(1);
        }
    }

    @Test
    void twoReplacesOfAnyVersionBothSucceedOneAfterTheOther() throws Exception {
        assumeThat(backend.decidesRaces()).as("the server decides racing conditional writes").isTrue();
        for (int round = 0; round < RACES; round++) {
            BackupId id = newId();
            Credential owner = created(id);

            List<Object> outcomes = race(() -> store.replace(id, owner, OptionalLong.empty(), Fixtures.bytes(8)),
                    () -> store.replace(id, owner, OptionalLong.empty(), Fixtures.bytes(8)));

            assertThat(outcomes).containsExactlyInAnyOrder(new Written(2), new Written(3));
            assertThat(backend.storedEnvelopes(id)).isEqualTo(3);
        }
    }

    @Test
    void aDeleteRacingAReplaceRemovesTheBackupAndLeavesNothingBehind() throws Exception {
        assumeThat(backend.decidesRaces()).as("the server decides racing conditional writes").isTrue();
        for (int round = 0; round < RACES; round++) {
            BackupId id = newId();
            Credential owner = created(id);

            List<Object> outcomes = race(() -> store.delete(id, owner),
                    () -> store.replace(id, owner, OptionalLong.empty(), Fixtures.bytes(8)));

            assertThat(outcomes.get(0)).isEqualTo(new Removed());
            // The replace committed before the delete finished (which then removed version 2 too), or found nothing.
            assertThat(outcomes.get(1)).isIn(new Written(2), new NotFound());
            assertThat(backend.holdsNothing(id)).isTrue();
        }
    }

    @Test
    void anUnreachableServerIsStoreUnavailableAndTheMessageNamesNoId() {
        BackupId id = newId();
        Credential owner = Fixtures.newCredential();
        try (BackupStore unreachable = backend.unreachable(clock)) {
            List<Runnable> calls = List.of(
                    () -> unreachable.create(id, owner.verifier(), Fixtures.bytes(4)),
                    () -> unreachable.replace(id, owner, OptionalLong.empty(), Fixtures.bytes(4)),
                    () -> unreachable.read(id, owner, OptionalLong.empty()),
                    () -> unreachable.versions(id, owner),
                    () -> unreachable.delete(id, owner),
                    () -> unreachable.expire(TODAY));
            for (Runnable call : calls) {
                assertThatThrownBy(call::run).isInstanceOf(StoreUnavailableException.class)
                        .satisfies(e -> assertThat(messages(e)).doesNotContain(id.hex()));
            }
        }
    }

    /** A backup created under {@code id} with a 100-byte envelope; its owner's credential. */
    Credential created(BackupId id) {
        Credential owner = Fixtures.newCredential();
        assertThat(store.create(id, owner.verifier(), Fixtures.bytes(100))).isEqualTo(new Written(1));
        return owner;
    }

    static void assertFound(Object read, long version, LocalDate written, byte[] envelope) {
        assertThat(read).isInstanceOfSatisfying(Found.class, found -> {
            assertThat(found.version()).isEqualTo(version);
            assertThat(found.written()).isEqualTo(written);
            assertThat(found.envelope()).isEqualTo(envelope);
        });
    }

    /** Runs both calls at once (released together by a barrier) and answers their outcomes in order. */
    private static List<Object> race(Supplier<Object> left, Supplier<Object> right) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CyclicBarrier start = new CyclicBarrier(2);
            Future<Object> first = threads.submit(() -> {
                start.await();
                return left.get();
            });
            Future<Object> second = threads.submit(() -> {
                start.await();
                return right.get();
            });
            return List.of(first.get(), second.get());
        } finally {
            threads.shutdownNow();
        }
    }

    /** Every message in the cause chain, for checks that none quotes an id. */
    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            all.append(cause).append('\n');
        }
        return all.toString();
    }
}
