package io.ora.portal.api;

import io.ora.portal.auth.Caller;
import io.ora.portal.auth.Role;
import io.ora.portal.refusal.Refused;
import java.util.Optional;
import java.util.UUID;

/**
 * The authenticated caller as the portal knows them: the verified token, their portal user id (created on first
 * login) and, for an electrician, the organisation they belong to. Object-level checks start from here.
 *
 * @param caller     the verified token's subject and claims
 * @param userId     the portal's id for this subject
 * @param membership the caller's organisation, if they are in one
 */
public record Principal(Caller caller, UUID userId, Optional<Membership> membership) {

    /** An electrician's place in an organisation. */
    public record Membership(UUID organisationId, boolean owner) {
    }

    public boolean has(Role role) {
        return caller.roles().contains(role);
    }

    /** The caller's organisation, or a 403 telling them they need one. */
    public Membership requireMembership() {
        return membership.orElseThrow(() -> Refused.forbidden("join or create an organisation first"));
    }

    @Override
    public String toString() {
        return "Principal[user=" + userId + ", roles=" + caller.roles() + "]";
    }
}
