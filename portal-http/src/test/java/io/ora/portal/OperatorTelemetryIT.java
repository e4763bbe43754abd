package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.persistence.telemetry.TelemetryTable;
import io.ora.persistence.telemetry.TelemetryTable.Row;
import io.ora.portal.auth.Role;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Operators read a hub's health and erase its telemetry over real HTTP, on rows written straight into V6's table
 * under the portal's own pseudonyms; de-registering a hub erases its telemetry in the same transaction.
 */
class OperatorTelemetryIT {

    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal();

    static ApiClient api;
    static String operator;

    /** Every hub a test stores telemetry for, erased after it. */
    private final List<UUID> hubs = new ArrayList<>();
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

    @BeforeAll
    static void partitions() throws SQLException {
        api = PORTAL.client();
        operator = PORTAL.token(Role.OPERATOR);
        try (Connection c = PORTAL.dataSource().getConnection()) {
            TelemetryTable.ensurePartitions(c, LocalDate.now(ZoneOffset.UTC).minusDays(1), 3);
        }
    }

    @AfterEach
    void erase() throws SQLException {
        try (Connection c = PORTAL.dataSource().getConnection()) {
            for (UUID hub : hubs) {
                TelemetryTable.erase(c, PORTAL.pseudonym().of(hub));
            }
        }
    }

    @Test
    void healthAggregatesOneHubWithinTheWindow() throws SQLException {
        UUID hub = hub();
        UUID other = hub();
        store(new Row(pseudonym(hub), ago(Duration.ofMinutes(10)), null, "2.0.0", 10f, 40f, -70f),
                new Row(pseudonym(hub), ago(Duration.ofMinutes(5)), ago(Duration.ofMinutes(6)), "2.1.0", 30f, null,
                        -50f),
                new Row(pseudonym(hub), ago(Duration.ofMinutes(1)), null, null, 20f, null, null),
                new Row(pseudonym(hub), ago(Duration.ofHours(2)), null, "1.0.0", 99f, 99f, -1f),
                new Row(pseudonym(other), ago(Duration.ofMinutes(3)), null, "9.9.9", 100f, 100f, -130f));

        ApiClient.Response response = api.get(health(hub) + "?window=PT1H", operator);
        assertThat(response.status()).isEqualTo(200);
        JsonNode health = response.json();
        assertThat(health.get("hubId").asString()).isEqualTo(hub.toString());
        assertThat(health.get("window").asString()).isEqualTo("PT1H");
        assertThat(Instant.parse(health.get("since").asString())).isBetween(now.minus(Duration.ofHours(1)),
                Instant.now().minus(Duration.ofHours(1)));
        assertThat(health.get("samples").asLong()).as("the two-hour-old sample and the other hub's are out")
                .isEqualTo(3);
        assertThat(Instant.parse(health.get("first").asString())).isEqualTo(ago(Duration.ofMinutes(10)));
        assertThat(Instant.parse(health.get("last").asString())).isEqualTo(ago(Duration.ofMinutes(1)));
        assertThat(health.get("firmware").asString()).as("the newest sample that named one").isEqualTo("2.1.0");
        assertStats(health.get("cpu"), 3, 10, 20, 30);
        assertStats(health.get("ram"), 1, 40, 40, 40);
        assertStats(health.get("rssi"), 2, -70, -60, -50);

        JsonNode wholeDay = api.get(health(hub), operator).json();
        assertThat(wholeDay.get("window").asString()).as("the default window").isEqualTo("PT24H");
        assertThat(wholeDay.get("samples").asLong()).isEqualTo(4);
        assertThat(wholeDay.get("firmware").asString()).isEqualTo("2.1.0");
        assertStats(wholeDay.get("ram"), 2, 40, 69.5, 99);
    }

    @Test
    void aHubWithoutSamplesInTheWindowIsAnAnswerNotA404() throws SQLException {
        UUID quiet = hub();
        ApiClient.Response never = api.get(health(quiet), operator);
        assertThat(never.status()).isEqualTo(200);
        assertNoSamples(never.json());

        store(new Row(pseudonym(quiet), ago(Duration.ofMinutes(30)), null, "2.0.0", 5f, null, null));
        assertNoSamples(api.get(health(quiet) + "?window=PT10M", operator).json());
        assertThat(api.get(health(quiet) + "?window=PT1M", operator).status()).as("the shortest window")
                .isEqualTo(200);
        assertThat(api.get(health(quiet) + "?window=P30D", operator).json().get("samples").asLong())
                .as("the longest window, the retention").isEqualTo(1);
    }

    @Test
    void aWindowThatIsNotADurationOrOutOfBoundsIs400() {
        String path = health(UUID.randomUUID());
        for (String window : List.of("PT59S", "P31D", "-PT1H", "PT0S", "P1M", "24h", "soon", "")) {
            ApiClient.Response response = api.get(path + "?window=" + window, operator);
            assertThat(response.status()).as(window).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
        assertThat(api.get(path + "?window=PT1H&window=PT2H", operator).status()).isEqualTo(400);
        assertThat(api.get(path + "?from=2026-01-01", operator).status()).isEqualTo(400);
        assertThat(api.get("/v1/operator/hubs/not-a-uuid/health", operator).status()).isEqualTo(400);
        assertThat(api.delete("/v1/operator/hubs/not-a-uuid/telemetry", operator).status()).isEqualTo(400);
    }

    @Test
    void erasureRemovesOneHubsTelemetryIsIdempotentAndAudited() throws SQLException {
        UUID hub = hub();
        UUID other = hub();
        store(new Row(pseudonym(hub), ago(Duration.ofMinutes(10)), null, null, 10f, null, null),
                new Row(pseudonym(hub), ago(Duration.ofHours(20)), null, null, 20f, null, null),
                new Row(pseudonym(other), ago(Duration.ofMinutes(10)), null, null, 30f, null, null));

        ApiClient.Response erased = api.delete(telemetry(hub), operator);
        assertThat(erased.status()).isEqualTo(200);
        assertThat(erased.json().get("hubId").asString()).isEqualTo(hub.toString());
        assertThat(erased.json().get("erased").asLong()).isEqualTo(2);
        assertThat(count(hub)).isZero();
        assertThat(count(other)).isEqualTo(1);
        assertThat(api.get(health(hub), operator).json().get("samples").asLong()).isZero();

        ApiClient.Response again = api.delete(telemetry(hub), operator);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("erased").asLong()).isZero();
        assertThat(count(other)).isEqualTo(1);

        UUID operatorId = UUID.fromString(api.get("/v1/me", operator).json().get("userId").asString());
        assertThat(erasuresAudited(hub, operatorId)).as("both requests, neither tied to an organisation")
                .isEqualTo(2);
    }

    @Test
    void electriciansAndHomeownersCanNeitherReadNorErase() throws SQLException {
        UUID hub = hub();
        store(new Row(pseudonym(hub), ago(Duration.ofMinutes(10)), null, null, 10f, null, null));
        for (Role role : List.of(Role.ELECTRICIAN, Role.HOMEOWNER)) {
            String token = PORTAL.token(role);
            assertThat(api.get(health(hub), token).status()).as(role.wireName()).isEqualTo(403);
            assertThat(api.delete(telemetry(hub), token).status()).as(role.wireName()).isEqualTo(403);
        }
        assertThat(api.get(health(hub), null).status()).isEqualTo(401);
        assertThat(api.delete(telemetry(hub), null).status()).isEqualTo(401);
        assertThat(count(hub)).isEqualTo(1);
    }

    @Test
    void deRegisteringAHubErasesItsTelemetryAndNoOtherHubs() throws SQLException {
        Installers.Installer installer = Installers.licensed(PORTAL);
        String project = api.post("/v1/projects", installer.token(), Map.of("templateId",
                installer.templateId().toString())).header("Location").orElseThrow();
        UUID removed = hub();
        UUID kept = hub();
        UUID elsewhere = hub();
        for (UUID hub : List.of(removed, kept)) {
            assertThat(api.post(project + "/hubs", installer.token(), Map.of("hubId", hub.toString(),
                    "certificateFingerprint", "c3".repeat(32))).status()).isEqualTo(201);
        }
        store(new Row(pseudonym(removed), ago(Duration.ofMinutes(10)), null, null, 10f, null, null),
                new Row(pseudonym(removed), ago(Duration.ofMinutes(5)), null, null, 11f, null, null),
                new Row(pseudonym(kept), ago(Duration.ofMinutes(5)), null, null, 12f, null, null),
                new Row(pseudonym(elsewhere), ago(Duration.ofMinutes(5)), null, null, 13f, null, null));

        assertThat(api.delete(project + "/hubs/" + removed, installer.token()).status()).isEqualTo(204);
        assertThat(count(removed)).isZero();
        assertThat(count(kept)).isEqualTo(1);

        // A hub that is not in the project is not removed, so its telemetry stays: an electrician cannot erase
        // telemetry of hubs they do not have.
        assertThat(api.delete(project + "/hubs/" + elsewhere, installer.token()).status()).isEqualTo(404);
        assertThat(count(elsewhere)).isEqualTo(1);
    }

    private UUID hub() {
        UUID hub = UUID.randomUUID();
        hubs.add(hub);
        return hub;
    }

    private static byte[] pseudonym(UUID hub) {
        return PORTAL.pseudonym().of(hub);
    }

    private Instant ago(Duration age) {
        return now.minus(age);
    }

    private static String health(UUID hub) {
        return "/v1/operator/hubs/" + hub + "/health";
    }

    private static String telemetry(UUID hub) {
        return "/v1/operator/hubs/" + hub + "/telemetry";
    }

    private static void store(Row... rows) throws SQLException {
        try (Connection c = PORTAL.dataSource().getConnection()) {
            assertThat(TelemetryTable.insert(c, List.of(rows))).isEqualTo(rows.length);
        }
    }

    private static void assertStats(JsonNode stats, long count, double min, double avg, double max) {
        assertThat(stats.get("count").asLong()).isEqualTo(count);
        assertThat(stats.get("min").asDouble()).isEqualTo(min);
        assertThat(stats.get("avg").asDouble()).isEqualTo(avg);
        assertThat(stats.get("max").asDouble()).isEqualTo(max);
    }

    private static void assertNoSamples(JsonNode health) {
        assertThat(health.get("samples").asLong()).isZero();
        for (String field : List.of("first", "last", "firmware", "cpu", "ram", "rssi")) {
            assertThat(health.get(field).isNull()).as(field).isTrue();
        }
    }

    private static long count(UUID hub) throws SQLException {
        return single("SELECT count(*) FROM telemetry_sample WHERE hub = ?", statement ->
                statement.setBytes(1, pseudonym(hub)));
    }

    private static long erasuresAudited(UUID hub, UUID operatorId) throws SQLException {
        return single("SELECT count(*) FROM audit_event WHERE action = 'TELEMETRY_ERASED' AND target_id = ? "
                + "AND actor_user_id = ? AND organisation_id IS NULL AND project_id IS NULL", statement -> {
                    statement.setString(1, hub.toString());
                    statement.setObject(2, operatorId);
                });
    }

    private interface Parameters {
        void set(PreparedStatement statement) throws SQLException;
    }

    private static long single(String sql, Parameters parameters) throws SQLException {
        try (Connection c = PORTAL.dataSource().getConnection(); PreparedStatement select = c.prepareStatement(sql)) {
            parameters.set(select);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
