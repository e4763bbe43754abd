package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.portal.auth.Role;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import tools.jackson.databind.JsonNode;

/** Test fixtures made through the API itself, so every fixture also exercises the real paths. */
final class Installers {

    private Installers() {
    }

    /** An electrician with a verified licence who owns an organisation with one template. */
    record Installer(String token, UUID userId, UUID organisationId, UUID templateId) {
    }

    static Installer licensed(TestPortal portal) {
        ApiClient api = portal.client();
        String token = portal.token(Role.ELECTRICIAN);
        UUID userId = uuid(api.get("/v1/me", token).json(), "userId");
        JsonNode licence = api.put("/v1/me/licence", token, licence(LocalDate.now().plusYears(1)), Map.of()).json();
        assertThat(licence.get("status").asString()).isEqualTo("PENDING");
        assertThat(api.post("/v1/operator/licences/" + licence.get("id").asString() + "/review",
                portal.token(Role.OPERATOR), Map.of("decision", "VERIFIED")).status()).isEqualTo(200);
        UUID org = uuid(api.post("/v1/organisations", token, Map.of("name", "Sparks & Co")).json(), "id");
        UUID template = uuid(api.post("/v1/templates", token, template("Standard home")).json(), "id");
        return new Installer(token, userId, org, template);
    }

    static Map<String, Object> licence(LocalDate expires) {
        return Map.of("licenceNumber", "EC-" + ThreadLocalRandom.current().nextInt(100000, 999999),
                "issuingState", "NSW", "licenceClass", "Unrestricted electrician", "expiresOn", expires.toString());
    }

    static Map<String, Object> template(String name) {
        return Map.of("name", name, "content", Map.of(
                "rooms", List.of(Map.of("id", "kitchen", "name", "Kitchen"), Map.of("id", "hall", "name", "Hall")),
                "devices", List.of(Map.of("type", "dimmer", "room", "kitchen", "count", 2))));
    }

    static UUID uuid(JsonNode node, String field) {
        return UUID.fromString(node.get(field).asString());
    }
}
