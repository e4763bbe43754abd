package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.portal.api.Endpoint;
import io.ora.portal.auth.Role;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Enumerates every operation the portal serves: without a token each protected one answers 401 with a Bearer
 * challenge, and with a token of each role it does not name it answers 403. Nothing is hand-listed, so a new route
 * is covered the moment it exists.
 */
class RbacIT {

    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal();

    @TestFactory
    Stream<DynamicTest> everyProtectedOperationRefusesMissingTokensAndOtherRoles() {
        ApiClient client = PORTAL.client();
        Map<Role, String> tokens = Map.of(
                Role.ELECTRICIAN, PORTAL.token(Role.ELECTRICIAN),
                Role.HOMEOWNER, PORTAL.token(Role.HOMEOWNER),
                Role.OPERATOR, PORTAL.token(Role.OPERATOR));
        assertThat(PORTAL.portal().endpoints()).hasSizeGreaterThan(20);
        return PORTAL.portal().endpoints().stream().filter(endpoint -> !endpoint.isPublic()).flatMap(endpoint -> {
            String path = concrete(endpoint);
            String method = endpoint.method().name();
            Stream<DynamicTest> anonymous = Stream.of(DynamicTest.dynamicTest(endpoint.operationId() + " without a "
                    + "token is 401", () -> {
                ApiClient.Response response = client.send(method, path, null, null, null, Map.of());
                assertThat(response.status()).isEqualTo(401);
                assertThat(response.header("WWW-Authenticate")).hasValueSatisfying(challenge ->
                        assertThat(challenge).startsWith("Bearer"));
            }));
            Stream<DynamicTest> otherRoles = Stream.of(Role.values())
                    .filter(role -> !endpoint.roles().contains(role))
                    .map(role -> DynamicTest.dynamicTest(endpoint.operationId() + " as " + role.wireName()
                            + " is 403", () -> assertThat(client.send(method, path, tokens.get(role), null, null,
                            Map.of()).status()).isEqualTo(403)));
            return Stream.concat(anonymous, otherRoles);
        });
    }

    @TestFactory
    Stream<DynamicTest> aForgedOrGarbageTokenIsRefusedEverywhere() {
        ApiClient client = PORTAL.client();
        String valid = PORTAL.token(Role.ELECTRICIAN);
        String[] parts = valid.split("\\.");
        String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];
        return PORTAL.portal().endpoints().stream().filter(endpoint -> !endpoint.isPublic())
                .map(endpoint -> DynamicTest.dynamicTest(endpoint.operationId(), () -> {
                    for (String token : new String[] {tampered, "not-a-jwt", valid + "x"}) {
                        ApiClient.Response response = client.send(endpoint.method().name(), concrete(endpoint),
                                token, null, null, Map.of());
                        assertThat(response.status()).isEqualTo(401);
                        assertThat(response.header("WWW-Authenticate").orElseThrow())
                                .contains("error=\"invalid_token\"");
                    }
                }));
    }

    /** The endpoint's path with a random UUID for each parameter. */
    static String concrete(Endpoint endpoint) {
        return endpoint.path().replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
    }
}
