package io.ora.portal;

import static io.ora.portal.PortalTestKit.b64;
import static io.ora.portal.PortalTestKit.envelope;
import static org.assertj.core.api.Assertions.assertThat;

import io.ora.persistence.StoredText;
import io.ora.portal.api.Json;
import io.ora.portal.auth.Role;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The handover through the portal over real HTTP, PostgreSQL and Redis: AccessKeys, custody of the wrapped Project
 * Key, the claim with its limits, RFC 9470 step-up, the state machine with its hub lock, and de-identification.
 * (The wrap itself is real cryptography in hub-kit; here the envelope is opaque bytes of the right shape, which is
 * all the portal may ever see of it. The whole story with a real relay is the node's end-to-end test.)
 */
class HandoverIT {

    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal();


    final ApiClient api = PORTAL.client();

    /** A COMMISSIONING project with one hub and distinctive personal data. */
    record Site(Installers.Installer installer, String project, UUID hub, String marker) {
    }

    Site commissioning() {
        Installers.Installer installer = Installers.licensed(PORTAL);
        String marker = "Zq" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String project = api.post("/v1/projects", installer.token(), Map.of(
                "templateId", installer.templateId().toString(),
                "siteAddress", marker + " Street, Sydney", "notes", "notes-" + marker,
                "customer", Map.of("name", "Name" + marker, "email", marker.toLowerCase(Locale.ROOT) + "@example.com",
                        "phone", "+61 2 5550 1234"))).header("Location").orElseThrow();
        UUID hub = UUID.randomUUID();
        assertThat(api.post(project + "/hubs", installer.token(), Map.of("hubId", hub.toString(),
                "certificateFingerprint", "a1".repeat(32))).status()).isEqualTo(201);
        assertThat(api.send("PUT", project + "/floor-plan?fileName=" + marker + ".png", installer.token(),
                "image/png", PortalTestKit.PNG, Map.of("If-None-Match", "*")).status()).isEqualTo(201);
        assertThat(api.put(project + "/pairing-plan", installer.token(), Map.of(
                "rooms", List.of(Map.of("id", "lounge", "name", "Room " + marker)),
                "devices", List.of(Map.of("id", "d1", "type", "dimmer", "room", "lounge", "label", "L" + marker),
                        Map.of("id", "d2", "type", "relay", "room", "lounge"))), Map.of("If-None-Match", "*"))
                .status()).isEqualTo(201);
        transition(installer.token(), project, "COMMISSIONING", 200);
        return new Site(installer, project, hub, marker);
    }

    ApiClient.Response transition(String token, String project, String to, int expected) {
        String etag = api.get(project, token).header("ETag").orElse("\"1\"");
        ApiClient.Response response = api.sendJson("POST", project + "/transitions", token, Map.of("to", to),
                Map.of("If-Match", etag));
        assertThat(response.status()).as("%s -> %s", project, to).isEqualTo(expected);
        return response;
    }

    /** Issues a key and uploads an envelope for it; returns the code. */
    String keyAndEnvelope(Site site, Map<String, Object> envelope) {
        ApiClient.Response issued = api.post(site.project() + "/access-key", site.installer().token(), Map.of());
        assertThat(issued.status()).isEqualTo(201);
        assertThat(issued.header("Cache-Control").orElseThrow()).contains("no-store");
        assertThat(api.put(site.project() + "/project-key", site.installer().token(), envelope, Map.of()).status())
                .isEqualTo(204);
        return issued.json().get("code").asString();
    }

    @Test
    void theWholeHandoverThroughThePortal() throws Exception {
        Site site = commissioning();
        Map<String, Object> envelope = envelope();
        String code = keyAndEnvelope(site, envelope);
        JsonNode status = api.get(site.project() + "/access-key", site.installer().token()).json();
        assertThat(status.get("state").asString()).isEqualTo("ACTIVE");
        assertThat(status.get("projectKeyUploaded").asBoolean()).isTrue();
        assertThat(status.toString()).doesNotContain(code.substring(6));

        JsonNode pending = transition(site.installer().token(), site.project(), "PENDING_HANDOVER", 200).json();
        assertThat(pending.get("hubsLocked").asBoolean()).isTrue();
        assertThat(PORTAL.hubLocks().holder(site.hub())).hasValue(pending.get("id").asString());
        assertThat(api.post(site.project() + "/hubs", site.installer().token(), Map.of("hubId",
                UUID.randomUUID().toString(), "certificateFingerprint", "b2".repeat(32))).status())
                .as("no hub changes while pending").isEqualTo(409);

        String homeownerId = "owner-" + UUID.randomUUID();
        String homeowner = PORTAL.token(homeownerId, Role.HOMEOWNER);
        assertThat(api.get(site.project(), homeowner).status()).as("not theirs yet").isEqualTo(404);
        String typed = code.toLowerCase(Locale.ROOT).replace("-", " ");
        JsonNode claimed = api.post("/v1/access-keys/claim", homeowner, Map.of("code", typed)).json();
        assertThat(claimed.get("projectId").asString()).isEqualTo(pending.get("id").asString());
        assertThat(api.get(site.project(), homeowner).status()).isEqualTo(200);
        assertThat(api.post("/v1/access-keys/claim", PORTAL.token(Role.HOMEOWNER), Map.of("code", code)).status())
                .as("single use").isIn(404, 409);

        String stale = PORTAL.token(homeownerId, Optional.of(Duration.ofMinutes(10)), Role.HOMEOWNER);
        ApiClient.Response stepUp = api.get(site.project() + "/project-key", stale);
        assertThat(stepUp.status()).isEqualTo(401);
        assertThat(stepUp.header("WWW-Authenticate").orElseThrow())
                .contains("error=\"insufficient_user_authentication\"").contains("max_age=\"300\"");
        assertThat(transition(homeowner, site.project(), "HANDED_OVER", 409).json().get("detail").asString())
                .contains("Project Key");

        ApiClient.Response released = api.get(site.project() + "/project-key", homeowner);
        assertThat(released.status()).isEqualTo(200);
        assertThat(released.header("Cache-Control").orElseThrow()).contains("no-store");
        assertThat(released.json()).isEqualTo(Json.mapper().valueToTree(envelope));

        JsonNode handed = transition(homeowner, site.project(), "HANDED_OVER", 200).json();
        assertThat(handed.get("hubsLocked").asBoolean()).isFalse();
        assertThat(PORTAL.hubLocks().holder(site.hub())).isEmpty();
        assertThat(handed.has("customer")).isFalse();
        assertThat(handed.has("siteAddress")).isFalse();
        assertThat(handed.get("deviceCount").asInt()).isEqualTo(2);
        assertThat(handed.get("hubCount").asInt()).isEqualTo(1);
        assertThat(api.get(site.project() + "/floor-plan", site.installer().token()).status()).isEqualTo(404);
        assertThat(api.get(site.project() + "/pairing-plan", site.installer().token()).status()).isEqualTo(404);
        assertThat(api.get(site.project() + "/project-key", homeowner).status()).isEqualTo(404);
        assertThat(api.get(site.project(), site.installer().token()).json().get("status").asString())
                .isEqualTo("HANDED_OVER");

        assertThat(everyStoredText()).as("personal data left in PostgreSQL").doesNotContain(site.marker())
                .doesNotContain(site.marker().toLowerCase(Locale.ROOT));
    }

    static String everyStoredText() throws Exception {
        try (Connection c = PORTAL.dataSource().getConnection()) {
            return StoredText.everything(c);
        }
    }

    @Test
    void twoConcurrentClaimsOfOneCodeHaveExactlyOneWinner() {
        Site site = commissioning();
        String code = keyAndEnvelope(site, envelope());
        transition(site.installer().token(), site.project(), "PENDING_HANDOVER", 200);
        List<String> homeowners = List.of(PORTAL.token(Role.HOMEOWNER), PORTAL.token(Role.HOMEOWNER),
                PORTAL.token(Role.HOMEOWNER), PORTAL.token(Role.HOMEOWNER));

        List<CompletableFuture<Integer>> claims = homeowners.stream().map(token -> CompletableFuture.supplyAsync(() ->
                api.post("/v1/access-keys/claim", token, Map.of("code", code)).status())).toList();
        List<Integer> statuses = claims.stream().map(CompletableFuture::join).toList();

        assertThat(statuses.stream().filter(status -> status == 200)).hasSize(1);
        assertThat(statuses).isSubsetOf(200, 404, 409);
        assertThat(homeowners.stream().filter(token -> api.get(site.project(), token).status() == 200)).hasSize(1);
    }

    @Test
    void aKeyIsRevokedAfterTooManyWrongCodesAndAnAccountIsLockedOut() {
        Site site = commissioning();
        String code = keyAndEnvelope(site, envelope());
        transition(site.installer().token(), site.project(), "PENDING_HANDOVER", 200);
        String wrong = code.substring(0, 6) + (code.charAt(6) == 'A' ? 'B' : 'A') + code.substring(7);

        for (int i = 0; i < 5; i++) {
            assertThat(api.post("/v1/access-keys/claim", PORTAL.token(Role.HOMEOWNER), Map.of("code", wrong))
                    .status()).isEqualTo(404);
        }
        assertThat(api.post("/v1/access-keys/claim", PORTAL.token(Role.HOMEOWNER), Map.of("code", code)).status())
                .as("the key was revoked after 5 wrong codes").isEqualTo(404);
        assertThat(api.get(site.project() + "/access-key", site.installer().token()).json().get("state")
                .asString()).isEqualTo("REVOKED");

        String guesser = PORTAL.token(Role.HOMEOWNER);
        for (int i = 0; i < 5; i++) {
            assertThat(api.post("/v1/access-keys/claim", guesser, Map.of("code", "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZ"
                    + i)).status()).isEqualTo(404);
        }
        ApiClient.Response locked = api.post("/v1/access-keys/claim", guesser, Map.of("code", code));
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.header("Retry-After")).isPresent();
    }

    @Test
    void regeneratingRevokesTheOldCodeAndNeedsANewWrap() {
        Site site = commissioning();
        String first = keyAndEnvelope(site, envelope());
        transition(site.installer().token(), site.project(), "PENDING_HANDOVER", 200);
        ApiClient.Response second = api.post(site.project() + "/access-key", site.installer().token(), Map.of());
        assertThat(second.status()).isEqualTo(201);
        String secondCode = second.json().get("code").asString();
        assertThat(secondCode).isNotEqualTo(first);

        assertThat(api.post("/v1/access-keys/claim", PORTAL.token(Role.HOMEOWNER), Map.of("code", first)).status())
                .isEqualTo(404);
        assertThat(api.post("/v1/access-keys/claim", PORTAL.token(Role.HOMEOWNER), Map.of("code", secondCode))
                .status()).as("no envelope for the new key yet").isEqualTo(409);
        api.put(site.project() + "/project-key", site.installer().token(), envelope(), Map.of());
        assertThat(api.post("/v1/access-keys/claim", PORTAL.token(Role.HOMEOWNER), Map.of("code", secondCode))
                .status()).isEqualTo(200);
    }

    @Test
    void illegalTransitionsAreRefusedAndCancelReleasesTheLock() {
        Site site = commissioning();
        transition(site.installer().token(), site.project(), "PENDING_HANDOVER", 409);
        transition(site.installer().token(), site.project(), "HANDED_OVER", 409);
        transition(site.installer().token(), site.project(), "COMMISSIONING", 409);
        keyAndEnvelope(site, envelope());
        transition(site.installer().token(), site.project(), "PENDING_HANDOVER", 200);
        assertThat(PORTAL.hubLocks().holder(site.hub())).isPresent();
        transition(PORTAL.token(Role.HOMEOWNER), site.project(), "HANDED_OVER", 404);

        JsonNode cancelled = transition(site.installer().token(), site.project(), "COMMISSIONING", 200).json();
        assertThat(cancelled.get("hubsLocked").asBoolean()).isFalse();
        assertThat(PORTAL.hubLocks().holder(site.hub())).isEmpty();
        assertThat(api.get(site.project() + "/access-key", site.installer().token()).json().get("state")
                .asString()).isEqualTo("REVOKED");
        assertThat(api.post(site.project() + "/transitions", site.installer().token(), Map.of("to",
                "ARCHIVED")).status()).as("If-Match required").isEqualTo(428);
    }

    @Test
    void concurrentTransitionsFromOneVersionHaveExactlyOneWinner() {
        Site site = commissioning();
        keyAndEnvelope(site, envelope());
        String etag = api.get(site.project(), site.installer().token()).header("ETag").orElseThrow();
        List<CompletableFuture<Integer>> racers = List.of("PENDING_HANDOVER", "ARCHIVED", "PENDING_HANDOVER",
                "ARCHIVED").stream().map(to -> CompletableFuture.supplyAsync(() -> api.sendJson("POST",
                site.project() + "/transitions", site.installer().token(), Map.of("to", to),
                Map.of("If-Match", etag)).status())).toList();
        List<Integer> statuses = racers.stream().map(CompletableFuture::join).toList();
        assertThat(statuses.stream().filter(status -> status == 200)).hasSize(1);
        assertThat(statuses).isSubsetOf(200, 412);
    }

    @Test
    void whenTheRelayDoesNotAnswerTheLockIsRecordedAsPendingAndTheSweeperAppliesIt() {
        Site site = commissioning();
        keyAndEnvelope(site, envelope());
        PORTAL.hubLocks().answering(false);
        JsonNode pending;
        try {
            pending = transition(site.installer().token(), site.project(), "PENDING_HANDOVER", 200).json();
        } finally {
            PORTAL.hubLocks().answering(true);
        }
        assertThat(pending.get("hubsLocked").asBoolean()).isFalse();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                api.get(site.project(), site.installer().token()).json().get("hubsLocked").asBoolean());
        assertThat(PORTAL.hubLocks().holder(site.hub())).isPresent();
    }

    @Test
    void malformedEnvelopesAreRefusedAndNothingIsStored() {
        Site site = commissioning();
        api.post(site.project() + "/access-key", site.installer().token(), Map.of());
        List<Map<String, Object>> bad = List.of(
                Map.of("version", 2, "kdf", envelope().get("kdf"), "cipher", envelope().get("cipher")),
                Map.of("version", 1, "kdf", Map.of("name", "argon2id", "memoryKiB", 1 << 30, "iterations", 3,
                        "parallelism", 1, "salt", b64(16)), "cipher", envelope().get("cipher")),
                Map.of("version", 1, "kdf", Map.of("name", "argon2id", "memoryKiB", 65536, "iterations", 3,
                        "parallelism", 1, "salt", b64(16)), "cipher", Map.of("name", "AES-256-GCM", "nonce", b64(16),
                        "ciphertext", b64(48))),
                Map.of("version", 1, "kdf", envelope().get("kdf"), "cipher", envelope().get("cipher"), "key", "x"));
        for (Map<String, Object> envelope : bad) {
            assertThat(api.put(site.project() + "/project-key", site.installer().token(), envelope, Map.of())
                    .status()).isEqualTo(400);
        }
        assertThat(api.get(site.project() + "/access-key", site.installer().token()).json()
                .get("projectKeyUploaded").asBoolean()).isFalse();
    }

    /** A homeowner who claimed {@code code} and fetched the envelope; returns their token. */
    String claimAndFetch(Site site, String code) {
        String homeowner = PORTAL.token("owner-" + UUID.randomUUID(), Role.HOMEOWNER);
        assertThat(api.post("/v1/access-keys/claim", homeowner, Map.of("code", code)).status()).isEqualTo(200);
        assertThat(api.get(site.project() + "/project-key", homeowner).status()).isEqualTo(200);
        return homeowner;
    }

    /** Everything a claim opened to the homeowner answers 404 once it has ended. */
    void nothingIsOpenTo(String homeowner, Site site) {
        for (String path : List.of("", "/floor-plan", "/pairing-plan", "/hubs", "/project-key")) {
            assertThat(api.get(site.project() + path, homeowner).status()).as("GET %s", path).isEqualTo(404);
        }
        assertThat(api.get("/v1/projects", homeowner).json().get("items")).as("listed").isEmpty();
        assertThat(api.sendJson("POST", site.project() + "/transitions", homeowner, Map.of("to", "HANDED_OVER"),
                Map.of("If-Match", "*")).status()).as("completing").isEqualTo(404);
    }

    @Test
    void aCancelledHandoversClaimantCannotTakeTheHomeNorReadIt() {
        Site site = commissioning();
        String first = keyAndEnvelope(site, envelope());
        transition(site.installer().token(), site.project(), "PENDING_HANDOVER", 200);
        String claimant = claimAndFetch(site, first);

        transition(site.installer().token(), site.project(), "COMMISSIONING", 200);
        nothingIsOpenTo(claimant, site);
        keyAndEnvelope(site, envelope());
        transition(site.installer().token(), site.project(), "PENDING_HANDOVER", 200);

        nothingIsOpenTo(claimant, site);
        assertThat(api.get(site.project(), site.installer().token()).json().get("status").asString())
                .isEqualTo("PENDING_HANDOVER");
        assertThat(api.get(site.project() + "/access-key", site.installer().token()).json().get("state")
                .asString()).isEqualTo("ACTIVE");
    }

    @Test
    void aNewKeyOrARevocationEndsTheClaimOnTheOldOne() {
        Site site = commissioning();
        String first = keyAndEnvelope(site, envelope());
        transition(site.installer().token(), site.project(), "PENDING_HANDOVER", 200);
        String claimant = claimAndFetch(site, first);
        assertThat(api.post(site.project() + "/access-key", site.installer().token(), Map.of()).status())
                .isEqualTo(201);
        nothingIsOpenTo(claimant, site);

        String second = keyAndEnvelope(site, envelope());
        String next = claimAndFetch(site, second);
        assertThat(api.delete(site.project() + "/access-key", site.installer().token()).status()).isEqualTo(204);
        nothingIsOpenTo(next, site);
        assertThat(api.get(site.project() + "/access-key", site.installer().token()).json().get("state")
                .asString()).isEqualTo("REVOKED");
    }

    @Test
    void completingNeedsTheCurrentKeysEnvelopeReleasedNotAnEarlierOne() {
        Site site = commissioning();
        String first = keyAndEnvelope(site, envelope());
        transition(site.installer().token(), site.project(), "PENDING_HANDOVER", 200);
        String homeownerId = "owner-" + UUID.randomUUID();
        String homeowner = PORTAL.token(homeownerId, Role.HOMEOWNER);
        assertThat(api.post("/v1/access-keys/claim", homeowner, Map.of("code", first)).status()).isEqualTo(200);
        assertThat(api.get(site.project() + "/project-key", homeowner).status()).isEqualTo(200);
        transition(site.installer().token(), site.project(), "COMMISSIONING", 200);

        String second = keyAndEnvelope(site, envelope());
        transition(site.installer().token(), site.project(), "PENDING_HANDOVER", 200);
        assertThat(api.post("/v1/access-keys/claim", homeowner, Map.of("code", second)).status()).isEqualTo(200);
        assertThat(transition(homeowner, site.project(), "HANDED_OVER", 409).json().get("detail").asString())
                .as("the earlier release does not count").contains("Project Key");
        assertThat(api.get(site.project() + "/project-key", homeowner).status()).isEqualTo(200);
        transition(homeowner, site.project(), "HANDED_OVER", 200);
    }

    @Test
    void theKeyIsUsedUpByTheHandoverAndArchivingEndsAnUnusedOne() {
        Site site = commissioning();
        String code = keyAndEnvelope(site, envelope());
        transition(site.installer().token(), site.project(), "PENDING_HANDOVER", 200);
        String homeowner = claimAndFetch(site, code);
        transition(homeowner, site.project(), "HANDED_OVER", 200);
        assertThat(api.get(site.project() + "/access-key", site.installer().token()).json().get("state")
                .asString()).isEqualTo("USED");
        assertThat(api.get(site.project(), homeowner).status()).as("the home is theirs").isEqualTo(200);

        Site other = commissioning();
        keyAndEnvelope(other, envelope());
        transition(other.installer().token(), other.project(), "ARCHIVED", 200);
        assertThat(api.get(other.project() + "/access-key", other.installer().token()).json().get("state")
                .asString()).isEqualTo("REVOKED");
    }

    @Test
    void aClaimedKeyStillExpiresAndTheClaimEndsWithIt() throws Exception {
        Site site = commissioning();
        String code = keyAndEnvelope(site, envelope());
        transition(site.installer().token(), site.project(), "PENDING_HANDOVER", 200);
        String claimant = claimAndFetch(site, code);

        // Time passes: the key's lifetime bounds the whole handover, not only the claim.
        try (Connection c = PORTAL.dataSource().getConnection();
             java.sql.PreparedStatement due = c.prepareStatement("UPDATE access_key SET expires_at = now() "
                     + "- interval '1 second' WHERE project_id = ?")) {
            due.setObject(1, UUID.fromString(site.project().substring(site.project().lastIndexOf('/') + 1)));
            assertThat(due.executeUpdate()).isEqualTo(1);
        }
        nothingIsOpenTo(claimant, site);
        assertThat(api.get(site.project() + "/access-key", site.installer().token()).json().get("state")
                .asString()).isEqualTo("EXPIRED");
        assertThat(api.get(site.project(), site.installer().token()).json().get("status").asString())
                .isEqualTo("COMMISSIONING");
    }
}
