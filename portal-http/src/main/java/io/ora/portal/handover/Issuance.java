package io.ora.portal.handover;

import io.ora.core.handover.AccessKeyCode;
import io.ora.portal.api.Principal;
import io.ora.portal.audit.AuditLog;
import io.ora.portal.handover.Handover.Issued;
import io.ora.portal.handover.Handover.KeyState;
import io.ora.portal.handover.Handover.KeyStatus;
import io.ora.portal.handover.Handover.Settings;
import io.ora.portal.projects.Projects;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/** Issuing, reading and revoking a project's AccessKey (docs/handover.md, "AccessKeys"). */
record Issuance(Db db, AccessKeyVerifier verifier, Settings settings) {

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Issues an AccessKey for a COMMISSIONING or PENDING_HANDOVER project, ending the current one if any (and with
     * it its wrapped Project Key, which the new code cannot open, and any claim on it).
     */
    CompletionStage<Issued> issue(Principal who, UUID projectId) {
        return db.tx(c -> {
            Projects.Ref project = Expiry.expireDue(c, Projects.reach(c, who, projectId, true));
            if (!ProjectLifecycle.issuesKeys(project.status())) {
                throw Refused.conflict("AccessKeys are issued while the project is COMMISSIONING or "
                        + "PENDING_HANDOVER");
            }
            AccessKeys.endCurrent(c, projectId, project.organisationId(), AccessKeys.End.REVOKED, who.userId());
            for (int attempt = 0; ; attempt++) {
                AccessKeyCode code = AccessKeyCode.generate(RANDOM);
                UUID id = UUID.randomUUID();
                Instant expires = Instant.now().plus(settings.accessKeyTtl());
                if (AccessKeys.insert(c, id, projectId, code.handle(), verifier.verifier(code), who.userId(),
                        expires)) {
                    AuditLog.append(c, project.organisationId(), projectId, who.userId(),
                            AuditLog.Action.ACCESS_KEY_ISSUED, id.toString());
                    return new Issued(id, code.display(), code.handle(), KeyState.ACTIVE, expires);
                }
                // The handle (25 bits) collides with another project's active key: rare, so just draw again.
                if (attempt > 8) {
                    throw new IllegalStateException("no free AccessKey handle after several tries");
                }
            }
        });
    }

    /** The project's newest AccessKey, expired first if its time has passed. */
    CompletionStage<Optional<KeyStatus>> current(Principal who, UUID projectId) {
        return db.tx(c -> {
            Expiry.expireDue(c, Projects.reach(c, who, projectId, true));
            try (PreparedStatement select = c.prepareStatement("SELECT k.id, k.key_id, k.state, k.created_at, "
                    + "k.expires_at, k.claimed_at, e.access_key_id IS NOT NULL FROM access_key k "
                    + "LEFT JOIN project_key_envelope e ON e.access_key_id = k.id "
                    + "WHERE k.project_id = ? ORDER BY k.created_at DESC LIMIT 1")) {
                select.setObject(1, projectId);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    Timestamp claimed = row.getTimestamp(6);
                    return Optional.of(new KeyStatus(row.getObject(1, UUID.class), row.getString(2),
                            KeyState.valueOf(row.getString(3)), row.getTimestamp(4).toInstant(),
                            row.getTimestamp(5).toInstant(), claimed == null ? null : claimed.toInstant(),
                            row.getBoolean(7)));
                }
            }
        });
    }

    /**
     * Revokes the project's current AccessKey, claimed or not (not found if there is none): the claim and the access it
     * gave end with it. The project's state does not change.
     */
    CompletionStage<Void> revoke(Principal who, UUID projectId) {
        return db.tx(c -> {
            Projects.Ref project = Expiry.expireDue(c, Projects.reach(c, who, projectId, true));
            AccessKeys.Current key = AccessKeys.current(c, projectId)
                    .orElseThrow(() -> Refused.notFound("current AccessKey"));
            AccessKeys.end(c, key, project.organisationId(), AccessKeys.End.REVOKED, who.userId());
            return null;
        });
    }
}
