package io.ora.portal.audit;

import io.ora.portal.api.Page;
import io.ora.portal.store.Keyset;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Who did what to which project: an append-only log of ids and action names, never personal data, so it outlives
 * the handover's de-identification untouched. Appends join the transaction of the change they record: a change
 * and its audit row land together or not at all.
 */
public final class AuditLog {

    /** What was done. Names are part of the API (the audit endpoint returns them). */
    public enum Action {
        ORGANISATION_CREATED, MEMBER_ADDED, MEMBER_REMOVED,
        LICENCE_SUBMITTED, LICENCE_REVIEWED,
        TEMPLATE_CREATED, TEMPLATE_REVISED,
        PROJECT_CREATED, PROJECT_UPDATED,
        HUB_REGISTERED, HUB_REMOVED,
        FLOOR_PLAN_UPLOADED, PAIRING_PLAN_SAVED,
        ACCESS_KEY_ISSUED, ACCESS_KEY_REVOKED, ACCESS_KEY_CLAIMED, ACCESS_KEY_EXPIRED, ACCESS_KEY_LOCKED_OUT,
        ACCESS_KEY_USED,
        PROJECT_KEY_UPLOADED, PROJECT_KEY_RELEASED,
        PROJECT_STATUS_CHANGED, PROJECT_DEIDENTIFIED,
        TELEMETRY_ERASED,
        OTA_ROOT_UPLOADED, OTA_RELEASE_REGISTERED, OTA_ARTIFACT_UPLOADED,
        OTA_ROLLOUT_CREATED, OTA_ROLLOUT_PAUSED, OTA_ROLLOUT_AUTO_PAUSED, OTA_ROLLOUT_RESUMED, OTA_ROLLOUT_ABORTED,
        OTA_ROLLOUT_ADVANCED
    }

    /** The actor of what the portal does by itself (an AccessKey expiring). */
    public static final UUID SYSTEM = new UUID(0, 0);

    /**
     * One audit row.
     *
     * @param id             the row's id
     * @param at             when
     * @param organisationId the organisation concerned, if any
     * @param projectId      the project concerned, if any
     * @param actorUserId    who (portal user id)
     * @param action         what
     * @param targetId       the id of the thing acted on (a hub, member, template …), if not the project itself
     */
    public record Event(UUID id, Instant at, UUID organisationId, UUID projectId, UUID actorUserId, Action action,
                        String targetId) {
    }

    private AuditLog() {
    }

    /** Appends within the caller's transaction. */
    public static void append(Connection connection, UUID organisationId, UUID projectId, UUID actorUserId,
                              Action action, String targetId) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO audit_event "
                + "(id, organisation_id, project_id, actor_user_id, action, target_id) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setObject(1, UUID.randomUUID());
            insert.setObject(2, organisationId);
            insert.setObject(3, projectId);
            insert.setObject(4, actorUserId);
            insert.setString(5, action.name());
            insert.setString(6, targetId);
            insert.executeUpdate();
        }
    }

    /** Operators' OTA actions (they belong to no organisation), oldest first, one keyset page. */
    public static List<Event> otaPage(Connection connection, Page.Request request) throws SQLException {
        return Keyset.rows(connection, "SELECT id, at, organisation_id, project_id, actor_user_id, action, target_id "
                + "FROM audit_event WHERE organisation_id IS NULL AND action LIKE 'OTA\\_%'",
                "at", "id", Keyset.Parameters.of(),
                request, row -> new Event(row.getObject(1, UUID.class), row.getTimestamp(2).toInstant(),
                        row.getObject(3, UUID.class), row.getObject(4, UUID.class), row.getObject(5, UUID.class),
                        Action.valueOf(row.getString(6)), row.getString(7)));
    }

    /** An organisation's events, oldest first, one keyset page (fetches one extra row to know if more exist). */
    public static List<Event> page(Connection connection, UUID organisationId, Page.Request request)
            throws SQLException {
        return Keyset.rows(connection, "SELECT id, at, organisation_id, project_id, actor_user_id, action, target_id "
                + "FROM audit_event WHERE organisation_id = ?", "at", "id", Keyset.Parameters.of(organisationId),
                request, row -> new Event(row.getObject(1, UUID.class), row.getTimestamp(2).toInstant(),
                        row.getObject(3, UUID.class), row.getObject(4, UUID.class), row.getObject(5, UUID.class),
                        Action.valueOf(row.getString(6)), row.getString(7)));
    }
}
