package io.ora.portal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Roles by wire name, and a caller that can be logged without personal data. */
class CallerTest {

    @Test
    void rolesAreFoundByTheirExactWireName() {
        assertThat(Role.fromWire("electrician")).contains(Role.ELECTRICIAN);
        assertThat(Role.fromWire("homeowner")).contains(Role.HOMEOWNER);
        assertThat(Role.fromWire("operator")).contains(Role.OPERATOR);
        assertThat(Role.fromWire("Operator")).isEmpty();
        assertThat(Role.fromWire("OPERATOR")).isEmpty();
        assertThat(Role.fromWire("admin")).isEmpty();
        assertThat(Role.fromWire(null)).isEmpty();
        assertThat(Role.OPERATOR.wireName()).isEqualTo("operator");
    }

    @Test
    void aCallerPrintsSubjectAndRolesButNoPersonalData() {
        Caller caller = new Caller("user-42", Set.of(Role.OPERATOR, Role.ELECTRICIAN), Optional.empty(),
                Optional.of("urn:acr"), Optional.of("Frank Person"), Optional.of("frank@example.com"),
                Instant.EPOCH);

        assertThat(caller.toString()).isEqualTo("Caller[subject=user-42, roles=[ELECTRICIAN, OPERATOR]]");
    }

    @Test
    void aCallersRolesCannotChangeAfterTheFact() {
        Set<Role> roles = new HashSet<>(List.of(Role.HOMEOWNER));
        Caller caller = new Caller("user-42", roles, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Instant.EPOCH);
        roles.add(Role.OPERATOR);

        assertThat(caller.has(Role.OPERATOR)).isFalse();
        assertThat(caller.roles()).containsExactly(Role.HOMEOWNER);
    }
}
