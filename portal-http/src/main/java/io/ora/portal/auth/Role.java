package io.ora.portal.auth;

import java.util.Optional;

/**
 * What an HTTP caller may act as. The wire names are the values the identity provider puts in the roles claim; a name
 * that is not listed here grants nothing.
 */
public enum Role {
    ELECTRICIAN("electrician"),
    HOMEOWNER("homeowner"),
    OPERATOR("operator");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    /** The name in tokens and on the dev issuer's token endpoint. */
    public String wireName() {
        return wireName;
    }

    /** The role with exactly this wire name (case-sensitive), or empty for anything else, {@code null} included. */
    public static Optional<Role> fromWire(String name) {
        for (Role role : values()) {
            if (role.wireName.equals(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
