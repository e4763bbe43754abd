package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.portal.auth.Role;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Installers, organisations, licences, templates, projects and hubs over real HTTP, with tokens from the
 * development issuer, on real PostgreSQL and Redis.
 */
class PortalFlowIT {

    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal();

    static ApiClient api;
    static String operator;

    @BeforeAll
    static void clients() {
        api = PORTAL.client();
        operator = PORTAL.token(Role.OPERATOR);
    }

    static Installers.Installer licensedInstaller() {
        return Installers.licensed(PORTAL);
    }

    static Map<String, Object> licence(LocalDate expires) {
        return Installers.licence(expires);
    }

    static Map<String, Object> template(String name) {
        return Installers.template(name);
    }

    static UUID uuid(JsonNode node, String field) {
        return Installers.uuid(node, field);
    }

    @Test
    void anUnverifiedOrExpiredLicenceCannotCreateProjects() {
        String token = PORTAL.token(Role.ELECTRICIAN);
        api.post("/v1/organisations", token, Map.of("name", "New Sparks"));
        UUID template = uuid(api.post("/v1/templates", token, template("T")).json(), "id");

        assertThat(api.post("/v1/projects", token, Map.of("templateId", template.toString())).status())
                .as("no licence").isEqualTo(403);
        JsonNode licence = api.put("/v1/me/licence", token, licence(LocalDate.now().minusDays(1)), Map.of()).json();
        api.post("/v1/operator/licences/" + licence.get("id").asString() + "/review", operator,
                Map.of("decision", "VERIFIED"));
        assertThat(api.post("/v1/projects", token, Map.of("templateId", template.toString())).status())
                .as("verified but expired").isEqualTo(403);
        api.put("/v1/me/licence", token, licence(LocalDate.now().plusYears(2)), Map.of());
        assertThat(api.post("/v1/projects", token, Map.of("templateId", template.toString())).status())
                .as("renewed but not yet reviewed").isEqualTo(403);
    }

    @Test
    void operatorsSeeTheReviewQueueAndDecideOnce() {
        String token = PORTAL.token(Role.ELECTRICIAN);
        String licenceId = api.put("/v1/me/licence", token, licence(LocalDate.now().plusYears(1)), Map.of())
                .json().get("id").asString();
        boolean listed = false;
        String cursor = null;
        do {
            JsonNode page = api.get("/v1/operator/licences?limit=100" + (cursor == null ? "" : "&cursor=" + cursor),
                    operator).json();
            for (JsonNode item : page.get("items")) {
                listed |= item.get("id").asString().equals(licenceId);
            }
            cursor = page.hasNonNull("nextCursor") ? page.get("nextCursor").asString() : null;
        } while (cursor != null && !listed);
        assertThat(listed).isTrue();

        assertThat(api.post("/v1/operator/licences/" + licenceId + "/review", operator,
                Map.of("decision", "REJECTED", "note", "number not found")).json().get("status").asString())
                .isEqualTo("REJECTED");
        assertThat(api.post("/v1/operator/licences/" + licenceId + "/review", operator,
                Map.of("decision", "VERIFIED")).status()).isEqualTo(409);
        assertThat(api.post("/v1/operator/licences/" + UUID.randomUUID() + "/review", operator,
                Map.of("decision", "VERIFIED")).status()).isEqualTo(404);
    }

    @Test
    void aLicensedInstallerCreatesAndUpdatesAProjectWithOptimisticConcurrency() {
        Installers.Installer installer = licensedInstaller();
        ApiClient.Response created = api.post("/v1/projects", installer.token(), Map.of(
                "templateId", installer.templateId().toString(), "siteAddress", "1 Example St, Sydney NSW",
                "customer", Map.of("name", "Alex Customer", "email", "alex@example.test", "phone", "+61 2 5550 1234"),
                "notes", "Gate code in the van"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("ETag")).hasValue("\"1\"");
        String location = created.header("Location").orElseThrow();
        JsonNode project = api.get(location, installer.token()).json();
        assertThat(project.get("status").asString()).isEqualTo("DRAFT");
        assertThat(project.get("templateVersion").asInt()).isEqualTo(1);
        assertThat(project.get("customer").get("name").asString()).isEqualTo("Alex Customer");

        assertThat(api.patch(location, installer.token(), Map.of("notes", "x"), Map.of()).status())
                .as("no If-Match").isEqualTo(428);
        ApiClient.Response updated = api.patch(location, installer.token(), Map.of("notes", "Side gate"),
                Map.of("If-Match", "\"1\""));
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.header("ETag")).hasValue("\"2\"");
        assertThat(updated.json().get("notes").asString()).isEqualTo("Side gate");
        assertThat(updated.json().get("siteAddress").asString()).isEqualTo("1 Example St, Sydney NSW");
        assertThat(api.patch(location, installer.token(), Map.of("notes", "stale"), Map.of("If-Match", "\"1\""))
                .status()).as("stale version").isEqualTo(412);
        assertThat(api.get(location, installer.token()).json().get("notes").asString()).isEqualTo("Side gate");
    }

    @Test
    void anotherTenantsIdsAreNotFound() {
        Installers.Installer mine = licensedInstaller();
        Installers.Installer theirs = licensedInstaller();
        String project = api.post("/v1/projects", theirs.token(), Map.of("templateId",
                theirs.templateId().toString())).header("Location").orElseThrow();
        String homeowner = PORTAL.token(Role.HOMEOWNER);

        for (String token : List.of(mine.token(), homeowner)) {
            assertThat(api.get(project, token).status()).isEqualTo(404);
            assertThat(api.get(project + "/hubs", token).status()).isEqualTo(404);
            assertThat(api.get(project + "/pairing-plan", token).status()).isEqualTo(404);
            assertThat(api.get(project + "/floor-plan", token).status()).isEqualTo(404);
        }
        assertThat(api.patch(project, mine.token(), Map.of("notes", "mine now"), Map.of("If-Match", "\"1\""))
                .status()).isEqualTo(404);
        assertThat(api.post(project + "/hubs", mine.token(), Map.of("hubId", UUID.randomUUID().toString(),
                "certificateFingerprint", "ab".repeat(32))).status()).isEqualTo(404);
        assertThat(api.get("/v1/templates/" + theirs.templateId(), mine.token()).status()).isEqualTo(404);
        assertThat(api.post("/v1/projects", mine.token(), Map.of("templateId", theirs.templateId().toString()))
                .status()).as("another organisation's template").isEqualTo(404);
        assertThat(api.get("/v1/organisations/" + theirs.organisationId(), mine.token()).status()).isEqualTo(404);
        assertThat(api.get("/v1/organisations/" + theirs.organisationId() + "/audit", mine.token()).status())
                .isEqualTo(404);
        JsonNode listed = api.get("/v1/projects?limit=100", mine.token()).json();
        listed.get("items").forEach(item -> assertThat(item.get("organisationId").asString())
                .isEqualTo(mine.organisationId().toString()));
        assertThat(api.get("/v1/projects", homeowner).json().get("items").size()).isZero();
    }

    @Test
    void aHubBelongsToAtMostOneProject() {
        Installers.Installer installer = licensedInstaller();
        String first = api.post("/v1/projects", installer.token(), Map.of("templateId",
                installer.templateId().toString())).header("Location").orElseThrow();
        String second = api.post("/v1/projects", installer.token(), Map.of("templateId",
                installer.templateId().toString())).header("Location").orElseThrow();
        String hub = UUID.randomUUID().toString();
        String fingerprint = "AB:".repeat(31) + "CD";

        ApiClient.Response registered = api.post(first + "/hubs", installer.token(), Map.of("hubId", hub,
                "certificateFingerprint", fingerprint));
        assertThat(registered.status()).isEqualTo(201);
        assertThat(registered.json().get("certificateFingerprint").asString()).isEqualTo("ab".repeat(31) + "cd");
        assertThat(api.post(second + "/hubs", installer.token(), Map.of("hubId", hub,
                "certificateFingerprint", fingerprint)).status()).isEqualTo(409);
        assertThat(api.get(first, installer.token()).json().get("hubCount").asInt()).isEqualTo(1);
        assertThat(api.delete(first + "/hubs/" + hub, installer.token()).status()).isEqualTo(204);
        assertThat(api.post(second + "/hubs", installer.token(), Map.of("hubId", hub,
                "certificateFingerprint", fingerprint)).status()).isEqualTo(201);
        assertThat(api.get(second + "/hubs", installer.token()).json().get("items").get(0).get("hubId").asString())
                .isEqualTo(hub);
    }

    @Test
    void listsArePagedWithStableCursors() {
        Installers.Installer installer = licensedInstaller();
        for (int i = 0; i < 5; i++) {
            api.post("/v1/projects", installer.token(), Map.of("templateId", installer.templateId().toString()));
        }
        JsonNode first = api.get("/v1/projects?limit=2", installer.token()).json();
        JsonNode second = api.get("/v1/projects?limit=2&cursor=" + first.get("nextCursor").asString(),
                installer.token()).json();
        JsonNode third = api.get("/v1/projects?limit=2&cursor=" + second.get("nextCursor").asString(),
                installer.token()).json();
        assertThat(first.get("items").size()).isEqualTo(2);
        assertThat(second.get("items").size()).isEqualTo(2);
        assertThat(third.get("items").size()).isEqualTo(1);
        assertThat(third.hasNonNull("nextCursor")).isFalse();
        assertThat(List.of(first.get("items").get(0).get("id"), first.get("items").get(1).get("id"),
                second.get("items").get(0).get("id"), second.get("items").get(1).get("id"),
                third.get("items").get(0).get("id"))).doesNotHaveDuplicates();
        assertThat(api.get("/v1/projects?limit=0", installer.token()).status()).isEqualTo(400);
        assertThat(api.get("/v1/projects?limit=101", installer.token()).status()).isEqualTo(400);
        assertThat(api.get("/v1/projects?cursor=bm9wZQ", installer.token()).status()).isEqualTo(400);
        assertThat(api.get("/v1/projects?status=LOST", installer.token()).status()).isEqualTo(400);
        assertThat(api.get("/v1/projects?sort=name", installer.token()).status()).isEqualTo(400);
    }

    /**
     * Every list the portal pages, walked two rows at a time: the pages join into one list in (time, id) order with
     * nothing left out or repeated, and only the last page has no cursor. Each list binds its own parameters before
     * the position (the project list its caller's scope, one id or two, and the status filter twice), so each is
     * walked.
     */
    @Test
    void everyListIsWalkedPageByPageInKeysetOrder() {
        Installers.Installer owner = licensedInstaller();
        String token = owner.token();
        String org = "/v1/organisations/" + owner.organisationId();
        String project = null;
        for (int i = 0; i < 3; i++) {
            api.post("/v1/templates", token, template("Template " + i));
            project = api.post("/v1/projects", token, Map.of("templateId", owner.templateId().toString()))
                    .header("Location").orElseThrow();
        }
        for (int i = 0; i < 3; i++) {
            assertThat(api.post(project + "/hubs", token, Map.of("hubId", UUID.randomUUID().toString(),
                    "certificateFingerprint", "ab".repeat(32))).status()).isEqualTo(201);
        }
        for (int i = 0; i < 2; i++) {
            String member = api.get("/v1/me", PORTAL.token(Role.ELECTRICIAN)).json().get("userId").asString();
            assertThat(api.post(org + "/members", token, Map.of("userId", member)).status()).isEqualTo(201);
        }

        assertThat(walk("/v1/templates", token, "createdAt", "id")).hasSize(4)
                .isEqualTo(whole("/v1/templates", token, "id"));
        assertThat(walk("/v1/projects?status=DRAFT", token, "createdAt", "id")).hasSize(3)
                .isEqualTo(whole("/v1/projects", token, "id"));
        assertThat(walk("/v1/projects?status=ARCHIVED", token, "createdAt", "id")).isEmpty();
        assertThat(walk("/v1/projects?status=DRAFT", PORTAL.token(Role.HOMEOWNER), "createdAt", "id")).isEmpty();
        assertThat(walk(project + "/hubs", token, "registeredAt", "hubId")).hasSize(3);
        assertThat(walk(org + "/members", token, "addedAt", "userId")).hasSize(3)
                .contains(owner.userId().toString());
        assertThat(walk(org + "/audit", token, "at", "id")).as("more than one page").hasSizeGreaterThan(2)
                .isEqualTo(whole(org + "/audit", token, "id"));
        String pending = api.put("/v1/me/licence", PORTAL.token(Role.ELECTRICIAN), licence(LocalDate.now()
                .plusYears(1)), Map.of()).json().get("id").asString();
        assertThat(walk("/v1/operator/licences?status=PENDING", operator, "submittedAt", "id")).contains(pending);
    }

    /** The ids of {@code list} fetched two at a time, checking each page and the order across them. */
    private static List<String> walk(String list, String token, String time, String id) {
        List<String> ids = new ArrayList<>();
        Instant lastTime = Instant.MIN;
        String lastId = "";
        String cursor = null;
        do {
            JsonNode page = api.get(list + (list.contains("?") ? "&" : "?") + "limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor), token).json();
            cursor = page.hasNonNull("nextCursor") ? page.get("nextCursor").asString() : null;
            assertThat(page.get("items").size()).as("a full page unless it is the last in %s", list)
                    .isBetween(cursor == null ? 0 : 2, 2);
            for (JsonNode item : page.get("items")) {
                Instant at = Instant.parse(item.get(time).asString());
                String key = item.get(id).asString();
                // PostgreSQL orders uuids by their bytes, which is the order of their lower-case text.
                assertThat(at.isAfter(lastTime) || at.equals(lastTime) && key.compareTo(lastId) > 0)
                        .as("%s after %s/%s in %s", key, lastTime, lastId, list).isTrue();
                lastTime = at;
                lastId = key;
                ids.add(key);
            }
        } while (cursor != null);
        return ids;
    }

    /** The ids of {@code list} in one page. */
    private static List<String> whole(String list, String token, String id) {
        JsonNode page = api.get(list + "?limit=100", token).json();
        assertThat(page.hasNonNull("nextCursor")).isFalse();
        return page.get("items").valueStream().map(item -> item.get(id).asString()).toList();
    }

    @Test
    void removingAMemberTakesEffectOnTheirNextRequestDespiteTheCache() {
        Installers.Installer owner = licensedInstaller();
        String memberToken = PORTAL.token(Role.ELECTRICIAN);
        UUID member = uuid(api.get("/v1/me", memberToken).json(), "userId");
        String org = "/v1/organisations/" + owner.organisationId();

        assertThat(api.get(org, memberToken).status()).isEqualTo(404);
        assertThat(api.post(org + "/members", owner.token(), Map.of("userId", member.toString())).status())
                .isEqualTo(201);
        assertThat(api.get(org, memberToken).status()).as("cached 'no organisation' was invalidated")
                .isEqualTo(200);
        assertThat(api.get("/v1/templates", memberToken).json().get("items").size()).isEqualTo(1);
        assertThat(api.post(org + "/members", memberToken, Map.of("userId", UUID.randomUUID().toString()))
                .status()).as("members cannot add members").isEqualTo(403);

        assertThat(api.delete(org + "/members/" + member, owner.token()).status()).isEqualTo(204);
        assertThat(api.get(org, memberToken).status()).as("cached membership was invalidated").isEqualTo(404);
        assertThat(api.delete(org + "/members/" + owner.userId(), owner.token()).status())
                .as("the owner stays").isEqualTo(404);

        JsonNode audit = api.get(org + "/audit?limit=100", owner.token()).json();
        assertThat(audit.get("items").valueStream().map(event -> event.get("action").asString()))
                .contains("ORGANISATION_CREATED", "TEMPLATE_CREATED", "MEMBER_ADDED", "MEMBER_REMOVED");
        assertThat(audit.toString()).doesNotContain("Test User").doesNotContain("@example.test");
    }

    @Test
    void templatesAreVersionedByAppending() {
        Installers.Installer installer = licensedInstaller();
        String template = "/v1/templates/" + installer.templateId();
        ApiClient.Response revised = api.put(template, installer.token(), template("Standard home v2"),
                Map.of("If-Match", "\"1\""));
        assertThat(revised.status()).isEqualTo(200);
        assertThat(revised.header("ETag")).hasValue("\"2\"");
        assertThat(api.put(template, installer.token(), template("lost update"), Map.of("If-Match", "\"1\""))
                .status()).isEqualTo(412);
        assertThat(api.get(template + "?version=1", installer.token()).json().get("name").asString())
                .isEqualTo("Standard home");
        assertThat(api.get(template, installer.token()).json().get("version").asInt()).isEqualTo(2);
        JsonNode project = api.post("/v1/projects", installer.token(), Map.of("templateId",
                installer.templateId().toString(), "templateVersion", 1)).json();
        assertThat(project.get("templateVersion").asInt()).isEqualTo(1);
    }
}
