package io.ora.portal.plans;

import io.ora.portal.api.Json;
import io.ora.portal.api.Principal;
import io.ora.portal.audit.AuditLog;
import io.ora.portal.projects.Projects;
import io.ora.portal.projects.Templates;
import io.ora.portal.refusal.Refusal;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import tools.jackson.databind.JsonNode;

/**
 * A project's floor plans and pairing plans in PostgreSQL, each versioned by appending. A write names the version
 * it replaces; the project row is locked while the check and the append happen, so of two concurrent writers from
 * the same version exactly one wins and the other is refused as stale.
 */
public final class Plans {

    /** A stored floor plan's metadata (the bytes are fetched separately). */
    public record FloorPlan(int version, String contentType, int sizeBytes, String sha256, String fileName,
                            Instant createdAt) {
    }

    /** A floor plan with its bytes. */
    public record FloorPlanContent(FloorPlan plan, byte[] content) {
    }

    /** A stored pairing plan. */
    public record PairingPlan(int version, JsonNode content, Instant createdAt) {
    }

    private final Db db;

    public Plans(Db db) {
        this.db = db;
    }

    public CompletionStage<FloorPlan> saveFloorPlan(Principal who, UUID projectId, OptionalInt expected,
                                                    FileType type, byte[] content, Optional<String> fileName) {
        String sha256 = sha256(content);
        return db.tx(c -> {
            Projects.Ref ref = Projects.reach(c, who, projectId, true);
            writable(ref);
            int current = latest(c, "floor_plan", projectId);
            Refusal.Stale.check(expected, current);
            int version = current + 1;
            Instant created;
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO floor_plan (project_id, version, "
                    + "content_type, size_bytes, sha256, file_name, created_by) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    + "RETURNING created_at")) {
                insert.setObject(1, projectId);
                insert.setInt(2, version);
                insert.setString(3, type.mediaType());
                insert.setInt(4, content.length);
                insert.setString(5, sha256);
                insert.setString(6, fileName.orElse(null));
                insert.setObject(7, who.userId());
                try (ResultSet row = insert.executeQuery()) {
                    row.next();
                    created = row.getTimestamp(1).toInstant();
                }
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO floor_plan_content (project_id, version, content) VALUES (?, ?, ?)")) {
                insert.setObject(1, projectId);
                insert.setInt(2, version);
                insert.setBytes(3, content);
                insert.executeUpdate();
            }
            AuditLog.append(c, ref.organisationId(), projectId, who.userId(), AuditLog.Action.FLOOR_PLAN_UPLOADED,
                    Integer.toString(version));
            return new FloorPlan(version, type.mediaType(), content.length, sha256, fileName.orElse(null), created);
        });
    }

    public CompletionStage<FloorPlanContent> floorPlan(Principal who, UUID projectId, OptionalInt version) {
        return db.read(c -> {
            Projects.Ref ref = Projects.reach(c, who, projectId, false);
            int wanted = version.isPresent() ? version.getAsInt() : latest(c, "floor_plan", ref.id());
            try (PreparedStatement select = c.prepareStatement("SELECT f.content_type, f.size_bytes, f.sha256, "
                    + "f.file_name, f.created_at, b.content FROM floor_plan f JOIN floor_plan_content b "
                    + "ON b.project_id = f.project_id AND b.version = f.version "
                    + "WHERE f.project_id = ? AND f.version = ?")) {
                select.setObject(1, projectId);
                select.setInt(2, wanted);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        throw Refused.notFound("floor plan");
                    }
                    return new FloorPlanContent(new FloorPlan(wanted, row.getString(1), row.getInt(2),
                            row.getString(3), row.getString(4), row.getTimestamp(5).toInstant()), row.getBytes(6));
                }
            }
        });
    }

    public CompletionStage<PairingPlan> savePairingPlan(Principal who, UUID projectId, OptionalInt expected,
                                                        JsonNode content) {
        return db.tx(c -> {
            Projects.Ref ref = Projects.reach(c, who, projectId, true);
            writable(ref);
            int current = latest(c, "pairing_plan", projectId);
            Refusal.Stale.check(expected, current);
            int version = current + 1;
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO pairing_plan (project_id, version, "
                    + "content, created_by) VALUES (?, ?, ?, ?) RETURNING created_at")) {
                insert.setObject(1, projectId);
                insert.setInt(2, version);
                insert.setObject(3, Templates.jsonb(content));
                insert.setObject(4, who.userId());
                try (ResultSet row = insert.executeQuery()) {
                    row.next();
                    AuditLog.append(c, ref.organisationId(), projectId, who.userId(),
                            AuditLog.Action.PAIRING_PLAN_SAVED, Integer.toString(version));
                    return new PairingPlan(version, content, row.getTimestamp(1).toInstant());
                }
            }
        });
    }

    public CompletionStage<PairingPlan> pairingPlan(Principal who, UUID projectId, OptionalInt version) {
        return db.read(c -> {
            Projects.Ref ref = Projects.reach(c, who, projectId, false);
            int wanted = version.isPresent() ? version.getAsInt() : latest(c, "pairing_plan", ref.id());
            try (PreparedStatement select = c.prepareStatement("SELECT content::text, created_at FROM pairing_plan "
                    + "WHERE project_id = ? AND version = ?")) {
                select.setObject(1, projectId);
                select.setInt(2, wanted);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        throw Refused.notFound("pairing plan");
                    }
                    return new PairingPlan(wanted, Json.mapper().readTree(row.getString(1)),
                            row.getTimestamp(2).toInstant());
                }
            }
        });
    }

    private static void writable(Projects.Ref ref) {
        if (ref.status() == Projects.Status.HANDED_OVER || ref.status() == Projects.Status.ARCHIVED) {
            throw Refused.conflict("a project that is " + ref.status() + " can no longer be changed");
        }
    }

    /** The newest version in {@code table} (one of two constants, never input), 0 when there is none. */
    private static int latest(Connection c, String table, UUID projectId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT coalesce(max(version), 0) FROM " + table + " WHERE project_id = ?")) {
            select.setObject(1, projectId);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("SHA-256 is required of every JVM", impossible);
        }
    }
}
