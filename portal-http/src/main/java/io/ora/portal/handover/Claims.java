package io.ora.portal.handover;

import io.ora.core.handover.AccessKeyCode;
import io.ora.portal.api.Principal;
import io.ora.portal.handover.Handover.Claimed;
import io.ora.portal.handover.Handover.KeyState;
import io.ora.portal.handover.Handover.Settings;
import io.ora.portal.projects.Projects;
import io.ora.portal.refusal.Refusal;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * A homeowner's claim of a project by its AccessKey, with the failure counters that bound guessing: per key (the key
 * is revoked) and per account (locked out for a while).
 */
record Claims(Db db, AccessKeyVerifier verifier, Settings settings) {

    /**
     * A homeowner claims a project by typing its AccessKey. Every way to fail reads the same ("not valid"), except
     * an expired key, which says so: a homeowner then knows to ask for a new one. Failures count against the key
     * (revoked after {@code attemptsPerKey}) and against the account (locked out for {@code accountWindow} after
     * {@code accountFailures} within it); the per-address limit is the {@code sensitive} rate class.
     */
    CompletionStage<Claimed> claim(Principal who, String typed) {
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
                    project = Optional.of(Expiry.lock(c, projectId.get()));
                    key = AccessKeys.current(c, project.get().id()).filter(current ->
                            current.state() == KeyState.ACTIVE && current.handle().equals(code.get().handle()));
                }
            }
            if (key.isPresent() && key.get().due()) {
                // Expired now rather than by the sweeper; then it is judged as any expired key is.
                Expiry.expireDue(c, project.get());
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
            if (!ProjectLifecycle.claimable(project.get().status()) || !Custody.envelopeFor(c, key.get().id())) {
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
}
