package io.ora.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import io.ora.backup.store.BackupId;
import io.ora.backup.store.BackupStore;
import io.ora.backup.store.Credential;
import io.ora.backup.store.MutableClock;
import io.ora.backup.store.PostgresBackupStore;
import io.ora.core.backup.BackupEnvelope;
import io.ora.core.metrics.Metrics;
import io.ora.device.https.HubRateLimit;
import io.ora.persistence.TestDatabase;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Base64;
import java.util.OptionalLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The role's retention sweep on the real PostgreSQL store: a backup whose newest version was written exactly
 * {@code retention} days ago is kept, one a day older is deleted with every version, and a write restarts the clock.
 */
class BackupSweepIT {

    private static final Base64.Encoder WIRE = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static ActorSystem<Void> system;
    private static HikariDataSource dataSource;

    @BeforeAll
    static void start() {
        system = ActorSystem.create(Behaviors.empty(), "backup-sweep-test", ConfigFactory.load());
        dataSource = TestDatabase.dataSource();
    }

    @AfterAll
    static void stop() {
        system.terminate();
        dataSource.close();
    }

    @Test
    void theSweepDeletesWhatWasNotWrittenForTheRetentionAndKeepsTheRest() {
        MutableClock clock = new MutableClock(LocalDate.of(2030, 1, 10));
        BackupStore store = new PostgresBackupStore(dataSource, clock);
        BackupSettings settings = new BackupSettings(1 << 20, Duration.ofDays(400), Duration.ofHours(6),
                new HubRateLimit.Settings(1, 1, 1), Duration.ofSeconds(5), 4);
        try (Backup role = Backup.start(system, settings, store, new Metrics(), clock)) {
            // Retention sweeps delete every expired backup in the shared test database; these are the ones we know.
            String[] old = keys();
            String[] rewritten = keys();
            create(store, old);
            create(store, rewritten);

            clock.advanceDays(400);
            role.sweep();
            assertThat(read(store, old)).isInstanceOf(BackupStore.Found.class);
            store.replace(id(rewritten), credential(rewritten), OptionalLong.empty(), envelope());

            clock.advanceDays(1);
            assertThat(role.sweep()).isGreaterThanOrEqualTo(1);
            assertThat(read(store, old)).isInstanceOf(BackupStore.NotFound.class);
            assertThat(store.read(id(old), credential(old), OptionalLong.of(1)))
                    .isInstanceOf(BackupStore.NotFound.class);
            assertThat(read(store, rewritten)).isInstanceOf(BackupStore.Found.class);
            store.delete(id(rewritten), credential(rewritten));
        }
    }

    private static String[] keys() {
        byte[] locator = new byte[32];
        byte[] credential = new byte[32];
        RANDOM.nextBytes(locator);
        RANDOM.nextBytes(credential);
        return new String[] {WIRE.encodeToString(locator), WIRE.encodeToString(credential)};
    }

    private static BackupId id(String[] keys) {
        return BackupId.ofLocator(keys[0]).orElseThrow();
    }

    private static Credential credential(String[] keys) {
        return Credential.parse(keys[1]).orElseThrow();
    }

    private static void create(BackupStore store, String[] keys) {
        assertThat(store.create(id(keys), credential(keys).verifier(), envelope()))
                .isEqualTo(new BackupStore.Written(1));
    }

    private static BackupStore.Read read(BackupStore store, String[] keys) {
        return store.read(id(keys), credential(keys), OptionalLong.empty());
    }

    private static byte[] envelope() {
        byte[] ciphertext = new byte[32];
        RANDOM.nextBytes(ciphertext);
        return BackupEnvelope.of(new byte[BackupEnvelope.SALT_BYTES], new byte[BackupEnvelope.NONCE_BYTES], ciphertext)
                .bytes();
    }
}
