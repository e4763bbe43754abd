package io.ora.portal.projects;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.ora.persistence.telemetry.HubPseudonym;
import io.ora.persistence.telemetry.TelemetryTable;
import io.ora.portal.api.Page;
import io.ora.portal.api.Principal;
import io.ora.portal.audit.AuditLog;
import io.ora.portal.auth.Role;
import io.ora.portal.installers.Directory;
import io.ora.portal.refusal.Refusal;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import io.ora.portal.store.Keyset;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Projects and the hubs registered to them, in PostgreSQL. Tenancy is enforced in the SQL itself: an electrician
 * reaches only their organisation's projects and a homeowner only the ones handed to them (and, while a handover is
 * pending, the one whose AccessKey they claimed); anything else reads as "not found" (OWASP API1), whether or not it
 * exists.
 */
public final class Projects {

    /** Project states; the handover state machine moves between them, this class only creates DRAFTs. */
    public enum Status { DRAFT, COMMISSIONING, PENDING_HANDOVER, HANDED_OVER, ARCHIVED }

    /** The customer's contact details: personal data, deleted at handover. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Customer(String name, String email, String phone) {
    }

    /** A project as the API shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Project(UUID id, UUID organisationId, UUID templateId, int templateVersion, Status status,
                          int version, Instant createdAt, Instant updatedAt, String siteAddress, Customer customer,
                          String notes, int hubCount, boolean hubsLocked, Instant handedOverAt, Integer deviceCount) {
    }

    /** What creating a project takes (schema-valid). */
    public record Create(UUID templateId, Integer templateVersion, String siteAddress, Customer customer,
                         String notes) {
    }

    /** What an update replaces: each field given replaces the stored one; fields left out are kept. */
    public record Update(String siteAddress, Customer customer, String notes) {
    }

    /** A hub registered to a project, identified by its UUID and its certificate's SHA-256 fingerprint. */
    public record Hub(UUID hubId, String certificateFingerprint, Instant registeredAt) {
    }

    /** What object-level checks learn about a project the caller may reach. */
    public record Ref(UUID id, UUID organisationId, Status status, int version) {
    }

    private static final String COLUMNS = "p.id, p.organisation_id, p.template_id, p.template_version, p.status, "
            + "p.version, p.created_at, p.updated_at, p.site_address, p.customer_name, p.customer_email, "
            + "p.customer_phone, p.notes, (SELECT count(*) FROM project_hub h WHERE h.project_id = p.id), "
            + "p.hubs_locked, p.handed_over_at, p.device_count";

    private final Db db;
    private final int hubsPerProject;
    private final HubPseudonym pseudonym;

    public Projects(Db db, int hubsPerProject, HubPseudonym pseudonym) {
        this.db = db;
        this.hubsPerProject = hubsPerProject;
        this.pseudonym = pseudonym;
    }

    /** Creates a DRAFT project from a template of the caller's organisation; needs a verified, current licence. */
    public CompletionStage<Project> create(Principal who, Create request) {
        Principal.Membership membership = who.requireMembership();
        UUID id = UUID.randomUUID();
        return db.tx(c -> {
            if (!Directory.licensed(c, who.userId())) {
                throw Refused.forbidden("creating projects needs a verified licence that has not expired");
            }
            Templates.Template template = Templates.find(c, membership.organisationId(), request.templateId(),
                            request.templateVersion() == null ? OptionalInt.empty()
                                    : OptionalInt.of(request.templateVersion()))
                    .orElseThrow(() -> Refused.notFound("template"));
            Customer customer = request.customer() == null ? new Customer(null, null, null) : request.customer();
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO project (id, organisation_id, "
                    + "template_id, template_version, status, created_by, site_address, customer_name, "
                    + "customer_email, customer_phone, notes) VALUES (?, ?, ?, ?, 'DRAFT', ?, ?, ?, ?, ?, ?)")) {
                insert.setObject(1, id);
                insert.setObject(2, membership.organisationId());
                insert.setObject(3, template.id());
                insert.setInt(4, template.version());
                insert.setObject(5, who.userId());
                insert.setString(6, request.siteAddress());
                insert.setString(7, customer.name());
                insert.setString(8, customer.email());
                insert.setString(9, customer.phone());
                insert.setString(10, request.notes());
                insert.executeUpdate();
            }
            AuditLog.append(c, membership.organisationId(), id, who.userId(), AuditLog.Action.PROJECT_CREATED,
                    null);
            return read(c, who, id).orElseThrow();
        });
    }

    public CompletionStage<Optional<Project>> get(Principal who, UUID id) {
        return db.read(c -> read(c, who, id));
    }

    public CompletionStage<Page<Project>> list(Principal who, Optional<Status> status, Page.Request page) {
        return db.read(c -> {
            Scope scope = scope(who);
            String wanted = status.map(Enum::name).orElse(null);
            List<Project> rows = Keyset.rows(c, "SELECT " + COLUMNS + " FROM project p WHERE " + scope.predicate()
                    + " AND (?::text IS NULL OR p.status = ?::text)", "p.created_at", "p.id", select -> {
                        int next = scope.bind(select, 1);
                        select.setString(next, wanted);
                        select.setString(next + 1, wanted);
                        return next + 2;
                    }, page, Projects::project);
            return Page.of(rows, page.limit(), p -> new Page.Position(p.createdAt(), p.id()), p -> p);
        });
    }

    /** Replaces the given details if the caller read the current version (stale otherwise). */
    public CompletionStage<Project> update(Principal who, UUID id, OptionalInt expected, Update update) {
        return db.tx(c -> {
            Ref ref = reach(c, who, id, true);
            Refusal.Stale.check(expected, ref.version());
            if (ref.status() == Status.HANDED_OVER || ref.status() == Status.ARCHIVED) {
                throw Refused.conflict("a project that is " + ref.status() + " can no longer be changed");
            }
            boolean customer = update.customer() != null;
            try (PreparedStatement change = c.prepareStatement("UPDATE project SET "
                    + "site_address = CASE WHEN ? THEN ? ELSE site_address END, "
                    + "customer_name = CASE WHEN ? THEN ? ELSE customer_name END, "
                    + "customer_email = CASE WHEN ? THEN ? ELSE customer_email END, "
                    + "customer_phone = CASE WHEN ? THEN ? ELSE customer_phone END, "
                    + "notes = CASE WHEN ? THEN ? ELSE notes END, "
                    + "version = version + 1, updated_at = now() WHERE id = ?")) {
                change.setBoolean(1, update.siteAddress() != null);
                change.setString(2, update.siteAddress());
                change.setBoolean(3, customer);
                change.setString(4, customer ? update.customer().name() : null);
                change.setBoolean(5, customer);
                change.setString(6, customer ? update.customer().email() : null);
                change.setBoolean(7, customer);
                change.setString(8, customer ? update.customer().phone() : null);
                change.setBoolean(9, update.notes() != null);
                change.setString(10, update.notes());
                change.setObject(11, id);
                change.executeUpdate();
            }
            AuditLog.append(c, ref.organisationId(), id, who.userId(), AuditLog.Action.PROJECT_UPDATED, null);
            return read(c, who, id).orElseThrow();
        });
    }

    /** Registers a hub; a conflict if it already belongs to a project (this one or another). */
    public CompletionStage<Hub> registerHub(Principal who, UUID projectId, UUID hubId, String fingerprint) {
        String normalised = fingerprint.replace(":", "").toLowerCase(Locale.ROOT);
        return db.tx(c -> {
            Ref ref = reach(c, who, projectId, true);
            if (ref.status() != Status.DRAFT && ref.status() != Status.COMMISSIONING) {
                throw Refused.conflict("hubs can be registered only while the project is DRAFT or COMMISSIONING");
            }
            if (hubCount(c, projectId) >= hubsPerProject) {
                throw Refused.conflict("a project holds at most " + hubsPerProject + " hubs");
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO project_hub (hub_id, project_id, "
                    + "certificate_fingerprint, registered_by) VALUES (?, ?, ?, ?) ON CONFLICT (hub_id) DO NOTHING "
                    + "RETURNING registered_at")) {
                insert.setObject(1, hubId);
                insert.setObject(2, projectId);
                insert.setString(3, normalised);
                insert.setObject(4, who.userId());
                try (ResultSet row = insert.executeQuery()) {
                    if (!row.next()) {
                        throw Refused.conflict("that hub is already registered to a project");
                    }
                    AuditLog.append(c, ref.organisationId(), projectId, who.userId(),
                            AuditLog.Action.HUB_REGISTERED, hubId.toString());
                    return new Hub(hubId, normalised, row.getTimestamp(1).toInstant());
                }
            }
        });
    }

    public CompletionStage<Page<Hub>> hubs(Principal who, UUID projectId, Page.Request page) {
        return db.read(c -> {
            reach(c, who, projectId, false);
            List<Hub> rows = Keyset.rows(c, "SELECT hub_id, certificate_fingerprint, registered_at FROM project_hub "
                    + "WHERE project_id = ?", "registered_at", "hub_id", Keyset.Parameters.of(projectId), page,
                    row -> new Hub(row.getObject(1, UUID.class), row.getString(2), row.getTimestamp(3).toInstant()));
            return Page.of(rows, page.limit(), h -> new Page.Position(h.registeredAt(), h.hubId()), h -> h);
        });
    }

    /** De-registers a hub and erases its telemetry, together: neither happens without the other. */
    public CompletionStage<Void> removeHub(Principal who, UUID projectId, UUID hubId) {
        return db.tx(c -> {
            Ref ref = reach(c, who, projectId, true);
            if (ref.status() != Status.DRAFT && ref.status() != Status.COMMISSIONING) {
                throw Refused.conflict("hubs can be removed only while the project is DRAFT or COMMISSIONING");
            }
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM project_hub WHERE project_id = ? AND hub_id = ?")) {
                delete.setObject(1, projectId);
                delete.setObject(2, hubId);
                if (delete.executeUpdate() == 0) {
                    throw Refused.notFound("hub in this project");
                }
            }
            // A de-registered hub's telemetry describes a home it may no longer be in; it goes with the hub, or the
            // hub stays registered.
            TelemetryTable.erase(c, pseudonym.of(hubId));
            AuditLog.append(c, ref.organisationId(), projectId, who.userId(), AuditLog.Action.HUB_REMOVED,
                    hubId.toString());
            return null;
        });
    }

    /**
     * The project if {@code who} may reach it, else not found. With {@code forUpdate} the row is locked for the rest of
     * the transaction, so a write and its version check cannot interleave with another write.
     */
    public static Ref reach(Connection c, Principal who, UUID projectId, boolean forUpdate) throws SQLException {
        Scope scope = scope(who);
        try (PreparedStatement select = c.prepareStatement("SELECT p.id, p.organisation_id, p.status, p.version "
                + "FROM project p WHERE p.id = ? AND " + scope.predicate() + (forUpdate ? " FOR UPDATE OF p" : ""))) {
            select.setObject(1, projectId);
            scope.bind(select, 2);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw Refused.notFound("project");
                }
                return new Ref(row.getObject(1, UUID.class), row.getObject(2, UUID.class),
                        Status.valueOf(row.getString(3)), row.getInt(4));
            }
        }
    }

    /**
     * What ties a project to this caller, as a condition on {@code project p} whose every parameter is {@code id}:
     * their organisation; or, for a homeowner, a project handed over to them or the one whose current AccessKey they
     * hold the live claim on (nothing else before the handover: ending the key ends the reach).
     */
    private record Scope(String predicate, int parameters, UUID id) {
        /** Binds the predicate's parameters from {@code index} on; returns the next free index. */
        int bind(PreparedStatement statement, int index) throws SQLException {
            for (int i = 0; i < parameters; i++) {
                statement.setObject(index + i, id);
            }
            return index + parameters;
        }
    }

    /**
     * A live claim on an AccessKey {@code k}: the project's current key, claimed and not yet expired. Who holds it
     * may read the project, fetch its wrapped Project Key and complete its handover (io.ora.portal.handover).
     */
    public static final String LIVE_CLAIM = "k.state = 'CLAIMED' AND k.expires_at > now()";

    private static Scope scope(Principal who) {
        if (who.has(Role.ELECTRICIAN) && who.membership().isPresent()) {
            return new Scope("p.organisation_id = ?", 1, who.membership().get().organisationId());
        }
        if (who.has(Role.HOMEOWNER)) {
            return new Scope("(p.homeowner_user_id = ? OR p.id IN (SELECT k.project_id FROM access_key k "
                    + "WHERE k.claimed_by = ? AND " + LIVE_CLAIM + "))", 2, who.userId());
        }
        // An electrician outside any organisation reaches nothing: a random id matches no row.
        return new Scope("p.organisation_id = ?", 1, new UUID(0, 0));
    }

    private static Optional<Project> read(Connection c, Principal who, UUID id) throws SQLException {
        Scope scope = scope(who);
        try (PreparedStatement select = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM project p WHERE p.id = ? AND " + scope.predicate())) {
            select.setObject(1, id);
            scope.bind(select, 2);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(project(row)) : Optional.empty();
            }
        }
    }

    /** A project by id alone, for a caller whose access was already checked in this transaction. */
    public static Project readAny(Connection c, UUID id) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM project p WHERE p.id = ?")) {
            select.setObject(1, id);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw Refused.notFound("project");
                }
                return project(row);
            }
        }
    }

    private static Project project(ResultSet row) throws SQLException {
        String name = row.getString(10);
        String email = row.getString(11);
        String phone = row.getString(12);
        Customer customer = name == null && email == null && phone == null ? null : new Customer(name, email, phone);
        Timestamp handedOver = row.getTimestamp(16);
        Integer devices = row.getObject(17, Integer.class);
        return new Project(row.getObject(1, UUID.class), row.getObject(2, UUID.class), row.getObject(3, UUID.class),
                row.getInt(4), Status.valueOf(row.getString(5)), row.getInt(6), row.getTimestamp(7).toInstant(),
                row.getTimestamp(8).toInstant(), row.getString(9), customer, row.getString(13), row.getInt(14),
                row.getBoolean(15), handedOver == null ? null : handedOver.toInstant(),
                devices);
    }

    private static int hubCount(Connection c, UUID projectId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT count(*) FROM project_hub WHERE project_id = ?")) {
            select.setObject(1, projectId);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }
}
