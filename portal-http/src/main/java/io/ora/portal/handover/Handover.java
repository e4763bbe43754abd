package io.ora.portal.handover;

import io.ora.core.concurrent.Failures;
import io.ora.core.handover.AccessKeyCode;
import io.ora.core.trace.Attribute;
import io.ora.core.trace.Operation;
import io.ora.core.trace.Trace;
import io.ora.core.trace.Traces;
import io.ora.portal.api.Json;
import io.ora.portal.api.Principal;
import io.ora.portal.audit.AuditLog;
import io.ora.portal.auth.Role;
import io.ora.portal.projects.Projects;
import io.ora.portal.projects.Templates;
import io.ora.portal.refusal.Refusal;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The remote handover (docs/handover.md): AccessKeys, custody of the wrapped Project Key, the claim, the release, and
 * the project state machine with its hub lockdown and de-identification. Every change happens in one transaction
 * that first locks the project row, so concurrent requests on one project are serialised and each sees the state
 * the previous one left; single-use and "exactly one winner" follow from that. The key's life, and with it who may
 * reach a project before its handover, is kept in one place, {@link AccessKeys}.
 *
 * <p>Transitions (who may ask; what must hold):
 * <pre>
 *   DRAFT            -> COMMISSIONING     electrician
 *   COMMISSIONING    -> PENDING_HANDOVER  electrician; an ACTIVE AccessKey with its wrapped Project Key, and a hub
 *   PENDING_HANDOVER -> COMMISSIONING     electrician (cancel), or the AccessKey expiring; ends the key and its claim
 *   PENDING_HANDOVER -> HANDED_OVER       the homeowner holding the claim on the current key, after the Project Key
 *                                         was released to them; uses the key up
 *   DRAFT, COMMISSIONING, HANDED_OVER -> ARCHIVED   electrician; ends any current key
 * </pre>
 * Entering PENDING_HANDOVER locks the project's hubs; leaving it releases them. The lock is applied after the
 * transition commits and recorded in {@code project.hubs_locked}; {@link #reconcileLocks()} closes any gap left by
 * an unreachable relay.
 */
public final class Handover {

    private static final Logger LOG = LoggerFactory.getLogger(Handover.class);

    /** Where an AccessKey stands. ACTIVE and CLAIMED keys are current; the others have ended. */
    public enum KeyState { ACTIVE, CLAIMED, USED, EXPIRED, REVOKED }

    /** Limits of the handover, from {@code ora.portal.handover}. */
    public record Settings(Duration accessKeyTtl, int attemptsPerKey, int accountFailures, Duration accountWindow) {
    }

    /** A new AccessKey: the code is in this answer and nowhere else, ever. */
    public record Issued(UUID id, String code, String handle, KeyState state, Instant expiresAt) {
        @Override
        public String toString() {
            return "Issued[" + id + ", " + handle + "-…]";
        }
    }

    /** An AccessKey as its project's installer may see it later: never the code. */
    public record KeyStatus(UUID id, String handle, KeyState state, Instant createdAt, Instant expiresAt,
                            Instant claimedAt, boolean projectKeyUploaded) {
    }

    /** What a successful claim tells the homeowner. */
    public record Claimed(UUID projectId) {
    }

    private final Db db;
    private final AccessKeyVerifier verifier;
    private final Settings settings;
    private final HubLockdown lockdown;
    private final SecureRandom random = new SecureRandom();

    public Handover(Db db, AccessKeyVerifier verifier, Settings settings, HubLockdown lockdown) {
        this.db = db;
        this.verifier = verifier;
        this.settings = settings;
        this.lockdown = lockdown;
    }

    // --- AccessKeys ---

    /**
     * Issues an AccessKey for a COMMISSIONING or PENDING_HANDOVER project, ending the current one if any (and with
     * it its wrapped Project Key, which the new code cannot open, and any claim on it).
     */
    public CompletionStage<Issued> issue(Principal who, UUID projectId) {
        return db.tx(c -> {
            Projects.Ref project = expireDue(c, Projects.reach(c, who, projectId, true));
            if (project.status() != Projects.Status.COMMISSIONING
                    && project.status() != Projects.Status.PENDING_HANDOVER) {
                throw Refused.conflict("AccessKeys are issued while the project is COMMISSIONING or "
                        + "PENDING_HANDOVER");
            }
            AccessKeys.endCurrent(c, projectId, project.organisationId(), AccessKeys.End.REVOKED, who.userId());
            for (int attempt = 0; ; attempt++) {
                AccessKeyCode code = AccessKeyCode.generate(random);
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
    public CompletionStage<Optional<KeyStatus>> current(Principal who, UUID projectId) {
        return db.tx(c -> {
            expireDue(c, Projects.reach(c, who, projectId, true));
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
     * Revokes the project's current AccessKey, claimed or not (404 if there is none): the claim and the access it
     * gave end with it. The project's state does not change.
     */
    public CompletionStage<Void> revoke(Principal who, UUID projectId) {
        return db.tx(c -> {
            Projects.Ref project = expireDue(c, Projects.reach(c, who, projectId, true));
            AccessKeys.Current key = AccessKeys.current(c, projectId)
                    .orElseThrow(() -> Refused.notFound("current AccessKey"));
            AccessKeys.end(c, key, project.organisationId(), AccessKeys.End.REVOKED, who.userId());
            return null;
        });
    }

    // --- Project Key custody ---

    /**
     * Stores the Project Key wrapped under the active AccessKey's code (structure already checked). Once the key is
     * claimed its envelope no longer changes: the homeowner may already hold it.
     */
    public CompletionStage<Void> upload(Principal who, UUID projectId, JsonNode envelope) {
        return db.tx(c -> {
            Projects.Ref project = expireDue(c, Projects.reach(c, who, projectId, true));
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
     * already checked by the caller). Recorded on the key, so the handover can be completed, and audited.
     */
    public CompletionStage<JsonNode> release(Principal who, UUID projectId) {
        return db.tx(c -> {
            Projects.Ref project = expireDue(c, Projects.reach(c, who, projectId, true));
            AccessKeys.Current key = AccessKeys.current(c, projectId)
                    .filter(current -> current.claimedBy(who.userId()))
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

    // --- the claim ---

    /**
     * A homeowner claims a project by typing its AccessKey. Every way to fail reads the same ("not valid"), except
     * an expired key, which says so: a homeowner then knows to ask for a new one. Failures count against the key
     * (revoked after {@code attemptsPerKey}) and against the account (locked out for {@code accountWindow} after
     * {@code accountFailures} within it); the per-address limit is the {@code sensitive} rate class.
     */
    public CompletionStage<Claimed> claim(Principal who, String typed) {
        return db.tx(c -> {
            int recentFailures = recentFailures(c, who.userId());
            if (recentFailures >= settings.accountFailures()) {
                throw new Refusal.LockedOut("too many wrong AccessKeys: claiming is locked for this account for a "
                        + "while", settings.accountWindow()).refused();
            }
            Optional<AccessKeyCode> code = AccessKeyCode.parse(typed);
            Optional<Projects.Ref> project = Optional.empty();
            Optional<AccessKeys.Current> key = Optional.empty();
            if (code.isPresent()) {
                // The project's row first, then its key: the lock order of every other handover change.
                Optional<UUID> projectId = AccessKeys.projectOfHandle(c, code.get().handle());
                if (projectId.isPresent()) {
                    project = Optional.of(lock(c, projectId.get()));
                    key = AccessKeys.current(c, project.get().id()).filter(current ->
                            current.state() == KeyState.ACTIVE && current.handle().equals(code.get().handle()));
                }
            }
            if (key.isPresent() && key.get().due()) {
                // Expired now rather than by the sweeper; then it is judged as any expired key is.
                expireDue(c, project.get());
                key = Optional.empty();
            }
            if (key.isEmpty() && code.isPresent() && expiredMatch(c, code.get())) {
                return Outcome.<Claimed>refuse(expired());
            }
            if (key.isEmpty() || !verifier.matches(code.get(), key.get().verifier())) {
                if (key.isPresent()) {
                    AccessKeys.wrongCode(c, key.get(), project.get().organisationId(), settings.attemptsPerKey());
                }
                recordFailure(c, who.userId());
                return Outcome.<Claimed>refuse(new Refusal.NotFound("valid AccessKey with that code"));
            }
            if (project.get().status() != Projects.Status.PENDING_HANDOVER || !envelopeFor(c, key.get().id())) {
                throw Refused.conflict("this project is not ready to be handed over yet");
            }
            AccessKeys.claim(c, key.get(), project.get().organisationId(), who.userId());
            return Outcome.accept(new Claimed(project.get().id()));
        }).thenApply(Outcome::get);
    }

    private static Refusal expired() {
        return new Refusal.Expired("this AccessKey has expired: ask your installer for a new one");
    }

    /**
     * A claim's result, returned rather than thrown so that the failure counters are committed with the refusal
     * (throwing would roll them back).
     */
    private record Outcome<T>(T value, Refusal refusal) {
        static <T> Outcome<T> accept(T value) {
            return new Outcome<>(value, null);
        }

        static <T> Outcome<T> refuse(Refusal refusal) {
            return new Outcome<>(null, refusal);
        }

        T get() {
            if (refusal != null) {
                throw refusal.refused();
            }
            return value;
        }
    }

    /**
     * Whether {@code code} is one that expired, swept already or not (a claimed key past its time, which the sweeper
     * has not reached yet, counts): the homeowner should hear that, not "wrong".
     */
    private boolean expiredMatch(Connection c, AccessKeyCode code) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT verifier FROM access_key WHERE key_id = ? "
                + "AND (state = 'EXPIRED' OR (state IN ('ACTIVE', 'CLAIMED') AND expires_at <= now())) "
                + "ORDER BY expires_at DESC LIMIT 5")) {
            select.setString(1, code.handle());
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    if (verifier.matches(code, row.getBytes(1))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private int recentFailures(Connection c, UUID user) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT count(*) FROM access_key_claim_failure "
                + "WHERE user_id = ? AND failed_at > now() - make_interval(secs => ?)")) {
            select.setObject(1, user);
            select.setLong(2, settings.accountWindow().toSeconds());
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    private void recordFailure(Connection c, UUID user) throws SQLException {
        try (PreparedStatement prune = c.prepareStatement("DELETE FROM access_key_claim_failure "
                + "WHERE user_id = ? AND failed_at <= now() - make_interval(secs => ?)");
             PreparedStatement insert = c.prepareStatement(
                     "INSERT INTO access_key_claim_failure (user_id) VALUES (?)")) {
            prune.setObject(1, user);
            prune.setLong(2, settings.accountWindow().toSeconds());
            prune.executeUpdate();
            insert.setObject(1, user);
            insert.executeUpdate();
        }
    }

    private static boolean envelopeFor(Connection c, UUID accessKey) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT 1 FROM project_key_envelope WHERE access_key_id = ?")) {
            select.setObject(1, accessKey);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /** A project by id alone, its row locked, for changes the caller's access does not decide (claims, expiry). */
    private static Projects.Ref lock(Connection c, UUID projectId) throws SQLException {
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

    // --- the state machine ---

    /** Moves a project to {@code to} if {@code who} may and the preconditions hold; 409 for an illegal move. */
    public CompletionStage<Projects.Project> transition(Principal who, UUID projectId, OptionalInt expected,
                                                        Projects.Status to) {
        Trace trace = Traces.start(Operation.HANDOVER_TRANSITION)
                .tag(Attribute.HANDOVER_STATE, to.name().toLowerCase(Locale.ROOT));
        return trace.endWith(db.tx(c -> {
            Projects.Ref reached = Projects.reach(c, who, projectId, true);
            // The version the caller read is checked before a lazy expiry bumps it.
            Refusal.Stale.check(expected, reached.version());
            Projects.Ref project = expireDue(c, reached);
            Projects.Status from = project.status();
            boolean electrician = who.has(Role.ELECTRICIAN) && who.membership().isPresent();
            boolean ok = switch (to) {
                case COMMISSIONING -> electrician
                        && (from == Projects.Status.DRAFT || from == Projects.Status.PENDING_HANDOVER);
                case PENDING_HANDOVER -> electrician && from == Projects.Status.COMMISSIONING;
                case HANDED_OVER -> who.has(Role.HOMEOWNER) && from == Projects.Status.PENDING_HANDOVER;
                case ARCHIVED -> electrician && (from == Projects.Status.DRAFT
                        || from == Projects.Status.COMMISSIONING || from == Projects.Status.HANDED_OVER);
                case DRAFT -> false;
            };
            if (!ok) {
                throw Refused.conflict("a project that is " + from + " cannot become " + to
                        + (who.has(Role.HOMEOWNER) ? "" : " by its installer"));
            }
            switch (to) {
                case PENDING_HANDOVER -> readyForHandover(c, projectId);
                case HANDED_OVER -> complete(c, project, who.userId());
                // A cancel, or archiving a project that was being commissioned: no key outlives either.
                case COMMISSIONING, ARCHIVED -> AccessKeys.endCurrent(c, projectId, project.organisationId(),
                        AccessKeys.End.REVOKED, who.userId());
                case DRAFT -> throw new IllegalStateException("no transition leads to DRAFT");
            }
            setStatus(c, projectId, to);
            AuditLog.append(c, project.organisationId(), projectId, who.userId(),
                    AuditLog.Action.PROJECT_STATUS_CHANGED, to.name());
            return projectId;
        }).thenCompose(changed -> applyLock(changed, Optional.of(trace))
                // Read after the lock is settled, so the answer shows whether the relay confirmed it.
                .thenCompose(applied -> db.read(c -> Projects.readAny(c, changed)))));
    }

    private static void readyForHandover(Connection c, UUID projectId) throws SQLException {
        Optional<AccessKeys.Current> key = AccessKeys.current(c, projectId)
                .filter(current -> current.state() == KeyState.ACTIVE);
        if (key.isEmpty() || !envelopeFor(c, key.get().id())) {
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

    private static void setStatus(Connection c, UUID projectId, Projects.Status to) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE project SET status = ?, version = version + 1, "
                + "updated_at = now() WHERE id = ?")) {
            update.setString(1, to.name());
            update.setObject(2, projectId);
            update.executeUpdate();
        }
    }

    // --- expiry and the hub lock ---

    /**
     * Expires the project's current key if its time has passed, claimed or not (the key's lifetime bounds the whole
     * handover), returning a PENDING_HANDOVER project to COMMISSIONING. Returns the project as it now stands.
     */
    private static Projects.Ref expireDue(Connection c, Projects.Ref project) throws SQLException {
        Optional<AccessKeys.Current> key = AccessKeys.current(c, project.id()).filter(AccessKeys.Current::due);
        if (key.isEmpty()) {
            return project;
        }
        AccessKeys.end(c, key.get(), project.organisationId(), AccessKeys.End.EXPIRED, AuditLog.SYSTEM);
        if (project.status() != Projects.Status.PENDING_HANDOVER) {
            return project;
        }
        setStatus(c, project.id(), Projects.Status.COMMISSIONING);
        AuditLog.append(c, project.organisationId(), project.id(), AuditLog.SYSTEM,
                AuditLog.Action.PROJECT_STATUS_CHANGED, Projects.Status.COMMISSIONING.name());
        return new Projects.Ref(project.id(), project.organisationId(), Projects.Status.COMMISSIONING,
                project.version() + 1);
    }

    /** Expires every key whose time has passed (the sweeper), then closes lock gaps. Returns how many were due. */
    public CompletionStage<Integer> sweep() {
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
        }).thenCompose(expired -> reconcileLocks().thenApply(done -> expired));
    }

    /** Applies the lock every project's status calls for where the hub entities have not confirmed it yet. */
    public CompletionStage<Void> reconcileLocks() {
        return db.read(c -> {
            List<UUID> gaps = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT id FROM project "
                    + "WHERE (status = 'PENDING_HANDOVER') <> hubs_locked LIMIT 100")) {
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        gaps.add(row.getObject(1, UUID.class));
                    }
                }
            }
            return gaps;
        }).thenCompose(gaps -> {
            CompletionStage<Void> all = CompletableFuture.completedFuture(null);
            for (UUID project : gaps) {
                all = all.thenCompose(previous -> applyLock(project, Optional.empty()).thenApply(applied -> null));
            }
            return all;
        });
    }

    /**
     * Brings the hub entities in line with the project's committed status and records that they are. Never fails:
     * if the relay cannot be reached the gap stays recorded and the sweeper tries again.
     */
    private CompletionStage<Boolean> applyLock(UUID projectId, Optional<Trace> transition) {
        return db.read(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT p.status = 'PENDING_HANDOVER', "
                    + "array(SELECT hub_id FROM project_hub WHERE project_id = p.id) FROM project p WHERE p.id = ?")) {
                select.setObject(1, projectId);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    List<UUID> hubs = List.of((UUID[]) row.getArray(2).getArray());
                    return new LockTarget(row.getBoolean(1), hubs);
                }
            }
        }).thenCompose(target -> lockSpan(transition, target.locked()).endWith(target.locked()
                        ? lockdown.lock(projectId, target.hubs()) : lockdown.release(projectId, target.hubs()))
                .thenCompose(done -> db.tx(c -> {
                    try (PreparedStatement update = c.prepareStatement("UPDATE project SET hubs_locked = ? "
                            + "WHERE id = ? AND (status = 'PENDING_HANDOVER') = ?")) {
                        update.setBoolean(1, target.locked());
                        update.setObject(2, projectId);
                        update.setBoolean(3, target.locked());
                        return update.executeUpdate() == 1;
                    }
                })))
                .exceptionally(failure -> {
                    LOG.warn("hub lock for project {} not applied yet ({}); the sweeper will retry", projectId,
                            Failures.cause(failure).getClass().getSimpleName());
                    return false;
                });
    }

    private record LockTarget(boolean locked, List<UUID> hubs) {
    }

    /** The span of asking the relay to lock or release a project's hubs: the transition's child, if there is one. */
    private static Trace lockSpan(Optional<Trace> transition, boolean lock) {
        Trace span = transition.map(parent -> Traces.start(Operation.HUB_LOCK, parent))
                .orElseGet(() -> Traces.start(Operation.HUB_LOCK));
        return span.tag(Attribute.LOCK_ACTION, lock ? "lock" : "unlock");
    }

    /** Seconds until an AccessKey issued now expires (for documentation and answers). */
    public Duration accessKeyTtl() {
        return settings.accessKeyTtl();
    }
}
