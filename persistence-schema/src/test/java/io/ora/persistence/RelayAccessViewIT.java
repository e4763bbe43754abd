package io.ora.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * V5: the {@code relay_access} view answers who may reach which hub for every project status, and the triggers
 * announce exactly the hubs and users whose access may have changed, at commit and only at commit.
 */
class RelayAccessViewIT {

    static HikariDataSource pool;
    static PortalRows portal;

    @BeforeAll
    static void open() {
        pool = TestDatabase.dataSource();
        portal = new PortalRows(pool);
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    @Test
    void installersHaveFullAccessBeforeHandoverAndTheHandoverFlowWhilePending() throws SQLException {
        UUID organisation = portal.organisation();
        UUID installer = portal.member(organisation);
        UUID stranger = portal.member(portal.organisation());
        UUID project = portal.project(organisation, "DRAFT");
        UUID hub = portal.hub(project);

        assertThat(scopes(installer, hub)).containsExactly("FULL");
        assertThat(scopes(stranger, hub)).isEmpty();
        portal.status(project, "COMMISSIONING");
        assertThat(scopes(installer, hub)).containsExactly("FULL");
        portal.status(project, "PENDING_HANDOVER");
        assertThat(scopes(installer, hub)).containsExactly("HANDOVER");
        portal.status(project, "COMMISSIONING");
        assertThat(scopes(installer, hub)).containsExactly("FULL");
        portal.status(project, "ARCHIVED");
        assertThat(scopes(installer, hub)).isEmpty();
    }

    @Test
    void theHomeownerHasFullAccessOnceHandedOverAndKeepsItWhenArchived() throws SQLException {
        UUID organisation = portal.organisation();
        UUID installer = portal.member(organisation);
        UUID homeowner = portal.user();
        UUID project = portal.project(organisation, "PENDING_HANDOVER");
        UUID hub = portal.hub(project);

        portal.claim(project, homeowner);
        assertThat(scopes(homeowner, hub)).as("claimed, not yet handed over").isEmpty();
        portal.handOver(project, homeowner);
        assertThat(scopes(homeowner, hub)).containsExactly("FULL");
        assertThat(scopes(installer, hub)).isEmpty();
        portal.status(project, "ARCHIVED");
        assertThat(scopes(homeowner, hub)).containsExactly("FULL");
        assertThat(scopes(installer, hub)).isEmpty();
    }

    @Test
    void aHandoverThatIsCancelledAfterTheClaimGivesTheClaimantNothing() throws SQLException {
        UUID organisation = portal.organisation();
        UUID installer = portal.member(organisation);
        UUID homeowner = portal.user();
        UUID project = portal.project(organisation, "PENDING_HANDOVER");
        UUID hub = portal.hub(project);
        portal.claim(project, homeowner);

        portal.status(project, "COMMISSIONING");

        assertThat(scopes(homeowner, hub)).isEmpty();
        assertThat(scopes(installer, hub)).containsExactly("FULL");
    }

    @Test
    void accessChangesAreAnnouncedPerHubAndPerUser() throws SQLException {
        UUID organisation = portal.organisation();
        UUID installer = portal.member(organisation);
        UUID project = portal.project(organisation, "COMMISSIONING");
        UUID first = portal.hub(project);
        UUID second = portal.hub(project);
        UUID third = UUID.randomUUID();
        UUID[] ours = {installer, first, second, third};
        try (Connection listener = listener()) {

            portal.status(project, "PENDING_HANDOVER");
            assertThat(announced(listener, ours)).containsExactlyInAnyOrder("hub:" + first, "hub:" + second);

            // A claim gives no relay access (only the completed handover does), so there is nothing to announce.
            portal.claim(project, portal.user());
            assertThat(announced(listener, ours)).isEmpty();

            portal.removeMember(organisation, installer);
            assertThat(announced(listener, ours)).containsExactly("user:" + installer);

            portal.addMember(organisation, installer);
            assertThat(announced(listener, ours)).containsExactly("user:" + installer);

            portal.removeHub(second);
            assertThat(announced(listener, ours)).containsExactly("hub:" + second);

            portal.addHub(project, third);
            assertThat(announced(listener, ours)).containsExactly("hub:" + third);

            portal.execute("DELETE FROM project WHERE id = ?", project);
            assertThat(announced(listener, ours)).containsExactlyInAnyOrder("hub:" + first, "hub:" + third);
        }
    }

    @Test
    void changesThatCannotChangeAccessAndRolledBackChangesAreNotAnnounced() throws SQLException {
        UUID organisation = portal.organisation();
        UUID project = portal.project(organisation, "COMMISSIONING");
        UUID hub = portal.hub(project);
        try (Connection listener = listener()) {

            portal.execute("UPDATE project SET notes = 'gate code 1234', hubs_locked = true, version = version + 1 "
                    + "WHERE id = ?", project);
            assertThat(announced(listener, hub)).isEmpty();

            try (Connection writer = pool.getConnection()) {
                writer.setAutoCommit(false);
                try (PreparedStatement update = writer.prepareStatement(
                        "UPDATE project SET status = 'PENDING_HANDOVER' WHERE id = ?")) {
                    update.setObject(1, project);
                    update.executeUpdate();
                }
                writer.rollback();
                writer.setAutoCommit(true);
            }
            assertThat(announced(listener, hub)).isEmpty();

            portal.status(project, "PENDING_HANDOVER");
            assertThat(announced(listener, hub)).containsExactly("hub:" + hub);
        }
    }

    private static List<String> scopes(UUID user, UUID hub) throws SQLException {
        List<String> scopes = new ArrayList<>();
        try (Connection c = pool.getConnection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT scope FROM relay_access WHERE app_user_id = ? AND hub_id = ?")) {
            select.setObject(1, user);
            select.setObject(2, hub);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    scopes.add(rows.getString(1));
                }
            }
        }
        return scopes;
    }

    /** A connection of its own (not the pool's: LISTEN would outlive the test on a pooled one), listening. */
    private static Connection listener() throws SQLException {
        Database.Connection db = TestDatabase.connection();
        Connection listener = DriverManager.getConnection(db.url(), db.user(), db.password());
        try (Statement statement = listener.createStatement()) {
            statement.execute("LISTEN relay_access");
        }
        return listener;
    }

    /**
     * Everything announced since the last call that names one of {@code ids}. A marker is announced after the
     * changes, by a later transaction, and notifications arrive in commit order, so everything before the marker is
     * everything the changes announced. Only this test's ids count: they are fresh, so no other test announces them.
     */
    private static List<String> announced(Connection listener, UUID... ids) throws SQLException {
        String marker = "marker:" + UUID.randomUUID();
        try (Connection c = pool.getConnection();
             PreparedStatement notify = c.prepareStatement("SELECT pg_notify('relay_access', ?)")) {
            notify.setString(1, marker);
            notify.execute();
        }
        List<String> watched = Arrays.stream(ids).map(UUID::toString).toList();
        List<String> payloads = new ArrayList<>();
        PGConnection postgres = listener.unwrap(PGConnection.class);
        while (true) {
            PGNotification[] batch = postgres.getNotifications(10_000);
            assertThat(batch).as("the marker arrives").isNotNull();
            for (PGNotification notification : batch) {
                String payload = notification.getParameter();
                if (payload.equals(marker)) {
                    return payloads;
                }
                if (watched.contains(payload.substring(payload.indexOf(':') + 1))) {
                    payloads.add(payload);
                }
            }
        }
    }
}
