package io.ora.portal.handover;

import io.ora.portal.audit.AuditLog;
import io.ora.portal.projects.Projects;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A project's <em>current</em> AccessKey and every change of an AccessKey's state: the one place where the
 * handover's invariants are kept (docs/handover.md, "The handover's invariants").
 *
 * <ul>
 *   <li>A project has at most one current key: {@code ACTIVE} (claimable) or {@code CLAIMED} (a homeowner typed it
 *       and may finish the handover). The schema holds this too ({@code access_key_one_current}).</li>
 *   <li>A claim is a state of the current key, never a fact stored beside it: whoever {@link Projects#LIVE_CLAIM
 *       holds the live claim} reaches the project, may fetch the wrapped Project Key and complete the handover;
 *       nobody else does.</li>
 *   <li>A key ends exactly once, through {@link #end}: revoked (a new key, a cancel, the installer, archiving, too
 *       many wrong codes), expired, or used by the completed handover. Its envelope goes with it, and with the key
 *       every claim on it and all the access the claim gave, in the same statement.</li>
 *   <li>Completing needs the current key claimed by the caller and its envelope released to them after that
 *       claim ({@code released_at}, recorded here); the audit log records all of this but is never read for it.</li>
 * </ul>
 *
 * <p>Callers hold the project's row lock ({@code FOR UPDATE}) before they come here, so the changes of one project
 * are serialised and each sees the key the previous one left. Every method joins the caller's transaction.
 */
final class AccessKeys {

    /** The current key as the rules need it. {@code due} is the database clock's verdict on {@code expiresAt}. */
    record Current(UUID id, UUID projectId, String handle, Handover.KeyState state, byte[] verifier,
                   Instant expiresAt, boolean due, Optional<UUID> claimant, boolean released) {

        /** Whether {@code homeowner} holds the live claim on this key. */
        boolean claimedBy(UUID homeowner) {
            return state == Handover.KeyState.CLAIMED && !due && claimant.filter(homeowner::equals).isPresent();
        }
    }

    /** How a key ends: the state it is left in and the audit action that records it. */
    enum End {
        /** A new key replaced it, the handover was cancelled or archived, or the installer revoked it. */
        REVOKED(Handover.KeyState.REVOKED, AuditLog.Action.ACCESS_KEY_REVOKED),
        /** Too many wrong codes were typed for its handle. */
        LOCKED_OUT(Handover.KeyState.REVOKED, AuditLog.Action.ACCESS_KEY_LOCKED_OUT),
        /** Its time passed before the handover completed. */
        EXPIRED(Handover.KeyState.EXPIRED, AuditLog.Action.ACCESS_KEY_EXPIRED),
        /** The handover it carried completed. */
        USED(Handover.KeyState.USED, AuditLog.Action.ACCESS_KEY_USED);

        private final Handover.KeyState state;
        private final AuditLog.Action action;

        End(Handover.KeyState state, AuditLog.Action action) {
            this.state = state;
            this.action = action;
        }
    }

    private static final String COLUMNS = "id, project_id, key_id, state, verifier, expires_at, "
            + "expires_at <= now(), claimed_by, released_at IS NOT NULL";

    private AccessKeys() {
    }

    /** The project's current key, locked for the rest of the transaction; a due one is returned with {@code due}. */
    static Optional<Current> current(Connection c, UUID projectId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM access_key "
                + "WHERE project_id = ? AND state IN ('ACTIVE', 'CLAIMED') FOR UPDATE")) {
            select.setObject(1, projectId);
            return read(select);
        }
    }

    /** The project of the ACTIVE key with {@code handle}, if any, without locking (the project is locked first). */
    static Optional<UUID> projectOfHandle(Connection c, String handle) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT project_id FROM access_key WHERE key_id = ? AND state = 'ACTIVE'")) {
            select.setString(1, handle);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getObject(1, UUID.class)) : Optional.empty();
            }
        }
    }

    private static Optional<Current> read(PreparedStatement select) throws SQLException {
        try (ResultSet row = select.executeQuery()) {
            if (!row.next()) {
                return Optional.empty();
            }
            return Optional.of(new Current(row.getObject(1, UUID.class), row.getObject(2, UUID.class),
                    row.getString(3), Handover.KeyState.valueOf(row.getString(4)), row.getBytes(5),
                    row.getTimestamp(6).toInstant(), row.getBoolean(7),
                    Optional.ofNullable(row.getObject(8, UUID.class)), row.getBoolean(9)));
        }
    }

    /** Inserts a new ACTIVE key; false if its handle collides with another project's active key (draw again). */
    static boolean insert(Connection c, UUID id, UUID projectId, String handle, byte[] verifier, UUID actor,
                          Instant expires) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO access_key (id, project_id, key_id, "
                + "verifier, state, created_by, expires_at) VALUES (?, ?, ?, ?, 'ACTIVE', ?, ?) "
                + "ON CONFLICT (key_id) WHERE state = 'ACTIVE' DO NOTHING")) {
            insert.setObject(1, id);
            insert.setObject(2, projectId);
            insert.setString(3, handle);
            insert.setBytes(4, verifier);
            insert.setObject(5, actor);
            insert.setTimestamp(6, Timestamp.from(expires));
            return insert.executeUpdate() == 1;
        }
    }

    /**
     * Ends {@code key}: its state becomes {@code end}'s, its envelope is deleted, and the end is audited. With the
     * key goes every claim on it and all the access the claim gave.
     */
    static void end(Connection c, Current key, UUID organisation, End end, UUID actor) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE access_key SET state = ?, ended_at = now() "
                + "WHERE id = ? AND state IN ('ACTIVE', 'CLAIMED')")) {
            update.setString(1, end.state.name());
            update.setObject(2, key.id());
            if (update.executeUpdate() != 1) {
                throw new IllegalStateException("the current AccessKey changed under its project's row lock");
            }
        }
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM project_key_envelope WHERE project_id = ?")) {
            delete.setObject(1, key.projectId());
            delete.executeUpdate();
        }
        AuditLog.append(c, organisation, key.projectId(), actor, end.action, key.id().toString());
    }

    /** Ends the project's current key, if it has one. */
    static void endCurrent(Connection c, UUID projectId, UUID organisation, End end, UUID actor)
            throws SQLException {
        Optional<Current> key = current(c, projectId);
        if (key.isPresent()) {
            end(c, key.get(), organisation, end, actor);
        }
    }

    /** {@code homeowner} claims the ACTIVE {@code key}. */
    static void claim(Connection c, Current key, UUID organisation, UUID homeowner) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE access_key SET state = 'CLAIMED', "
                + "claimed_by = ?, claimed_at = now() WHERE id = ? AND state = 'ACTIVE'")) {
            update.setObject(1, homeowner);
            update.setObject(2, key.id());
            if (update.executeUpdate() != 1) {
                throw new IllegalStateException("the AccessKey changed under its project's row lock");
            }
        }
        AuditLog.append(c, organisation, key.projectId(), homeowner, AuditLog.Action.ACCESS_KEY_CLAIMED,
                key.id().toString());
    }

    /** Records that {@code key}'s envelope was released to its claimant (the first release counts). */
    static void released(Connection c, Current key, UUID organisation, UUID homeowner) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE access_key "
                + "SET released_at = coalesce(released_at, now()) WHERE id = ? AND state = 'CLAIMED'")) {
            update.setObject(1, key.id());
            update.executeUpdate();
        }
        AuditLog.append(c, organisation, key.projectId(), homeowner, AuditLog.Action.PROJECT_KEY_RELEASED,
                key.id().toString());
    }

    /** Counts a wrong code against the ACTIVE {@code key}; at {@code limit} wrong codes it is locked out. */
    static void wrongCode(Connection c, Current key, UUID organisation, int limit) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE access_key "
                + "SET failed_attempts = failed_attempts + 1 WHERE id = ? RETURNING failed_attempts")) {
            update.setObject(1, key.id());
            try (ResultSet row = update.executeQuery()) {
                row.next();
                if (row.getInt(1) >= limit) {
                    end(c, key, organisation, End.LOCKED_OUT, AuditLog.SYSTEM);
                }
            }
        }
    }
}
