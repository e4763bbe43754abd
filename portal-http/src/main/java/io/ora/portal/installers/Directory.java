package io.ora.portal.installers;

import io.ora.core.concurrent.Failures;
import io.ora.portal.api.Page;
import io.ora.portal.api.Principal;
import io.ora.portal.audit.AuditLog;
import io.ora.portal.auth.Caller;
import io.ora.portal.cache.RedisCache;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Portal users, organisations, memberships and licences in PostgreSQL, with the one hot read (who is this caller
 * and which organisation are they in) cached in Redis and invalidated whenever a membership changes.
 */
public final class Directory {

    /** Where a licence stands. */
    public enum LicenceStatus { PENDING, VERIFIED, REJECTED }

    /** An organisation member's standing. */
    public enum MemberRole { OWNER, MEMBER }

    /** A licence as the electrician submits it (already schema-valid). */
    public record LicenceSubmission(String licenceNumber, String issuingState, String licenceClass,
                                    LocalDate expiresOn) {
    }

    /** A stored licence. */
    public record Licence(UUID id, UUID userId, String licenceNumber, String issuingState, String licenceClass,
                          LocalDate expiresOn, LicenceStatus status, Instant submittedAt, Instant reviewedAt,
                          String reviewNote) {

        /** Whether it lets its holder create projects today: verified and not expired (UTC date). */
        public boolean allowsWork(LocalDate today) {
            return status == LicenceStatus.VERIFIED && !expiresOn.isBefore(today);
        }
    }

    /** An organisation. */
    public record Organisation(UUID id, String name, Instant createdAt) {
    }

    /** A member of an organisation. */
    public record Member(UUID userId, String displayName, MemberRole role, Instant addedAt) {
    }

    private static final String CACHE = "principal";

    private final Db db;
    private final RedisCache cache;
    private final CredentialVerification verification;

    public Directory(Db db, RedisCache cache, CredentialVerification verification) {
        this.db = db;
        this.cache = cache;
        this.verification = verification;
    }

    public Db db() {
        return db;
    }

    /**
     * The portal's view of a verified caller, creating their profile on first login from the token's claims. The
     * answer ({@code userId|organisationId|role}, ids only) is cached under a hash of the subject.
     */
    public CompletionStage<Principal> principal(Caller caller) {
        return cache.get(CACHE, subjectKey(caller.subject()), () -> db.tx(c -> Optional.of(loadOrCreate(c, caller))))
                .thenApply(cached -> decode(caller, cached.orElseThrow()));
    }

    private static String loadOrCreate(Connection c, Caller caller) throws SQLException {
        Optional<String> existing = lookUp(c, caller.subject());
        if (existing.isPresent()) {
            return existing.get();
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO portal_user (id, subject, display_name, "
                + "email) VALUES (?, ?, ?, ?) ON CONFLICT (subject) DO NOTHING")) {
            insert.setObject(1, UUID.randomUUID());
            insert.setString(2, caller.subject());
            insert.setString(3, caller.name().map(name -> truncate(name, 200)).orElse(null));
            insert.setString(4, caller.email().map(email -> truncate(email, 254)).orElse(null));
            insert.executeUpdate();
        }
        return lookUp(c, caller.subject()).orElseThrow();
    }

    private static Optional<String> lookUp(Connection c, String subject) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT u.id, m.organisation_id, m.member_role "
                + "FROM portal_user u LEFT JOIN organisation_member m ON m.user_id = u.id WHERE u.subject = ?")) {
            select.setString(1, subject);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                UUID org = row.getObject(2, UUID.class);
                return Optional.of(row.getObject(1, UUID.class) + "|" + (org == null ? "" : org) + "|"
                        + (org == null ? "" : row.getString(3)));
            }
        }
    }

    private static Principal decode(Caller caller, String cached) {
        String[] parts = cached.split("\\|", -1);
        Optional<Principal.Membership> membership = parts[1].isEmpty() ? Optional.empty()
                : Optional.of(new Principal.Membership(UUID.fromString(parts[1]),
                        MemberRole.valueOf(parts[2]) == MemberRole.OWNER));
        return new Principal(caller, UUID.fromString(parts[0]), membership);
    }

    /** Drops the cached principal of {@code userId} (after a membership change), once the change is committed. */
    public CompletionStage<Void> forget(UUID userId) {
        return db.read(c -> subjectOf(c, userId)).thenCompose(subject -> subject
                .map(s -> cache.invalidate(CACHE, subjectKey(s)))
                .orElseGet(() -> CompletableFuture.completedFuture(null)));
    }

    private static Optional<String> subjectOf(Connection c, UUID userId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT subject FROM portal_user WHERE id = ?")) {
            select.setObject(1, userId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        }
    }

    /** Cache keys never hold the subject itself: it identifies a person at the issuer. */
    private static String subjectKey(String subject) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(subject.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("SHA-256 is required of every JVM", impossible);
        }
    }

    private static String truncate(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max);
    }

    // --- organisations ---

    /** Creates an organisation owned by {@code owner}; 409 if they already belong to one. */
    public CompletionStage<Organisation> createOrganisation(UUID owner, String name) {
        UUID id = UUID.randomUUID();
        return db.tx(c -> {
            Instant created;
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO organisation (id, name) VALUES (?, ?) RETURNING created_at")) {
                insert.setObject(1, id);
                insert.setString(2, name);
                try (ResultSet row = insert.executeQuery()) {
                    row.next();
                    created = row.getTimestamp(1).toInstant();
                }
            }
            addMember(c, id, owner, MemberRole.OWNER);
            AuditLog.append(c, id, null, owner, AuditLog.Action.ORGANISATION_CREATED, id.toString());
            return new Organisation(id, name, created);
        }).exceptionally(failure -> {
            throw alreadyMember(failure);
        }).thenCompose(org -> forget(owner).thenApply(done -> org));
    }

    private static RuntimeException alreadyMember(Throwable failure) {
        Throwable cause = Failures.cause(failure);
        if (Db.isUniqueViolation(cause)) {
            return Refused.conflict("that user already belongs to an organisation");
        }
        return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
    }

    private static void addMember(Connection c, UUID org, UUID user, MemberRole role) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO organisation_member (organisation_id, user_id, member_role) VALUES (?, ?, ?)")) {
            insert.setObject(1, org);
            insert.setObject(2, user);
            insert.setString(3, role.name());
            insert.executeUpdate();
        }
    }

    public CompletionStage<Optional<Organisation>> organisation(UUID id) {
        return db.read(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT id, name, created_at FROM organisation WHERE id = ?")) {
                select.setObject(1, id);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(new Organisation(row.getObject(1, UUID.class), row.getString(2),
                            row.getTimestamp(3).toInstant())) : Optional.empty();
                }
            }
        });
    }

    /** One page of an organisation's members, in the order they joined. */
    public CompletionStage<Page<Member>> members(UUID org, Page.Request page) {
        return db.read(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT m.user_id, u.display_name, m.member_role, "
                    + "m.added_at FROM organisation_member m JOIN portal_user u ON u.id = m.user_id "
                    + "WHERE m.organisation_id = ? AND (m.added_at, m.user_id) > (?, ?) "
                    + "ORDER BY m.added_at, m.user_id LIMIT ?")) {
                select.setObject(1, org);
                select.setTimestamp(2, Timestamp.from(page.from().after()));
                select.setObject(3, page.from().afterId());
                select.setInt(4, page.limit() + 1);
                List<Member> rows = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        rows.add(new Member(row.getObject(1, UUID.class), row.getString(2),
                                MemberRole.valueOf(row.getString(3)), row.getTimestamp(4).toInstant()));
                    }
                }
                return Page.of(rows, page.limit(), m -> new Page.Position(m.addedAt(), m.userId()), m -> m);
            }
        });
    }

    /** Adds an existing portal user as a member; 404 if no such user, 409 if they are in an organisation. */
    public CompletionStage<Member> addMember(UUID org, UUID actor, UUID user) {
        return db.tx(c -> {
            if (subjectOf(c, user).isEmpty()) {
                throw Refused.notFound("user (they must sign in to the portal once first)");
            }
            addMember(c, org, user, MemberRole.MEMBER);
            AuditLog.append(c, org, null, actor, AuditLog.Action.MEMBER_ADDED, user.toString());
            try (PreparedStatement select = c.prepareStatement("SELECT u.display_name, m.added_at FROM "
                    + "organisation_member m JOIN portal_user u ON u.id = m.user_id WHERE m.user_id = ?")) {
                select.setObject(1, user);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    return new Member(user, row.getString(1), MemberRole.MEMBER, row.getTimestamp(2).toInstant());
                }
            }
        }).exceptionally(failure -> {
            throw alreadyMember(failure);
        }).thenCompose(member -> forget(user).thenApply(done -> member));
    }

    /** Removes a member (not the owner); 404 if they are not a member of {@code org}. */
    public CompletionStage<Void> removeMember(UUID org, UUID actor, UUID user) {
        return db.tx(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM organisation_member "
                    + "WHERE organisation_id = ? AND user_id = ? AND member_role = 'MEMBER'")) {
                delete.setObject(1, org);
                delete.setObject(2, user);
                if (delete.executeUpdate() == 0) {
                    throw Refused.notFound("member (the owner cannot be removed)");
                }
            }
            AuditLog.append(c, org, null, actor, AuditLog.Action.MEMBER_REMOVED, user.toString());
            return user;
        }).thenCompose(this::forget);
    }

    // --- licences ---

    /** Records (or replaces) the caller's licence; the status comes from {@link CredentialVerification}. */
    public CompletionStage<Licence> submitLicence(Principal who, LicenceSubmission submission) {
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

    public CompletionStage<Optional<Licence>> licence(UUID userId) {
        return db.read(c -> licenceOf(c, userId));
    }

    /** Whether {@code userId} may create projects today. Read inside the creating transaction. */
    public static boolean licensed(Connection c, UUID userId) throws SQLException {
        Optional<Licence> licence = licenceOf(c, userId);
        return licence.isPresent() && licence.get().allowsWork(LocalDate.now(ZoneOffset.UTC));
    }

    private static final String LICENCE_COLUMNS = "id, user_id, licence_number, issuing_state, licence_class, "
            + "expires_on, status, submitted_at, reviewed_at, review_note";

    private static Optional<Licence> licenceOf(Connection c, UUID userId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT " + LICENCE_COLUMNS + " FROM licence WHERE user_id = ?")) {
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
    public CompletionStage<Page<Licence>> licences(LicenceStatus status, Page.Request page) {
        return db.read(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + LICENCE_COLUMNS + " FROM licence "
                    + "WHERE status = ? AND (submitted_at, id) > (?, ?) ORDER BY submitted_at, id LIMIT ?")) {
                select.setString(1, status.name());
                select.setTimestamp(2, Timestamp.from(page.from().after()));
                select.setObject(3, page.from().afterId());
                select.setInt(4, page.limit() + 1);
                List<Licence> rows = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        rows.add(licence(row));
                    }
                }
                return Page.of(rows, page.limit(), l -> new Page.Position(l.submittedAt(), l.id()), l -> l);
            }
        });
    }

    /** An operator's decision on a pending licence; 404 if none, 409 if it was already decided. */
    public CompletionStage<Licence> review(UUID licenceId, UUID operator, LicenceStatus decision, String note) {
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
