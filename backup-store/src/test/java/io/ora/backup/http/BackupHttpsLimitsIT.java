package io.ora.backup.http;

import static io.ora.backup.http.TestBackupHttps.envelope;
import static io.ora.backup.http.TestBackupHttps.newKeys;
import static org.assertj.core.api.Assertions.assertThat;

import io.ora.backup.store.PostgresBackend;
import io.ora.persistence.Database;
import io.ora.persistence.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The per-hub rate (429) and a store that cannot be reached (503): each refused with its problem and Retry-After. */
class BackupHttpsLimitsIT {

    /** One request per 20 s after a burst of 3, so no refill happens during the test however slow the machine. */
    @Nested
    class RateLimit {

        @RegisterExtension
        static final TestBackupHttps BACKUP = new TestBackupHttps(Map.of(
                "ora.backup.rate-limit.per-second", 0.05, "ora.backup.rate-limit.burst", 3));

        @Test
        void aHubOverItsRateGets429WithRetryAfterBeforeAnyCheckAndOtherHubsAreUnaffected() throws IOException {
            HttpClient busy = BACKUP.client(BACKUP.hub());
            TestBackupHttps.Keys keys = newKeys();
            assertThat(BACKUP.put(busy, keys, envelope(64)).statusCode()).isEqualTo(201);
            assertThat(BACKUP.get(busy, keys, "").statusCode()).isEqualTo(200);
            assertThat(BACKUP.get(busy, newKeys(), "").statusCode()).isEqualTo(404);

            HttpResponse<byte[]> limited = BACKUP.put(busy, newKeys(), envelope(64));
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("20");
            assertThat(new String(limited.body(), StandardCharsets.UTF_8))
                    .contains("https://ora.io/problems/rate-limited");

            // The rate is the certificate's, not the backup's: another hub reads the same backup.
            assertThat(BACKUP.get(BACKUP.client(BACKUP.hub()), keys, "").statusCode()).isEqualTo(200);
        }
    }

    /** A PostgreSQL store on a port where nothing listens: every store call fails as the database being away. */
    @Nested
    class StoreAway {

        @RegisterExtension
        static final TestBackupHttps BACKUP = new TestBackupHttps(Map.of("ora.backup.unavailable-retry-after", "7s"),
                config -> PostgresBackend.unreachableStore(Clock.systemUTC()));

        @Test
        void everyOperationIs503WithRetryAfterAndSaysNothingWasStored() throws IOException {
            HttpClient hub = BACKUP.client(BACKUP.hub());
            TestBackupHttps.Keys keys = newKeys();
            for (HttpResponse<byte[]> answer : List.of(BACKUP.put(hub, keys, envelope(64)),
                    BACKUP.put(hub, keys, envelope(64), "If-Match", "\"1\""), BACKUP.get(hub, keys, ""),
                    BACKUP.versions(hub, keys), BACKUP.delete(hub, keys))) {
                assertThat(answer.statusCode()).isEqualTo(503);
                assertThat(answer.headers().firstValue("Retry-After")).hasValue("7");
                assertThat(new String(answer.body(), StandardCharsets.UTF_8))
                        .contains("https://ora.io/problems/backup-unavailable").doesNotContain(keys.locator());
            }
            assertThat(BACKUP.backupMetric("ora_backup_requests_total", "outcome", "unavailable")).isEqualTo(5);
        }
    }

    /**
     * One permit: while a request holds it (its store call waits on a table lock a test transaction holds), the next
     * is 503 at once, unread; once the lock goes, the first completes and the permit is free again.
     */
    @Nested
    class Busy {

        @RegisterExtension
        static final TestBackupHttps BACKUP = new TestBackupHttps(Map.of("ora.backup.max-in-flight", 1,
                "ora.backup.unavailable-retry-after", "3s"));

        @Test
        void aNodeAtItsLimitAnswers503AtOnceAndServesAgainWhenAPermitIsFree() throws Exception {
            HttpClient hub = BACKUP.client(BACKUP.hub());
            TestBackupHttps.Keys first = newKeys();
            TestBackupHttps.Keys second = newKeys();
            Database.Connection db = TestDatabase.connection();
            CompletableFuture<HttpResponse<byte[]>> waiting;
            try (Connection lock = DriverManager.getConnection(db.url(), db.user(), db.password())) {
                lock.setAutoCommit(false);
                try (Statement statement = lock.createStatement()) {
                    statement.execute("LOCK TABLE backup IN ACCESS EXCLUSIVE MODE");
                }
                waiting = CompletableFuture.supplyAsync(() -> {
                    try {
                        return BACKUP.put(hub, first, envelope(64));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> BACKUP.backupMetric("ora_backup_in_flight", "", "") == 1);

                HttpResponse<byte[]> busy = BACKUP.put(BACKUP.client(BACKUP.hub()), second, envelope(64));
                assertThat(busy.statusCode()).isEqualTo(503);
                assertThat(busy.headers().firstValue("Retry-After")).hasValue("3");
                assertThat(new String(busy.body(), StandardCharsets.UTF_8))
                        .contains("https://ora.io/problems/backup-unavailable");
                assertThat(waiting).isNotDone();
                lock.rollback();
            }
            assertThat(waiting.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> BACKUP.backupMetric("ora_backup_in_flight", "", "") == 0);
            assertThat(BACKUP.put(hub, second, envelope(64)).statusCode()).isEqualTo(201);
            assertThat(BACKUP.backupMetric("ora_backup_requests_total", "outcome", "busy")).isEqualTo(1);
        }
    }
}
