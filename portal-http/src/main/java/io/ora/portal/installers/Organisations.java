package io.ora.portal.installers;

import io.ora.core.concurrent.Failures;
import io.ora.portal.api.Page;
import io.ora.portal.audit.AuditLog;
import io.ora.portal.installers.Directory.Member;
import io.ora.portal.installers.Directory.MemberRole;
import io.ora.portal.installers.Directory.Organisation;
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
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/** Organisations, their members and their audit log; a membership change drops the member's cached principal. */
record Organisations(Db db, Principals principals) {

    /** Creates an organisation owned by {@code owner}; a conflict if they already belong to one. */
    CompletionStage<Organisation> createOrganisation(UUID owner, String name) {
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
        }).thenCompose(org -> principals.forget(owner).thenApply(done -> org));
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

    CompletionStage<Optional<Organisation>> organisation(UUID id) {
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
    CompletionStage<Page<Member>> members(UUID org, Page.Request page) {
        return db.read(c -> {
            List<Member> rows = Keyset.rows(c, "SELECT m.user_id, u.display_name, m.member_role, m.added_at "
                    + "FROM organisation_member m JOIN portal_user u ON u.id = m.user_id WHERE m.organisation_id = ?",
                    "m.added_at", "m.user_id", Keyset.Parameters.of(org), page,
                    row -> new Member(row.getObject(1, UUID.class), row.getString(2),
                            MemberRole.valueOf(row.getString(3)), row.getTimestamp(4).toInstant()));
            return Page.of(rows, page.limit(), m -> new Page.Position(m.addedAt(), m.userId()), m -> m);
        });
    }

    /** Adds an existing portal user as a member; not found if no such user, a conflict if they are in one. */
    CompletionStage<Member> addMember(UUID org, UUID actor, UUID user) {
        return db.tx(c -> {
            if (Principals.subjectOf(c, user).isEmpty()) {
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
        }).thenCompose(member -> principals.forget(user).thenApply(done -> member));
    }

    /** Removes a member (not the owner); not found if they are not a member of {@code org}. */
    CompletionStage<Void> removeMember(UUID org, UUID actor, UUID user) {
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
        }).thenCompose(principals::forget);
    }

    /** One page of an organisation's audit log, oldest first. */
    CompletionStage<Page<AuditLog.Event>> audit(UUID org, Page.Request page) {
        return db.read(c -> Page.of(AuditLog.page(c, org, page), page.limit(),
                event -> new Page.Position(event.at(), event.id()), event -> event));
    }
}
