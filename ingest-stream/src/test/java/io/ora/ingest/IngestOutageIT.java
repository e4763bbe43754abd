package io.ora.ingest;

import static io.ora.ingest.IngestHarness.PSEUDONYM;
import static io.ora.ingest.IngestHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.ora.core.metrics.Metrics;
import io.ora.core.telemetry.TelemetryIntake.Receipt;
import io.ora.persistence.StoppablePostgres;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped mid-stream: the pipeline stops acknowledging, holds no more than its bounds, refuses what it
 * cannot hold as unavailable, and once the database is back stores everything it took — every acknowledged sample
 * is in the table, and nothing is acknowledged that is not.
 */
class IngestOutageIT {

    private static final int QUEUE = 64;
    private static final int BATCH = 50;
    private static final int WRITERS = 2;

    @Test
    void aDatabaseOutageBacksOffHoldsBoundedWorkAndLosesNothingAcknowledged() throws Exception {
        ActorSystem<Void> system = IngestHarness.system("ingest-outage-test");
        Metrics metrics = new Metrics();
        UUID hub = UUID.randomUUID();
        long firstTs = 1_764_230_400_000L;
        try (StoppablePostgres postgres = StoppablePostgres.start(); HikariDataSource pool = postgres.pool(4)) {
            Ingest ingest = Ingest.start(system, IngestHarness.settings(QUEUE, BATCH, Duration.ofMillis(20), WRITERS),
                    pool, PSEUDONYM, metrics, Clock.systemUTC());
            List<Long> submitted = new ArrayList<>();
            List<CompletableFuture<Receipt>> receipts = new ArrayList<>();
            // In rounds smaller than the queue, so none is refused for want of room.
            for (int i = 0; i < 100; i++) {
                submitted.add(firstTs + i);
                receipts.add(ingest.submit(hub, sample(firstTs + i)).toCompletableFuture());
                if (i % 20 == 19) {
                    CompletableFuture.allOf(receipts.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                }
            }
            assertThat(receipts).allSatisfy(r -> assertThat(r.join()).isEqualTo(Receipt.STORED));

            postgres.stop();
            // Keep offering until the pipeline says it cannot take more: the writers are stuck retrying, the queue
            // in front of them fills, and from then on payloads are refused instead of held.
            long next = firstTs + 100;
            CompletableFuture<Receipt> last;
            do {
                submitted.add(next);
                last = ingest.submit(hub, sample(next++)).toCompletableFuture();
                receipts.add(last);
                assertThat(ingest.queued()).isLessThanOrEqualTo(QUEUE);
                assertThat(next - firstTs).as("offers before the pipeline pushed back").isLessThan(10_000);
            } while (!last.isDone());
            assertThat(last.join()).isEqualTo(Receipt.UNAVAILABLE);
            long heldWhileDown = receipts.stream().filter(r -> !r.isDone()).count();
            assertThat(heldWhileDown).isPositive().isLessThanOrEqualTo(QUEUE + (WRITERS + 1L) * BATCH);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> metrics.value("ora_ingest_write_retries_total") >= 2);
            assertThat(receipts.stream().filter(r -> r.isDone() && r.join() == Receipt.STORED).count())
                    .as("nothing is acknowledged while the database is down").isEqualTo(100);

            postgres.restart();
            CompletableFuture.allOf(receipts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            Set<Long> acknowledged = new HashSet<>();
            for (int i = 0; i < receipts.size(); i++) {
                Receipt receipt = receipts.get(i).join();
                assertThat(receipt).isIn(Receipt.STORED, Receipt.UNAVAILABLE);
                if (receipt == Receipt.STORED) {
                    acknowledged.add(submitted.get(i));
                }
            }
            assertThat(acknowledged).hasSize(100 + (int) heldWhileDown);
            List<Long> stored = IngestHarness.sampledMillis(pool, hub);
            assertThat(new HashSet<>(stored)).isEqualTo(acknowledged);
            assertThat(stored).doesNotHaveDuplicates();

            // And it goes on as before.
            assertThat(ingest.submit(hub, sample(next)).toCompletableFuture().get(30, TimeUnit.SECONDS))
                    .isEqualTo(Receipt.STORED);
            ingest.close();
        } finally {
            system.terminate();
        }
    }

    private static byte[] sample(long ts) {
        return json("{\"ts\":" + ts + ",\"cpu\":" + (ts % 100) + "}");
    }
}
