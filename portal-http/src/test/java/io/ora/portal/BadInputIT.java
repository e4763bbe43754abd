package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.ora.persistence.CapturedLogs;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile input over real HTTP: each gets a clear 4xx problem (the client checks each is a problem document that
 * matches the OpenAPI contract), nothing is stored, and the server keeps serving.
 */
class BadInputIT {

    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal();

    ApiClient api;
    Installers.Installer installer;

    @BeforeEach
    void installer() {
        api = PORTAL.client();
        installer = Installers.licensed(PORTAL);
    }

    long projects() throws SQLException {
        try (Connection c = PORTAL.dataSource().getConnection();
             PreparedStatement count = c.prepareStatement("SELECT count(*) FROM project WHERE organisation_id = ?")) {
            count.setObject(1, installer.organisationId());
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    ApiClient.Response create(String contentType, byte[] body) {
        return api.send("POST", "/v1/projects", installer.token(), contentType, body, Map.of());
    }

    void assertRefusedAndNothingStored(ApiClient.Response response, int status) throws SQLException {
        assertThat(response.status()).isEqualTo(status);
        assertThat(projects()).isZero();
        assertThat(api.get("/v1/health", null).status()).isEqualTo(200);
    }

    @Test
    void malformedJsonIsA400() throws SQLException {
        assertRefusedAndNothingStored(create("application/json", "{\"templateId\":".getBytes(
                StandardCharsets.UTF_8)), 400);
        assertRefusedAndNothingStored(create("application/json", new byte[0]), 400);
        assertRefusedAndNothingStored(create("application/json", "{\"a\":1}{\"b\":2}".getBytes(
                StandardCharsets.UTF_8)), 400);
        assertRefusedAndNothingStored(create("application/json", ("{\"templateId\":\"" + installer.templateId()
                + "\",\"templateId\":\"" + installer.templateId() + "\"}").getBytes(StandardCharsets.UTF_8)), 400);
    }

    @Test
    void deepJsonIsA400() throws SQLException {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertRefusedAndNothingStored(create("application/json", deep.getBytes(StandardCharsets.UTF_8)), 400);
        String nested = "{\"templateId\":\"" + installer.templateId() + "\",\"notes\":" + "{\"a\":".repeat(40)
                + "1" + "}".repeat(40) + "}";
        assertRefusedAndNothingStored(create("application/json", nested.getBytes(StandardCharsets.UTF_8)), 400);
    }

    @Test
    void nonUtf8IsA400() throws SQLException {
        byte[] latin1 = ("{\"templateId\":\"" + installer.templateId() + "\",\"notes\":\"caf\u00e9\"}")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertRefusedAndNothingStored(create("application/json", latin1), 400);
    }

    @Test
    void wrongContentTypeIsA415() throws SQLException {
        byte[] body = ("{\"templateId\":\"" + installer.templateId() + "\"}").getBytes(StandardCharsets.UTF_8);
        assertRefusedAndNothingStored(create("text/plain", body), 415);
        assertRefusedAndNothingStored(create("application/x-www-form-urlencoded", body), 415);
        assertRefusedAndNothingStored(create(null, body), 415);
    }

    @Test
    void anOversizedBodyIsA413() throws SQLException {
        String notes = "x".repeat(70 * 1024);
        assertRefusedAndNothingStored(create("application/json", ("{\"templateId\":\"" + installer.templateId()
                + "\",\"notes\":\"" + notes + "\"}").getBytes(StandardCharsets.UTF_8)), 413);
    }

    @Test
    void unknownFieldsWrongTypesAndBadFormatsAre400sNamingTheRule() throws SQLException {
        String template = installer.templateId().toString();
        for (Map<String, Object> body : new Map[] {
            Map.of("templateId", template, "organisationId", UUID.randomUUID().toString()),
            Map.of("templateId", "not-a-uuid"),
            Map.of("templateId", template, "templateVersion", "one"),
            Map.of("templateId", template, "customer", Map.of("email", "not an email")),
            Map.of("templateId", template, "customer", Map.of("phone", "call me maybe")),
            Map.of("templateId", template, "siteAddress", "x".repeat(301)),
            Map.of("templateId", template, "siteAddress", "line\u0000break"),
            Map.of()}) {
            ApiClient.Response response = api.post("/v1/projects", installer.token(), body);
            assertRefusedAndNothingStored(response, 400);
            assertThat(response.json().get("errors").size()).isPositive();
        }
    }

    /**
     * Dates and numbers in bodies are bounded by the schema to what Java and PostgreSQL hold alike: a licence that
     * expires in year 0000 or before the Gregorian calendar once came back as another date, one in year 275760 has
     * no RFC 3339 form, and a template version past 2^31-1 cannot be a version.
     */
    @ParameterizedTest
    @ValueSource(strings = {"0000-01-01", "0001-01-01", "1582-10-10", "1969-12-31", "275760-09-13",
        "+275760-09-13", "10000-01-01", "-0001-01-01"})
    void aLicenceExpiryOutsideTheStoredSpanIsA400NamingTheField(String expiresOn) {
        Map<String, Object> licence = new java.util.HashMap<>(Installers.licence(java.time.LocalDate.now()));
        licence.put("expiresOn", expiresOn);
        String electrician = PORTAL.token(io.ora.portal.auth.Role.ELECTRICIAN);
        ApiClient.Response response = api.put("/v1/me/licence", electrician, licence, Map.of());
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("errors").toString()).contains("/expiresOn");
        assertThat(api.get("/v1/me/licence", electrician).status()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1970-01-01", "9999-12-31"})
    void aLicenceExpiryAtEitherEndOfTheSpanIsStoredAsSent(String expiresOn) {
        Map<String, Object> licence = new java.util.HashMap<>(Installers.licence(java.time.LocalDate.now()));
        licence.put("expiresOn", expiresOn);
        String electrician = PORTAL.token(io.ora.portal.auth.Role.ELECTRICIAN);
        assertThat(api.put("/v1/me/licence", electrician, licence, Map.of()).status()).isEqualTo(200);
        assertThat(api.get("/v1/me/licence", electrician).json().get("expiresOn").asString()).isEqualTo(expiresOn);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2147483648", "9223372036854775808", "99999999999999999999"})
    void aTemplateVersionBeyondAnIntIsA400NamingTheField(String version) throws SQLException {
        ApiClient.Response response = create("application/json", ("{\"templateId\":\"" + installer.templateId()
                + "\",\"templateVersion\":" + version + "}").getBytes(StandardCharsets.UTF_8));
        assertRefusedAndNothingStored(response, 400);
        assertThat(response.json().get("errors").toString()).contains("/templateVersion");
    }

    static String cursor(String decoded) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(decoded.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A cursor is opaque but not trusted: a time outside what the database holds (the probe that once logged an
     * ERROR and answered 500), a time before the epoch or after year 9999, and any text form other than the one the
     * server writes are each a 400 problem, and none of them logs an error.
     */
    @ParameterizedTest
    @ValueSource(strings = {"-9223372036854775808/%s", "9223372036854775807/%s", "99999999999999999999/%s",
        "253402300800000000/%s", "-1/%s", "+1/%s", "01/%s", "1/%S", "1/{%s}", "1/%s/", "1/%s/1", "/%s", "1/",
        "1.5/%s", "1e3/%s", "\u0661/%s"})
    void aForgedCursorIsA400ProblemAndLogsNoError(String form) {
        String forged = cursor(form.replace("%s", UUID.randomUUID().toString())
                .replace("%S", UUID.randomUUID().toString().toUpperCase(java.util.Locale.ROOT)));
        try (CapturedLogs logs = new CapturedLogs()) {
            for (String list : new String[] {"/v1/projects", "/v1/templates",
                "/v1/organisations/" + installer.organisationId() + "/members"}) {
                ApiClient.Response response = api.get(list + "?cursor=" + forged, installer.token());
                assertThat(response.status()).as(list + " " + form).isEqualTo(400);
                assertThat(response.contentType()).startsWith("application/problem+json");
                assertThat(response.json().get("detail").asString()).isEqualTo("cursor is not one this server issued");
            }
            assertThat(logs.texts(Level.ERROR)).isEmpty();
        }
    }

    @Test
    void aCursorHasOneTextFormTheOneTheServerIssued() {
        api.post("/v1/templates", installer.token(), Installers.template("Second"));
        String issued = api.get("/v1/templates?limit=1", installer.token()).json().get("nextCursor").asString();
        assertThat(api.get("/v1/templates?limit=1&cursor=" + issued, installer.token()).status()).isEqualTo(200);
        String decoded = new String(Base64.getUrlDecoder().decode(issued), StandardCharsets.UTF_8);
        for (String variant : new String[] {Base64.getUrlEncoder().encodeToString(decoded.getBytes(
                StandardCharsets.UTF_8)), cursor(decoded.toUpperCase(java.util.Locale.ROOT)), cursor("0" + decoded),
            cursor(decoded + "\n"), issued + "A"}) {
            if (variant.equals(issued)) {
                continue; // no padding was needed for this one: the unpadded form is the same text
            }
            ApiClient.Response response = api.get("/v1/templates?limit=1&cursor=" + variant, installer.token());
            assertThat(response.status()).as(variant).isEqualTo(400);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"'; DROP TABLE project; --", "\" OR 1=1 --", "<script>alert(1)</script>",
        "${jndi:ldap://x/a}", "../../etc/passwd", "%00", "Robert'); DELETE FROM audit_event;--"})
    void injectionStringsAreStoredAsTheTextTheyAreAndNeverInterpreted(String hostile) {
        ApiClient.Response created = api.post("/v1/projects", installer.token(), Map.of("templateId",
                installer.templateId().toString(), "notes", hostile));
        assertThat(created.status()).isEqualTo(201);
        assertThat(api.get(created.header("Location").orElseThrow(), installer.token()).json().get("notes")
                .asString()).isEqualTo(hostile);
        String encoded = java.net.URLEncoder.encode(hostile, StandardCharsets.UTF_8).replace("+", "%20");
        assertThat(api.get("/v1/projects/" + encoded, installer.token()).status()).isIn(400, 404);
        assertThat(api.get("/v1/templates?cursor=" + encoded, installer.token()).status()).isEqualTo(400);
    }
}
