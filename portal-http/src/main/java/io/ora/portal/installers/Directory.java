package io.ora.portal.installers;

import io.ora.portal.api.Page;
import io.ora.portal.api.Principal;
import io.ora.portal.audit.AuditLog;
import io.ora.portal.auth.Caller;
import io.ora.portal.cache.RedisCache;
import io.ora.portal.store.Db;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Portal users, organisations, memberships and licences in PostgreSQL, with the one hot read (who is this caller
 * and which organisation are they in) cached in Redis and invalidated whenever a membership changes. The one
 * entrance to its parts: {@link Principals} (who a caller is), {@link Organisations} (organisations, members, their
 * audit log) and {@link Licences}. Routes call these operations; none of them reaches the database itself.
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

    private final Principals principals;
    private final Organisations organisations;
    private final Licences licences;

    public Directory(Db db, RedisCache cache, CredentialVerification verification) {
        this.principals = new Principals(db, cache);
        this.organisations = new Organisations(db, principals);
        this.licences = new Licences(db, verification);
    }

    /**
     * The portal's view of a verified caller, creating their profile on first login from the token's claims. The
     * answer ({@code userId|organisationId|role}, ids only) is cached under a hash of the subject.
     */
    public CompletionStage<Principal> principal(Caller caller) {
        return principals.principal(caller);
    }

    /** Drops the cached principal of {@code userId} (after a membership change), once the change is committed. */
    public CompletionStage<Void> forget(UUID userId) {
        return principals.forget(userId);
    }

    /** Creates an organisation owned by {@code owner}; refused if they already belong to one. */
    public CompletionStage<Organisation> createOrganisation(UUID owner, String name) {
        return organisations.createOrganisation(owner, name);
    }

    public CompletionStage<Optional<Organisation>> organisation(UUID id) {
        return organisations.organisation(id);
    }

    /** One page of an organisation's members, in the order they joined. */
    public CompletionStage<Page<Member>> members(UUID org, Page.Request page) {
        return organisations.members(org, page);
    }

    /** Adds an existing portal user as a member; refused if no such user or if they are in an organisation. */
    public CompletionStage<Member> addMember(UUID org, UUID actor, UUID user) {
        return organisations.addMember(org, actor, user);
    }

    /** Removes a member (not the owner); refused if they are not a member of {@code org}. */
    public CompletionStage<Void> removeMember(UUID org, UUID actor, UUID user) {
        return organisations.removeMember(org, actor, user);
    }

    /** One page of an organisation's audit log, oldest first. */
    public CompletionStage<Page<AuditLog.Event>> audit(UUID org, Page.Request page) {
        return organisations.audit(org, page);
    }

    /** Records (or replaces) the caller's licence; the status comes from {@link CredentialVerification}. */
    public CompletionStage<Licence> submitLicence(Principal who, LicenceSubmission submission) {
        return licences.submitLicence(who, submission);
    }

    public CompletionStage<Optional<Licence>> licence(UUID userId) {
        return licences.licence(userId);
    }

    /** Whether {@code userId} may create projects today. Read inside the creating transaction. */
    public static boolean licensed(Connection c, UUID userId) throws SQLException {
        return Licences.licensed(c, userId);
    }

    /** One page of licences in {@code status}, oldest submission first: the operators' review queue. */
    public CompletionStage<Page<Licence>> licences(LicenceStatus status, Page.Request page) {
        return licences.licences(status, page);
    }

    /** An operator's decision on a pending licence; refused if there is none or it was already decided. */
    public CompletionStage<Licence> review(UUID licenceId, UUID operator, LicenceStatus decision, String note) {
        return licences.review(licenceId, operator, decision, note);
    }
}
