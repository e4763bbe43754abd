package io.ora.portal.handover;

import io.ora.portal.api.Json;
import io.ora.portal.api.Principal;
import io.ora.portal.audit.AuditLog;
import io.ora.portal.handover.Handover.KeyState;
import io.ora.portal.projects.Projects;
import io.ora.portal.projects.Templates;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import tools.jackson.databind.JsonNode;

/**
 * Custody of the Project Key, zero knowledge: the envelope wrapped under the AccessKey's code is stored and released to
 * the homeowner holding the claim, never opened (docs/handover.md, "Project Key custody").
 */
record Custody(Db db) {

    /**
     * Stores the Project Key wrapped under the active AccessKey's code (structure already checked). Once the key is
     * claimed its envelope no longer changes: the homeowner may already hold it.
     */
    CompletionStage<Void> upload(Principal who, UUID projectId, JsonNode envelope) {
        return db.tx(c -> {
            Projects.Ref project = Expiry.expireDue(c, Projects.reach(c, who, projectId, true));
            AccessKeys.Current key = AccessKeys.current(c, projectId)
                    .filter(current -> current.state() == KeyState.ACTIVE)
                    .orElseThrow(() -> Refused.conflict("the project has no active AccessKey: issue one, then "
                            + "wrap the Project Key under its code"));
            try (PreparedStatement upsert = c.prepareStatement("INSERT INTO project_key_envelope (project_id, "
                    + "access_key_id, envelope, uploaded_by) VALUES (?, ?, ?, ?) ON CONFLICT (project_id) DO UPDATE "
                    + "SET access_key_id = EXCLUDED.access_key_id, envelope = EXCLUDED.envelope, "
                    + "uploaded_by = EXCLUDED.uploaded_by, uploaded_at = now()")) {
                upsert.setObject(1, projectId);
                upsert.setObject(2, key.id());
                upsert.setObject(3, Templates.jsonb(envelope));
                upsert.setObject(4, who.userId());
                upsert.executeUpdate();
            }
            AuditLog.append(c, project.organisationId(), projectId, who.userId(),
                    AuditLog.Action.PROJECT_KEY_UPLOADED, key.id().toString());
            return null;
        });
    }

    /**
     * The wrapped Project Key, for the homeowner holding the claim on the project's current AccessKey (step-up
     * already checked by the caller), and only in a state the table lets a key be claimed in (a claim cannot
     * outlive that state; asking the table as well keeps the secret's release where the rules are). Recorded on the
     * key, so the handover can be completed, and audited.
     */
    CompletionStage<JsonNode> release(Principal who, UUID projectId) {
        return db.tx(c -> {
            Projects.Ref project = Expiry.expireDue(c, Projects.reach(c, who, projectId, true));
            AccessKeys.Current key = AccessKeys.current(c, projectId)
                    .filter(current -> ProjectLifecycle.claimable(project.status())
                            && current.claimedBy(who.userId()))
                    .orElseThrow(() -> Refused.notFound("Project Key for you on this project"));
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT envelope::text FROM project_key_envelope WHERE access_key_id = ?")) {
                select.setObject(1, key.id());
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        throw Refused.notFound("Project Key for you on this project");
                    }
                    AccessKeys.released(c, key, project.organisationId(), who.userId());
                    return Json.mapper().readTree(row.getString(1));
                }
            }
        });
    }

    /** Whether the Project Key wrapped under {@code accessKey}'s code was uploaded. */
    static boolean envelopeFor(Connection c, UUID accessKey) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT 1 FROM project_key_envelope WHERE access_key_id = ?")) {
            select.setObject(1, accessKey);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }
}
