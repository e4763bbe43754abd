package io.ora.portal.projects;

import io.ora.portal.api.Json;
import io.ora.portal.api.Page;
import io.ora.portal.audit.AuditLog;
import io.ora.portal.refusal.Refusal;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import io.ora.portal.store.Keyset;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.postgresql.util.PGobject;
import tools.jackson.databind.JsonNode;

/**
 * Organisation-owned project templates, versioned by appending: a revision never changes a version a project was
 * made from. Every read is scoped to the caller's organisation, so another tenant's template is simply not found.
 */
public final class Templates {

    /** One version of a template. */
    public record Template(UUID id, int version, String name, JsonNode content, Instant createdAt) {
    }

    /** A template in a list: its newest version's name. */
    public record Summary(UUID id, int latestVersion, String name, Instant createdAt) {
    }

    private final Db db;

    public Templates(Db db) {
        this.db = db;
    }

    public CompletionStage<Template> create(UUID org, UUID actor, String name, JsonNode content) {
        UUID id = UUID.randomUUID();
        return db.tx(c -> {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO project_template (id, organisation_id) VALUES (?, ?)")) {
                insert.setObject(1, id);
                insert.setObject(2, org);
                insert.executeUpdate();
            }
            Template created = insertVersion(c, id, 1, name, content, actor);
            AuditLog.append(c, org, null, actor, AuditLog.Action.TEMPLATE_CREATED, id.toString());
            return created;
        });
    }

    /** Appends a version after {@code expected} (stale if another revision got there first). */
    public CompletionStage<Template> revise(UUID org, UUID id, UUID actor, OptionalInt expected, String name,
                                            JsonNode content) {
        return db.tx(c -> {
            int latest = latestVersion(c, org, id, true).orElseThrow(() -> Refused.notFound("template"));
            Refusal.Stale.check(expected, latest);
            Template revised = insertVersion(c, id, latest + 1, name, content, actor);
            AuditLog.append(c, org, null, actor, AuditLog.Action.TEMPLATE_REVISED, id.toString());
            return revised;
        });
    }

    /** The newest version, or {@code version} if given; empty when it is not this organisation's. */
    public CompletionStage<Optional<Template>> get(UUID org, UUID id, OptionalInt version) {
        return db.read(c -> find(c, org, id, version));
    }

    /** Reads a template version inside another transaction (project creation). */
    static Optional<Template> find(Connection c, UUID org, UUID id, OptionalInt version) throws SQLException {
        OptionalInt wanted = version.isPresent() ? version : latestVersion(c, org, id, false);
        if (wanted.isEmpty()) {
            return Optional.empty();
        }
        try (PreparedStatement select = c.prepareStatement("SELECT v.name, v.content::text, v.created_at "
                + "FROM project_template_version v JOIN project_template t ON t.id = v.template_id "
                + "WHERE t.organisation_id = ? AND v.template_id = ? AND v.version = ?")) {
            select.setObject(1, org);
            select.setObject(2, id);
            select.setInt(3, wanted.getAsInt());
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new Template(id, wanted.getAsInt(), row.getString(1),
                        Json.mapper().readTree(row.getString(2)), row.getTimestamp(3).toInstant()))
                        : Optional.empty();
            }
        }
    }

    public CompletionStage<Page<Summary>> list(UUID org, Page.Request page) {
        return db.read(c -> {
            List<Summary> rows = Keyset.rows(c, "SELECT t.id, t.created_at, v.version, v.name "
                    + "FROM project_template t JOIN LATERAL (SELECT version, name FROM project_template_version "
                    + "WHERE template_id = t.id ORDER BY version DESC LIMIT 1) v ON true "
                    + "WHERE t.organisation_id = ?", "t.created_at", "t.id", Keyset.Parameters.of(org), page,
                    row -> new Summary(row.getObject(1, UUID.class), row.getInt(3), row.getString(4),
                            row.getTimestamp(2).toInstant()));
            return Page.of(rows, page.limit(), s -> new Page.Position(s.createdAt(), s.id()), s -> s);
        });
    }

    private static OptionalInt latestVersion(Connection c, UUID org, UUID id, boolean lock) throws SQLException {
        // Locking the template row serialises concurrent revisions, so two of them cannot both pass the check.
        try (PreparedStatement select = c.prepareStatement("SELECT (SELECT max(version) FROM "
                + "project_template_version WHERE template_id = t.id) FROM project_template t "
                + "WHERE t.id = ? AND t.organisation_id = ?" + (lock ? " FOR UPDATE" : ""))) {
            select.setObject(1, id);
            select.setObject(2, org);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? OptionalInt.of(row.getInt(1)) : OptionalInt.empty();
            }
        }
    }

    private static Template insertVersion(Connection c, UUID id, int version, String name, JsonNode content,
                                          UUID actor) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO project_template_version (template_id, "
                + "version, name, content, created_by) VALUES (?, ?, ?, ?, ?) RETURNING created_at")) {
            insert.setObject(1, id);
            insert.setInt(2, version);
            insert.setString(3, name);
            insert.setObject(4, jsonb(content));
            insert.setObject(5, actor);
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return new Template(id, version, name, content, row.getTimestamp(1).toInstant());
            }
        }
    }

    /** A JSON value as a {@code jsonb} parameter. */
    public static PGobject jsonb(JsonNode value) throws SQLException {
        PGobject json = new PGobject();
        json.setType("jsonb");
        json.setValue(Json.mapper().writeValueAsString(value));
        return json;
    }
}
