package io.ora.ingest;

import static io.ora.ingest.IngestHarness.PSEUDONYM;
import static io.ora.ingest.IngestHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.ora.core.metrics.Metrics;
import io.ora.core.telemetry.TelemetryIntake.Receipt;
import io.ora.ingest.store.Partitions;
import io.ora.persistence.CapturedLogs;
import io.ora.persistence.StoredText;
import io.ora.persistence.TestDatabase;
import io.ora.persistence.telemetry.TelemetryTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The pipeline against the real PostgreSQL: clean payloads land under the pseudonym, only after the commit; denied,
 * malformed and oversized ones leave no row and no log line, and are counted by reason; many hubs at once are
 * batched and every payload is answered; retention drops what is old and nothing else.
 */
class IngestPipelineIT {

    static ActorSystem<Void> system;
    static HikariDataSource pool;
    private final Metrics metrics = new Metrics();
    private final List<UUID> hubs = new ArrayList<>();
    private Ingest ingest;

    @BeforeAll
    static void start() {
        system = IngestHarness.system("ingest-pipeline-test");
        pool = TestDatabase.dataSource();
    }

    @AfterAll
    static void stop() {
        system.terminate();
        pool.close();
    }

    @AfterEach
    void cleanUp() throws SQLException {
        if (ingest != null) {
            ingest.close();
        }
        IngestHarness.erase(pool, hubs.toArray(UUID[]::new));
    }

    private Ingest ingest(IngestSettings settings) throws SQLException {
        ingest = Ingest.start(system, settings, pool, PSEUDONYM, metrics, Clock.systemUTC());
        return ingest;
    }

    private UUID hub() {
        UUID hub = UUID.randomUUID();
        hubs.add(hub);
        return hub;
    }

    @Test
    void aCleanPayloadIsStoredUnderThePseudonymWithOnlyTheAllowListedValues() throws Exception {
        ingest(IngestHarness.settings(64, 100, Duration.ofMillis(20), 2));
        UUID hub = hub();
        long ts = Instant.parse("2026-11-27T10:15:30Z").toEpochMilli();
        Receipt receipt = ingest.submit(hub, json("{\"ts\":" + ts + ",\"fw\":\"4.2.0-rc1\",\"cpu\":12.5,"
                + "\"memory\":{\"free\":1},\"ram\":40,\"rssi\":-61,\"room\":\"Nursery-Kowalski\"}"))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(receipt).isEqualTo(Receipt.STORED);
        try (Connection connection = pool.getConnection()) {
            TelemetryTable.Health health = TelemetryTable.health(connection, PSEUDONYM.of(hub),
                    Instant.now().minusSeconds(600)).orElseThrow();
            assertThat(health.samples()).isEqualTo(1);
            assertThat(health.firmware()).contains("4.2.0-rc1");
            assertThat(health.cpu()).contains(new TelemetryTable.Stats(1, 12.5, 12.5, 12.5));
            assertThat(health.ram()).contains(new TelemetryTable.Stats(1, 40, 40, 40));
            assertThat(health.rssi()).contains(new TelemetryTable.Stats(1, -61, -61, -61));
            assertThat(IngestHarness.sampledMillis(pool, hub)).containsExactly(ts);
            assertThat(StoredText.everything(connection)).doesNotContain("Nursery-Kowalski", hub.toString());
        }
        assertThat(metrics.value("ora_ingest_samples_stored_total")).isEqualTo(1);
        assertThat(metrics.value("ora_ingest_payloads_total", "outcome", "stored")).isEqualTo(1);
    }

    @Test
    void deniedMalformedAndOversizedPayloadsLeaveNoRowNoLogLineAndAreCountedByReason() throws Exception {
        String marker = "MARKER-7f3a-Living-Room";
        try (CapturedLogs logs = new CapturedLogs()) {
            ingest(IngestHarness.settings(64, 100, Duration.ofMillis(20), 2));
            UUID hub = hub();
            List<String> denied = List.of(
                    "{\"cpu\":10,\"camera\":\"" + marker + "\"}",
                    "{\"cpu\":10,\"Camera_Status\":\"" + marker + "\"}",
                    "[{\"cpu\":10},{\"ram\":20,\"zones\":[{\"occupancy-state\":\"" + marker + "\"}]}]",
                    "{\"cpu\":10,\"devices\":{\"front\":{\"contact_sensor_open\":\"" + marker + "\"}}}",
                    "{\"cpu\":10,\"microphoneLevel\":\"" + marker + "\"}");
            for (String payload : denied) {
                assertThat(receipt(hub, json(payload))).isEqualTo(Receipt.REJECTED);
            }
            assertThat(receipt(hub, json("{\"cpu\":10,\"note\":\"" + marker))).isEqualTo(Receipt.REJECTED);
            assertThat(receipt(hub, json("{\"temperature\":21,\"note\":\"" + marker + "\"}")))
                    .isEqualTo(Receipt.REJECTED);
            byte[] huge = json("{\"cpu\":10,\"note\":\"" + marker + "x".repeat(70_000) + "\"}");
            assertThat(receipt(hub, huge)).isEqualTo(Receipt.REJECTED);

            assertThat(IngestHarness.cpuValues(pool, hub)).isEmpty();
            assertThat(metrics.value("ora_ingest_payloads_dropped_total", "reason", "privacy")).isEqualTo(5);
            assertThat(metrics.value("ora_ingest_payloads_dropped_total", "reason", "malformed")).isEqualTo(1);
            assertThat(metrics.value("ora_ingest_payloads_dropped_total", "reason", "no_metrics")).isEqualTo(1);
            assertThat(metrics.value("ora_ingest_payloads_dropped_total", "reason", "too_large")).isEqualTo(1);
            assertThat(metrics.value("ora_ingest_payloads_total", "outcome", "rejected")).isEqualTo(8);
            try (Connection connection = pool.getConnection()) {
                assertThat(StoredText.everything(connection)).doesNotContain(marker);
            }
            // Debug level included, so a payload logged at any level would be caught.
            LoggerFactory.getLogger(Ingest.class).debug("capture works");
            assertThat(logs.texts()).anyMatch(text -> text.startsWith("capture works"))
                    .noneMatch(text -> text.contains(marker));
        }
    }

    @Test
    void manyHubsAtOnceAreBatchedAndEveryPayloadIsAnswered() throws Exception {
        ingest(IngestHarness.settings(4096, 500, Duration.ofMillis(20), 2));
        int hubCount = 40;
        int perHub = 50;
        List<UUID> sending = new ArrayList<>();
        for (int i = 0; i < hubCount; i++) {
            sending.add(hub());
        }
        List<CompletableFuture<Receipt>> receipts = new ArrayList<>();
        for (int n = 0; n < perHub; n++) {
            for (UUID hub : sending) {
                receipts.add(ingest.submit(hub, json("[{\"cpu\":" + n + "},{\"ram\":" + n + "},{\"rssi\":-" + n + "}]"))
                        .toCompletableFuture());
            }
        }
        CompletableFuture.allOf(receipts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        assertThat(receipts).allSatisfy(receipt -> assertThat(receipt.join()).isEqualTo(Receipt.STORED));
        for (UUID hub : sending) {
            try (Connection connection = pool.getConnection()) {
                TelemetryTable.Health health = TelemetryTable.health(connection, PSEUDONYM.of(hub),
                        Instant.now().minusSeconds(600)).orElseThrow();
                assertThat(health.samples()).isEqualTo(3L * perHub);
                assertThat(health.cpu()).contains(new TelemetryTable.Stats(perHub, 0, (perHub - 1) / 2.0,
                        perHub - 1));
            }
        }
        long batches = metrics.value("ora_ingest_batches_total");
        assertThat(batches).isPositive().isLessThan(hubCount * perHub / 10);
        assertThat(metrics.value("ora_ingest_samples_stored_total")).isEqualTo(3L * hubCount * perHub);
    }

    @Test
    void afterCloseNothingIsTakenAndWhatWasTakenIsStored() throws Exception {
        ingest(IngestHarness.settings(64, 100, Duration.ofMillis(20), 2));
        UUID hub = hub();
        List<CompletionStage<Receipt>> taken = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            taken.add(ingest.submit(hub, json("{\"cpu\":" + i + "}")));
        }
        ingest.close(Duration.ofSeconds(10));

        assertThat(taken).allSatisfy(receipt ->
                assertThat(receipt.toCompletableFuture().getNow(null)).isEqualTo(Receipt.STORED));
        assertThat(IngestHarness.cpuValues(pool, hub)).hasSize(20);
        assertThat(receipt(hub, json("{\"cpu\":1}"))).isEqualTo(Receipt.UNAVAILABLE);
    }

    @Test
    void retentionDropsThePartitionsOlderThanTheRetentionAndKeepsTheRest() throws Exception {
        LocalDate today = LocalDate.of(2002, 6, 15);
        Clock clock = Clock.fixed(today.atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
        Partitions partitions = new Partitions(pool, clock, 2, Duration.ofDays(30));
        UUID hub = hub();
        try (Connection connection = pool.getConnection()) {
            assertThat(partitions.ensure()).isEqualTo(4);
            TelemetryTable.ensurePartitions(connection, today.minusDays(40), 12);
            for (int daysAgo : new int[] {40, 31, 30, 29, 0}) {
                Instant at = today.minusDays(daysAgo).atTime(6, 0).toInstant(ZoneOffset.UTC);
                TelemetryTable.insert(connection, List.of(new TelemetryTable.Row(PSEUDONYM.of(hub), at, null, null,
                        (float) daysAgo, null, null)));
            }

            // Cutoff 2002-05-16T12:00Z: the day 31 days ago ended before it, the day 30 days ago straddles it.
            List<String> dropped = partitions.expire();

            assertThat(dropped).contains("telemetry_sample_20020506", "telemetry_sample_20020515")
                    .doesNotContain("telemetry_sample_20020516", "telemetry_sample_20020615");
            assertThat(IngestHarness.cpuValues(pool, hub)).containsExactlyInAnyOrder(30.0, 29.0, 0.0);
            assertThat(TelemetryTable.partitions(connection)).contains("telemetry_sample_20020516",
                    "telemetry_sample_20020614", "telemetry_sample_20020617");
        } finally {
            try (Connection connection = pool.getConnection()) {
                TelemetryTable.dropPartitionsBefore(connection, today.plusDays(5).atStartOfDay(ZoneOffset.UTC)
                        .toInstant());
            }
        }
    }

    @Test
    void theRunningPipelineEnforcesRetentionOnItsOwnSchedule() throws Exception {
        // A clock in the past, so the cutoff (2002-05-16) is far behind every partition other tests use.
        LocalDate today = LocalDate.of(2002, 6, 15);
        Clock clock = Clock.fixed(today.atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
        IngestSettings defaults = IngestHarness.settings(64, 100, Duration.ofMillis(20), 1);
        IngestSettings settings = new IngestSettings(defaults.limits(), 64, 100, Duration.ofMillis(20), 1,
                defaults.minBackoff(), defaults.maxBackoff(), Duration.ofDays(30), Duration.ofMillis(200), 2);
        try (Connection connection = pool.getConnection()) {
            TelemetryTable.ensurePartitions(connection, LocalDate.of(2002, 5, 1), 1);
        }
        try {
            ingest = Ingest.start(system, settings, pool, PSEUDONYM, metrics, clock);
            try (Connection connection = pool.getConnection()) {
                // Made at start: yesterday, today and the days ahead of the pipeline's clock.
                assertThat(TelemetryTable.partitions(connection)).contains("telemetry_sample_20020614",
                        "telemetry_sample_20020615", "telemetry_sample_20020617");
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                try (Connection connection = pool.getConnection()) {
                    assertThat(TelemetryTable.partitions(connection)).doesNotContain("telemetry_sample_20020501")
                            .contains("telemetry_sample_20020615");
                }
            });
        } finally {
            try (Connection connection = pool.getConnection()) {
                TelemetryTable.dropPartitionsBefore(connection, today.plusDays(5).atStartOfDay(ZoneOffset.UTC)
                        .toInstant());
            }
        }
    }

    private Receipt receipt(UUID hub, byte[] payload) throws Exception {
        return ingest.submit(hub, payload).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
