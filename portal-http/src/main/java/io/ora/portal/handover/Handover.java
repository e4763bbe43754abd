package io.ora.portal.handover;

import io.ora.portal.api.Principal;
import io.ora.portal.projects.Projects;
import io.ora.portal.store.Db;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import tools.jackson.databind.JsonNode;

/**
 * The remote handover (docs/handover.md): AccessKeys, custody of the wrapped Project Key, the claim, the release, and
 * the project state machine with its hub lockdown and de-identification. Every change happens in one transaction
 * that first locks the project row, so concurrent requests on one project are serialised and each sees the state
 * the previous one left; single-use and "exactly one winner" follow from that. The key's life, and with it who may
 * reach a project before its handover, is kept in one place, {@link AccessKeys}.
 *
 * <p>Which moves exist, who may ask for them and what each entails is the table {@link ProjectLifecycle}.
 * Entering PENDING_HANDOVER locks the project's hubs; leaving it releases them. The lock is applied after the
 * transition commits and recorded in {@code project.hubs_locked}; {@link #reconcileLocks()} closes any gap left by
 * an unreachable relay.
 *
 * <p>The parts, each in its own class: {@link Issuance} (issuing, reading and revoking keys; the key rows themselves
 * are {@link AccessKeys}), {@link Custody} (the wrapped Project Key), {@link Claims} (the claim and its failure
 * counters), {@link Transitions} (the moves, as the pure table {@link ProjectLifecycle} allows them), {@link Expiry}
 * (lazy and swept) and {@link HubLockSync} (the hub lock after the commit). This class is their one entrance.
 */
public final class Handover {

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

    private final Settings settings;
    private final Issuance issuance;
    private final Custody custody;
    private final Claims claims;
    private final Transitions transitions;
    private final Expiry expiry;
    private final HubLockSync locks;

    public Handover(Db db, AccessKeyVerifier verifier, Settings settings, HubLock hubLock) {
        this.settings = settings;
        this.locks = new HubLockSync(db, hubLock);
        this.issuance = new Issuance(db, verifier, settings);
        this.custody = new Custody(db);
        this.claims = new Claims(db, verifier, settings);
        this.transitions = new Transitions(db, locks);
        this.expiry = new Expiry(db, locks);
    }

    /**
     * Issues an AccessKey for a COMMISSIONING or PENDING_HANDOVER project, ending the current one if any (and with
     * it its wrapped Project Key, which the new code cannot open, and any claim on it).
     */
    public CompletionStage<Issued> issue(Principal who, UUID projectId) {
        return issuance.issue(who, projectId);
    }

    /** The project's newest AccessKey, expired first if its time has passed. */
    public CompletionStage<Optional<KeyStatus>> current(Principal who, UUID projectId) {
        return issuance.current(who, projectId);
    }

    /** Revokes the project's current AccessKey, claimed or not; the project's state does not change. */
    public CompletionStage<Void> revoke(Principal who, UUID projectId) {
        return issuance.revoke(who, projectId);
    }

    /** Stores the Project Key wrapped under the active AccessKey's code (structure already checked). */
    public CompletionStage<Void> upload(Principal who, UUID projectId, JsonNode envelope) {
        return custody.upload(who, projectId, envelope);
    }

    /** The wrapped Project Key, for the homeowner holding the claim (step-up already checked by the caller). */
    public CompletionStage<JsonNode> release(Principal who, UUID projectId) {
        return custody.release(who, projectId);
    }

    /** A homeowner claims a project by typing its AccessKey. */
    public CompletionStage<Claimed> claim(Principal who, String typed) {
        return claims.claim(who, typed);
    }

    /** Moves a project to {@code to} if {@code who} may and the preconditions hold. */
    public CompletionStage<Projects.Project> transition(Principal who, UUID projectId, OptionalInt expected,
                                                        Projects.Status to) {
        return transitions.transition(who, projectId, expected, to);
    }

    /** Expires every key whose time has passed (the sweeper), then closes lock gaps. Returns how many were due. */
    public CompletionStage<Integer> sweep() {
        return expiry.sweep();
    }

    /** Applies the lock every project's status calls for where the hub entities have not confirmed it yet. */
    public CompletionStage<Void> reconcileLocks() {
        return locks.reconcile();
    }

    /** Seconds until an AccessKey issued now expires (for documentation and answers). */
    public Duration accessKeyTtl() {
        return settings.accessKeyTtl();
    }
}
