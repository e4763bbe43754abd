package io.ora.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Rows in the portal's tables (V3, V4) written with plain SQL, for tests of modules that read them without depending
 * on portal-http, such as the relay's {@code relay_access} view. Each call is its own transaction, as the portal's
 * changes are, so its notifications are delivered when it returns. Every id is fresh, so tests sharing one database
 * never see each other's rows.
 */
public final class PortalRows {

    private final DataSource dataSource;

    public PortalRows(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A new portal user (an installer or a homeowner: the portal tells them apart by token roles, not rows). */
    public UUID user() {
        UUID id = UUID.randomUUID();
        execute("INSERT INTO portal_user (id, subject) VALUES (?, ?)", id, "subject-" + id);
        return id;
    }

    /** A new organisation with a new owner; returns the organisation's id. */
    public UUID organisation() {
        UUID id = UUID.randomUUID();
        execute("INSERT INTO organisation (id, name) VALUES (?, 'Sparks & Co')", id);
        execute("INSERT INTO organisation_member (organisation_id, user_id, member_role) VALUES (?, ?, 'OWNER')",
                id, user());
        return id;
    }

    /** A new user who is a member of {@code organisation}. */
    public UUID member(UUID organisation) {
        UUID user = user();
        addMember(organisation, user);
        return user;
    }

    public void addMember(UUID organisation, UUID user) {
        execute("INSERT INTO organisation_member (organisation_id, user_id, member_role) VALUES (?, ?, 'MEMBER')",
                organisation, user);
    }

    public void removeMember(UUID organisation, UUID user) {
        execute("DELETE FROM organisation_member WHERE organisation_id = ? AND user_id = ?", organisation, user);
    }

    /** A new project of {@code organisation} (with a template of its own) in {@code status}. */
    public UUID project(UUID organisation, String status) {
        UUID creator = user();
        UUID template = UUID.randomUUID();
        execute("INSERT INTO project_template (id, organisation_id) VALUES (?, ?)", template, organisation);
        execute("INSERT INTO project_template_version (template_id, version, name, content, created_by) "
                + "VALUES (?, 1, 'Template', '{}'::jsonb, ?)", template, creator);
        UUID project = UUID.randomUUID();
        execute("INSERT INTO project (id, organisation_id, template_id, template_version, status, created_by) "
                + "VALUES (?, ?, ?, 1, ?, ?)", project, organisation, template, status, creator);
        return project;
    }

    /** Moves a project to {@code status}, as the portal's state machine does (one UPDATE). */
    public void status(UUID project, String status) {
        execute("UPDATE project SET status = ?, version = version + 1, updated_at = now() WHERE id = ?",
                status, project);
    }

    /**
     * What claiming the AccessKey does: the project's current key becomes claimed by {@code homeowner} (V7). The
     * project row itself does not change until the handover completes.
     */
    public void claim(UUID project, UUID homeowner) {
        execute("INSERT INTO access_key (id, project_id, key_id, verifier, state, created_by, expires_at, claimed_by, "
                + "claimed_at) VALUES (?, ?, '00000', '\\x00'::bytea, 'CLAIMED', ?, now() + interval '1 hour', ?, "
                + "now())", UUID.randomUUID(), project, user(), homeowner);
    }

    /** What completing the handover does, in one transaction: the claim (if not yet made) and HANDED_OVER. */
    public void handOver(UUID project, UUID homeowner) {
        execute("UPDATE project SET homeowner_user_id = ?, handed_over_at = now(), status = 'HANDED_OVER', "
                + "version = version + 1, updated_at = now() WHERE id = ?", homeowner, project);
    }

    /** Registers {@code hub} to {@code project}. */
    public void addHub(UUID project, UUID hub) {
        execute("INSERT INTO project_hub (hub_id, project_id, certificate_fingerprint, registered_by) "
                + "VALUES (?, ?, ?, ?)", hub, project, "ab".repeat(32), user());
    }

    /** A new hub registered to {@code project}. */
    public UUID hub(UUID project) {
        UUID hub = UUID.randomUUID();
        addHub(project, hub);
        return hub;
    }

    public void removeHub(UUID hub) {
        execute("DELETE FROM project_hub WHERE hub_id = ?", hub);
    }

    /** Runs one statement in a transaction of its own. */
    public void execute(String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("portal fixture statement failed: " + sql, e);
        }
    }
}
