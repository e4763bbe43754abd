package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.portal.auth.Role;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * An AccessKey nobody claims expires: the sweeper marks it EXPIRED, returns a PENDING_HANDOVER project to
 * COMMISSIONING and releases its hubs; a late claim is told the key has expired (410), not that it is wrong.
 */
class HandoverExpiryIT {

    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal(Map.of("ora.portal.handover.access-key-ttl", "3s"));

    @Test
    void anUnclaimedKeyExpiresAndTheHandoverFallsBackToCommissioning() {
        ApiClient api = PORTAL.client();
        Installers.Installer installer = Installers.licensed(PORTAL);
        String project = api.post("/v1/projects", installer.token(), Map.of("templateId",
                installer.templateId().toString())).header("Location").orElseThrow();
        String hub = UUID.randomUUID().toString();
        api.post(project + "/hubs", installer.token(), Map.of("hubId", hub, "certificateFingerprint",
                "c3".repeat(32)));
        move(api, installer.token(), project, "COMMISSIONING");
        String code = api.post(project + "/access-key", installer.token(), Map.of()).json().get("code").asString();
        api.put(project + "/project-key", installer.token(), PortalTestKit.envelope(), Map.of());
        move(api, installer.token(), project, "PENDING_HANDOVER");
        assertThat(PORTAL.hubLocks().holder(UUID.fromString(hub))).isPresent();

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                api.get(project, installer.token()).json().get("status").asString().equals("COMMISSIONING"));

        JsonNode key = api.get(project + "/access-key", installer.token()).json();
        assertThat(key.get("state").asString()).isEqualTo("EXPIRED");
        assertThat(key.get("projectKeyUploaded").asBoolean()).as("the envelope went with the key").isFalse();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                PORTAL.hubLocks().holder(UUID.fromString(hub)).isEmpty());
        ApiClient.Response late = api.post("/v1/access-keys/claim", PORTAL.token(Role.HOMEOWNER),
                Map.of("code", code));
        assertThat(late.status()).as("an expired key says so").isEqualTo(410);
    }

    static void move(ApiClient api, String token, String project, String to) {
        String etag = api.get(project, token).header("ETag").orElseThrow();
        assertThat(api.sendJson("POST", project + "/transitions", token, Map.of("to", to), Map.of("If-Match", etag))
                .status()).isEqualTo(200);
    }
}
