package io.ora.portal.handover;

import io.ora.core.trace.Attribute;
import io.ora.core.trace.Operation;
import io.ora.core.trace.Trace;
import io.ora.core.trace.Traces;
import io.ora.portal.api.Principal;
import io.ora.portal.audit.AuditLog;
import io.ora.portal.auth.Role;
import io.ora.portal.handover.Handover.KeyState;
import io.ora.portal.projects.Projects;
import io.ora.portal.refusal.Refusal;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Moves a project through its handover states: asks {@link ProjectLifecycle} whether the move is allowed and what it
 * entails, does that in the move's transaction, and then brings the hub lock in line.
 */
record Transitions(Db db, HubLockSync locks) {

    /** Moves a project to {@code to} if {@code who} may and the preconditions hold; a conflict for an illegal move. */
    CompletionStage<Projects.Project> transition(Principal who, UUID projectId, OptionalInt expected,
                                                 Projects.Status to) {
        Trace trace = Traces.start(Operation.HANDOVER_TRANSITION)
                .tag(Attribute.HANDOVER_STATE, to.name().toLowerCase(Locale.ROOT));
        return trace.endWith(db.tx(c -> {
            Projects.Ref reached = Projects.reach(c, who, projectId, true);
            // The version the caller read is checked before a lazy expiry bumps it.
            Refusal.Stale.check(expected, reached.version());
            Projects.Ref project = Expiry.expireDue(c, reached);
            Projects.Status from = project.status();
            ProjectLifecycle.Asker asker = new ProjectLifecycle.Asker(
                    who.has(Role.ELECTRICIAN) && who.membership().isPresent(), who.has(Role.HOMEOWNER));
            ProjectLifecycle.Decision decision = ProjectLifecycle.decide(from, to, asker);
            if (decision instanceof ProjectLifecycle.Decision.Denied denied) {
                throw denied.refusal().refused();
            }
            switch (((ProjectLifecycle.Decision.Allowed) decision).effect()) {
                case CHECK_READY -> readyForHandover(c, projectId);
                case COMPLETE -> complete(c, project, who.userId());
                // A cancel, or archiving a project that was being commissioned: no key outlives either.
                case END_KEY -> AccessKeys.endCurrent(c, projectId, project.organisationId(),
                        AccessKeys.End.REVOKED, who.userId());
            }
            setStatus(c, projectId, to);
            AuditLog.append(c, project.organisationId(), projectId, who.userId(),
                    AuditLog.Action.PROJECT_STATUS_CHANGED, to.name());
            return projectId;
        }).thenCompose(changed -> locks.apply(changed, Optional.of(trace))
                // Read after the lock is settled, so the answer shows whether the relay confirmed it.
                .thenCompose(applied -> db.read(c -> Projects.readAny(c, changed)))));
    }

    private static void readyForHandover(Connection c, UUID projectId) throws SQLException {
        Optional<AccessKeys.Current> key = AccessKeys.current(c, projectId)
                .filter(current -> current.state() == KeyState.ACTIVE);
        if (key.isEmpty() || !Custody.envelopeFor(c, key.get().id())) {
            throw Refused.conflict("handover needs an active AccessKey and the Project Key wrapped under it");
        }
        try (PreparedStatement hubs = c.prepareStatement("SELECT 1 FROM project_hub WHERE project_id = ? LIMIT 1")) {
            hubs.setObject(1, projectId);
            try (ResultSet row = hubs.executeQuery()) {
                if (!row.next()) {
                    throw Refused.conflict("handover needs at least one registered hub");
                }
            }
        }
    }

    /**
     * PENDING_HANDOVER to HANDED_OVER: only the homeowner holding the claim on the current key, after its envelope
     * was released to them. The key is used up, the claimant becomes the project's homeowner, and the project's
     * personal data is deleted.
     */
    private static void complete(Connection c, Projects.Ref project, UUID homeowner) throws SQLException {
        AccessKeys.Current key = AccessKeys.current(c, project.id())
                .filter(current -> current.claimedBy(homeowner))
                .orElseThrow(() -> Refused.conflict("claim the project's AccessKey first"));
        if (!key.released()) {
            throw Refused.conflict("fetch the Project Key before completing the handover");
        }
        AccessKeys.end(c, key, project.organisationId(), AccessKeys.End.USED, homeowner);
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE project SET homeowner_user_id = ?, handed_over_at = now() WHERE id = ?")) {
            update.setObject(1, homeowner);
            update.setObject(2, project.id());
            update.executeUpdate();
        }
        deidentify(c, project.id());
        AuditLog.append(c, project.organisationId(), project.id(), homeowner, AuditLog.Action.PROJECT_DEIDENTIFIED,
                null);
    }

    /**
     * Deletes, not hides, the project's personal data: customer and site details, notes, every floor plan (a file
     * can identify a site) and pairing plan (room names can too), and the wrapped Project Key. Kept: ids, template,
     * dates, and counts of devices and hubs.
     */
    private static void deidentify(Connection c, UUID projectId) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE project SET site_address = NULL, "
                + "customer_name = NULL, customer_email = NULL, customer_phone = NULL, notes = NULL, "
                + "device_count = coalesce((SELECT jsonb_array_length(content -> 'devices') "
                + "FROM pairing_plan WHERE project_id = ? ORDER BY version DESC LIMIT 1), 0) WHERE id = ?")) {
            update.setObject(1, projectId);
            update.setObject(2, projectId);
            update.executeUpdate();
        }
        for (String table : List.of("floor_plan", "pairing_plan", "project_key_envelope")) {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE project_id = ?")) {
                delete.setObject(1, projectId);
                delete.executeUpdate();
            }
        }
    }

    static void setStatus(Connection c, UUID projectId, Projects.Status to) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE project SET status = ?, version = version + 1, "
                + "updated_at = now() WHERE id = ?")) {
            update.setString(1, to.name());
            update.setObject(2, projectId);
            update.executeUpdate();
        }
    }
}
