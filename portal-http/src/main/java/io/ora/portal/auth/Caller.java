package io.ora.portal.auth;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An authenticated HTTP caller, as established by {@link TokenVerifier} from a verified access token. Immutable;
 * {@link #toString()} prints the subject and roles only, never the name or e-mail, so a caller can be logged.
 *
 * @param subject   the issuer's stable identifier of the user ({@code sub})
 * @param roles     the roles the token grants; names the portal does not know are already dropped
 * @param authTime  when the user last actively authenticated ({@code auth_time}), for step-up checks
 * @param acr       the authentication context class reference, for step-up checks
 * @param name      display name (personal data)
 * @param email     e-mail address (personal data)
 * @param expiresAt when the token stops being valid ({@code exp})
 */
public record Caller(String subject, Set<Role> roles, Optional<Instant> authTime, Optional<String> acr,
                     Optional<String> name, Optional<String> email, Instant expiresAt) {

    public Caller {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(authTime, "authTime");
        Objects.requireNonNull(acr, "acr");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(expiresAt, "expiresAt");
        // An EnumSet keeps toString and iteration in declaration order whatever set the caller passed.
        EnumSet<Role> copy = EnumSet.noneOf(Role.class);
        copy.addAll(roles);
        roles = Collections.unmodifiableSet(copy);
    }

    /** Whether the token grants {@code role}. */
    public boolean has(Role role) {
        return roles.contains(role);
    }

    @Override
    public String toString() {
        return "Caller[subject=" + subject + ", roles=" + roles + "]";
    }
}
