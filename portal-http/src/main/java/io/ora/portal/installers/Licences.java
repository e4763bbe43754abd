package io.ora.portal.installers;

import io.ora.portal.api.Page;
import io.ora.portal.api.Principal;
import io.ora.portal.audit.AuditLog;
import io.ora.portal.installers.Directory.Licence;
import io.ora.portal.installers.Directory.LicenceStatus;
import io.ora.portal.installers.Directory.LicenceSubmission;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import io.ora.portal.store.Keyset;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Electricians' licences: submitted by their holder, decided by {@link CredentialVerification} or an operator's
 * review, and read when a project is created.
 */
record Licences(Db db, CredentialVerification verification) {

    /** Records (or replaces) the caller's licence; the status comes from {@link CredentialVerification}. */
    CompletionStage<Licence> submitLicence(Principal who, LicenceSubmission submission) {
        LicenceStatus status = verification.onSubmitted(submission);
        return db.tx(c -> {
            try (PreparedStatement upsert = c.prepareStatement("INSERT INTO licence (id, user_id, licence_number, "
                    + "issuing_state, licence_class, expires_on, status) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (user_id) DO UPDATE SET licence_number = EXCLUDED.licence_number, "
                    + "issuing_state = EXCLUDED.issuing_state, licence_class = EXCLUDED.licence_class, "
                    + "expires_on = EXCLUDED.expires_on, status = EXCLUDED.status, submitted_at = now(), "
                    + "reviewed_by = NULL, reviewed_at = NULL, review_note = NULL")) {
                upsert.setObject(1, UUID.randomUUID());
                upsert.setObject(2, who.userId());
                upsert.setString(3, submission.licenceNumber());
                upsert.setString(4, submission.issuingState());
                upsert.setString(5, submission.licenceClass());
                upsert.setDate(6, Date.valueOf(submission.expiresOn()));
                upsert.setString(7, status.name());
                upsert.executeUpdate();
            }
            Licence stored = licenceOf(c, who.userId()).orElseThrow();
            AuditLog.append(c, who.membership().map(Principal.Membership::organisationId).orElse(null), null,
                    who.userId(), AuditLog.Action.LICENCE_SUBMITTED, stored.id().toString());
            return stored;
        });
    }

    CompletionStage<Optional<Licence>> licence(UUID userId) {
        return db.read(c -> licenceOf(c, userId));
    }

    /** Whether {@code userId} may create projects today. Read inside the creating transaction. */
    static boolean licensed(Connection c, UUID userId) throws SQLException {
        Optional<Licence> licence = licenceOf(c, userId);
        return licence.isPresent() && licence.get().allowsWork(LocalDate.now(ZoneOffset.UTC));
    }

    private static final String COLUMNS = "id, user_id, licence_number, issuing_state, licence_class, "
            + "expires_on, status, submitted_at, reviewed_at, review_note";

    private static Optional<Licence> licenceOf(Connection c, UUID userId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM licence WHERE user_id = ?")) {
            select.setObject(1, userId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(licence(row)) : Optional.empty();
            }
        }
    }

    private static Licence licence(ResultSet row) throws SQLException {
        Timestamp reviewed = row.getTimestamp(9);
        return new Licence(row.getObject(1, UUID.class), row.getObject(2, UUID.class), row.getString(3),
                row.getString(4), row.getString(5), row.getDate(6).toLocalDate(),
                LicenceStatus.valueOf(row.getString(7)), row.getTimestamp(8).toInstant(),
                reviewed == null ? null : reviewed.toInstant(), row.getString(10));
    }

    /** One page of licences in {@code status}, oldest submission first: the operators' review queue. */
    CompletionStage<Page<Licence>> licences(LicenceStatus status, Page.Request page) {
        return db.read(c -> {
            List<Licence> rows = Keyset.rows(c, "SELECT " + COLUMNS + " FROM licence WHERE status = ?",
                    "submitted_at", "id", Keyset.Parameters.of(status.name()), page, Licences::licence);
            return Page.of(rows, page.limit(), l -> new Page.Position(l.submittedAt(), l.id()), l -> l);
        });
    }

    /** An operator's decision on a pending licence; not found if none, a conflict if it was already decided. */
    CompletionStage<Licence> review(UUID licenceId, UUID operator, LicenceStatus decision, String note) {
        return db.tx(c -> {
            UUID holder;
            try (PreparedStatement update = c.prepareStatement("UPDATE licence SET status = ?, reviewed_by = ?, "
                    + "reviewed_at = now(), review_note = ? WHERE id = ? AND status = 'PENDING' RETURNING user_id")) {
                update.setString(1, decision.name());
                update.setObject(2, operator);
                update.setString(3, note);
                update.setObject(4, licenceId);
                try (ResultSet row = update.executeQuery()) {
                    if (!row.next()) {
                        throw exists(c, licenceId) ? Refused.conflict("this licence has already been reviewed")
                                : Refused.notFound("licence");
                    }
                    holder = row.getObject(1, UUID.class);
                }
            }
            AuditLog.append(c, null, null, operator, AuditLog.Action.LICENCE_REVIEWED, licenceId.toString());
            return licenceOf(c, holder).orElseThrow();
        });
    }

    private static boolean exists(Connection c, UUID licenceId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT 1 FROM licence WHERE id = ?")) {
            select.setObject(1, licenceId);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }
}
