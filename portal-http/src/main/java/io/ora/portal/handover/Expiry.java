package io.ora.portal.handover;

import io.ora.portal.audit.AuditLog;
import io.ora.portal.projects.Projects;
import io.ora.portal.store.Db;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The AccessKey's lifetime bounds the whole handover: a key past its time is expired, lazily by whichever change
 * meets it first or by the sweeper, and a pending handover goes back to commissioning.
 */
record Expiry(Db db, HubLockSync locks) {

    /**
     * Expires the project's current key if its time has passed, claimed or not (the key's lifetime bounds the whole
     * handover), returning a PENDING_HANDOVER project to COMMISSIONING. Returns the project as it now stands.
     */
    static Projects.Ref expireDue(Connection c, Projects.Ref project) throws SQLException {
        Optional<AccessKeys.Current> key = AccessKeys.current(c, project.id()).filter(AccessKeys.Current::due);
        if (key.isEmpty()) {
            return project;
        }
        AccessKeys.end(c, key.get(), project.organisationId(), AccessKeys.End.EXPIRED, AuditLog.SYSTEM);
        Optional<Projects.Status> next = ProjectLifecycle.afterExpiry(project.status());
        if (next.isEmpty()) {
            return project;
        }
        Transitions.setStatus(c, project.id(), next.get());
        AuditLog.append(c, project.organisationId(), project.id(), AuditLog.SYSTEM,
                AuditLog.Action.PROJECT_STATUS_CHANGED, next.get().name());
        return new Projects.Ref(project.id(), project.organisationId(), next.get(), project.version() + 1);
    }

    /** Expires every key whose time has passed (the sweeper), then closes lock gaps. Returns how many were due. */
    CompletionStage<Integer> sweep() {
        return db.tx(c -> {
            List<UUID> due = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT project_id FROM access_key "
                    + "WHERE state IN ('ACTIVE', 'CLAIMED') AND expires_at <= now()")) {
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        due.add(row.getObject(1, UUID.class));
                    }
                }
            }
            for (UUID project : due) {
                // Locked one by one in the order every change locks: the project, then its key.
                expireDue(c, lock(c, project));
            }
            return due.size();
        }).thenCompose(expired -> locks.reconcile().thenApply(done -> expired));
    }

    /** A project by id alone, its row locked, for changes the caller's access does not decide (claims, expiry). */
    static Projects.Ref lock(Connection c, UUID projectId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT id, organisation_id, status, version FROM project WHERE id = ? FOR UPDATE")) {
            select.setObject(1, projectId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("a project with AccessKeys is gone");
                }
                return new Projects.Ref(row.getObject(1, UUID.class), row.getObject(2, UUID.class),
                        Projects.Status.valueOf(row.getString(3)), row.getInt(4));
            }
        }
    }
}
