package io.ora.portal;

import static io.ora.portal.PortalTestKit.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.ora.portal.auth.Role;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Over real HTTP: every error the portal answers is an RFC 9457 problem, including the ones routing produces. */
class ProblemsIT {

    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal();

    @Test
    void healthAnswersJsonWithoutAToken() {
        ApiClient.Response response = PORTAL.client().get("/v1/health", null);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("status").asString()).isEqualTo("up");
    }

    @Test
    void anUnknownPathIsANotFoundProblem() {
        assertProblem(PORTAL.client().get("/v1/no-such-thing", null), 404);
        assertProblem(PORTAL.client().get("/v1/projects/", PORTAL.token(Role.ELECTRICIAN)), 404);
    }

    @Test
    void aWrongMethodIsAMethodNotAllowedProblemNamingTheAllowedOnes() {
        ApiClient.Response health = PORTAL.client().delete("/v1/health", null);
        assertProblem(health, 405);
        assertThat(health.header("Allow")).hasValue("GET");
        ApiClient.Response projects = PORTAL.client().delete("/v1/projects", PORTAL.token(Role.ELECTRICIAN));
        assertProblem(projects, 405);
        assertThat(projects.header("Allow").orElseThrow()).contains("GET").contains("POST");
    }

    @Test
    void aMissingOrMalformedAuthorizationIsAnUnauthorizedProblemWithABearerChallenge() {
        ApiClient.Response none = PORTAL.client().get("/v1/me", null);
        assertProblem(none, 401);
        assertThat(none.header("WWW-Authenticate").orElseThrow()).startsWith("Bearer").doesNotContain("error=");
        ApiClient.Response basic = PORTAL.client().send("GET", "/v1/me", null, null, null,
                Map.of("Authorization", "Basic dXNlcjpwYXNz"));
        assertProblem(basic, 401);
        assertThat(basic.header("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_request\"");
    }

    @Test
    void aMalformedIdIsABadRequestProblem() {
        assertProblem(PORTAL.client().get("/v1/projects/not-a-uuid", PORTAL.token(Role.ELECTRICIAN)), 400);
    }
}
