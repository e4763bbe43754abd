package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.portal.api.Endpoint;
import io.ora.portal.auth.Role;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI document and the server describe the same API: every operation the server has is in the document
 * with the same id, roles and rate class, and the document lists nothing the server lacks. (Each response every
 * other test receives is validated against the document by {@link ApiClient}.)
 */
class OpenApiIT {

    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal();

    @Test
    void theServedDocumentIsOpenApi31() {
        ApiClient.Response response = PORTAL.client().get("/openapi.json", null);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("openapi").asString()).isEqualTo("3.1.0");
        assertThat(response.json()).isEqualTo(OpenApiContract.document());
    }

    @Test
    void everyServerOperationIsDocumentedWithItsRolesAndRateClass() {
        JsonNode paths = OpenApiContract.document().get("paths");
        for (Endpoint endpoint : PORTAL.portal().endpoints()) {
            JsonNode operation = paths.path(endpoint.path()).path(endpoint.method().name().toLowerCase());
            assertThat(operation.isMissingNode()).as(endpoint.method().name() + " " + endpoint.path()).isFalse();
            assertThat(operation.get("operationId").asString()).isEqualTo(endpoint.operationId());
            Set<String> roles = operation.get("x-ora-roles").valueStream().map(JsonNode::asString)
                    .collect(Collectors.toSet());
            assertThat(roles).as(endpoint.operationId()).isEqualTo(endpoint.roles().stream().map(Role::wireName)
                    .collect(Collectors.toSet()));
            if (!endpoint.rateClass().equals(Endpoint.UNLIMITED)) {
                assertThat(operation.get("x-ora-rate-class").asString()).as(endpoint.operationId())
                        .isEqualTo(endpoint.rateClass());
            }
            assertThat(operation.get("security").isEmpty()).as(endpoint.operationId()).isEqualTo(endpoint.isPublic());
            Set<String> documentedQuery = new HashSet<>();
            operation.path("parameters").forEach(parameter -> {
                JsonNode resolved = OpenApiContract.document().get("components").get("parameters")
                        .get(parameter.get("$ref").asString().substring("#/components/parameters/".length()));
                if (resolved.get("in").asString().equals("query")) {
                    documentedQuery.add(resolved.get("name").asString());
                }
            });
            assertThat(documentedQuery).as(endpoint.operationId() + " query").isEqualTo(endpoint.query());
            if (endpoint.body() instanceof Endpoint.Body.Json json) {
                assertThat(operation.get("requestBody").get("content").get("application/json").get("schema")
                        .get("$ref").asString()).isEqualTo("#/components/schemas/" + json.schema());
            }
        }
    }

    @Test
    void theDocumentListsNothingTheServerLacks() {
        Set<String> served = PORTAL.portal().endpoints().stream()
                .map(endpoint -> endpoint.method().name().toLowerCase() + " " + endpoint.path())
                .collect(Collectors.toSet());
        Set<String> documented = new HashSet<>();
        OpenApiContract.document().get("paths").properties().forEach(path -> path.getValue().properties()
                .forEach(operation -> documented.add(operation.getKey() + " " + path.getKey())));
        assertThat(documented).isEqualTo(served);
        List<String> ids = PORTAL.portal().endpoints().stream().map(Endpoint::operationId).toList();
        assertThat(ids).doesNotHaveDuplicates();
    }
}
