package io.ora.portal;

import static io.ora.portal.PortalTestKit.PNG;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Floor plans (sniffed, bounded, versioned) and pairing plans (schema-checked, versioned) over real HTTP. */
class PlansIT {

    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal(Map.of("ora.portal.limits.floor-plan", "64KiB"));

    ApiClient api;
    Installers.Installer installer;
    String project;

    @BeforeEach
    void project() {
        api = PORTAL.client();
        installer = Installers.licensed(PORTAL);
        project = api.post("/v1/projects", installer.token(), Map.of("templateId",
                installer.templateId().toString())).header("Location").orElseThrow();
    }

    ApiClient.Response upload(byte[] content, String claimedType, Map<String, String> headers, String query) {
        return api.send("PUT", project + "/floor-plan" + query, installer.token(), claimedType, content, headers);
    }

    @Test
    void aFloorPlanIsStoredVersionedAndServedAsTheTypeItReallyIs() {
        ApiClient.Response first = upload(PNG, "application/octet-stream", Map.of("If-None-Match", "*"),
                "?fileName=ground%20floor.png");
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.json().get("contentType").asString()).isEqualTo("image/png");
        assertThat(first.header("ETag")).hasValue("\"1\"");

        byte[] pdf = "%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(upload(pdf, "image/png", Map.of("If-None-Match", "*"), "").status())
                .as("create-only when one exists").isEqualTo(412);
        ApiClient.Response second = upload(pdf, "image/png", Map.of("If-Match", "\"1\""), "");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().get("contentType").asString()).as("sniffed, not claimed")
                .isEqualTo("application/pdf");
        assertThat(upload(PNG, "image/png", Map.of("If-Match", "\"1\""), "").status()).isEqualTo(412);
        assertThat(upload(PNG, "image/png", Map.of(), "").status()).isEqualTo(428);

        ApiClient.Response latest = api.get(project + "/floor-plan", installer.token());
        assertThat(latest.status()).isEqualTo(200);
        assertThat(latest.body()).isEqualTo(pdf);
        assertThat(latest.contentType()).startsWith("application/pdf");
        assertThat(latest.header("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(latest.header("Content-Disposition").orElseThrow()).startsWith("attachment");
        assertThat(api.get(project + "/floor-plan?version=1", installer.token()).body()).isEqualTo(PNG);
        assertThat(api.get(project + "/floor-plan?version=9", installer.token()).status()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        "<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY a 'aaaa'>]><svg>&a;</svg>",
        "<svg><a href='javascript:alert(1)'>x</a></svg>",
        "<html><body>not a plan</body></html>",
        "GIF89a not accepted",
        "MZ\u0090\u0000 an executable"})
    void contentThatIsNotAnAcceptedOrSafePlanIsRefusedAndNothingIsStored(String content) {
        ApiClient.Response refused = upload(content.getBytes(StandardCharsets.UTF_8), "image/svg+xml",
                Map.of("If-None-Match", "*"), "");
        assertThat(refused.status()).isEqualTo(415);
        assertThat(api.get(project + "/floor-plan", installer.token()).status()).isEqualTo(404);
    }

    static final String SVG_OPEN = "<svg xmlns=\"http://www.w3.org/2000/svg\" "
            + "xmlns:xlink=\"http://www.w3.org/1999/xlink\"><rect id=\"a\" width=\"10\" height=\"10\"/>";

    /** What got past the old deny-list (the first four, from a probe) and its siblings, each in a clean drawing. */
    @ParameterizedTest
    @ValueSource(strings = {
        SVG_OPEN + "<animate attributeName=\"href\" values=\"&#106;avascript:alert(1)\"/></svg>",
        SVG_OPEN + "<set attributeName=\"onmouseover\" to=\"alert(1)\"/></svg>",
        SVG_OPEN + "<style>@import url(https://evil.example/x.css)</style></svg>",
        SVG_OPEN + "<rect style=\"fill:url(https://evil.example/x)\"/></svg>",
        "<?xml-stylesheet href=\"https://evil.example/x.css\"?>" + SVG_OPEN + "</svg>",
        SVG_OPEN + "<h:script xmlns:h=\"http://www.w3.org/1999/xhtml\">alert(1)</h:script></svg>",
        SVG_OPEN + "<use xlink:href=\"javascript:alert(1)\"/></svg>",
        SVG_OPEN + "<use href=\"&#106;&#x61;vascript:alert(1)\"/></svg>",
        SVG_OPEN + "<image href=\"https://evil.example/x.png\"/></svg>",
        SVG_OPEN + "<image href=\"data:image/svg+xml;base64,PHN2Zy8+\"/></svg>",
        SVG_OPEN + "<filter id=\"f\"><feImage href=\"https://evil.example/x.png\"/></filter></svg>",
        SVG_OPEN + "<rect style=\"fill:u\\72l(https://evil.example/x)\"/></svg>",
        "<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + SVG_OPEN + "<text>&x;</text></svg>",
        SVG_OPEN + "<g xml:base=\"https://evil.example/\"><use href=\"#a\"/></g></svg>",
        SVG_OPEN + "<x:widget xmlns:x=\"urn:example:widgets\"/></svg>",
        SVG_OPEN + "<a href=\"#a\"><rect width=\"1\" height=\"1\"/></a></svg>"})
    void svgsOutsideTheStaticSubsetAreRefusedWithoutEchoingThemAndNothingIsStored(String content) {
        ApiClient.Response refused = upload(content.getBytes(StandardCharsets.UTF_8), "image/svg+xml",
                Map.of("If-None-Match", "*"), "");
        assertThat(refused.status()).isEqualTo(415);
        ApiClient.Response notAPlan = upload("GIF89a".getBytes(StandardCharsets.US_ASCII), "image/gif",
                Map.of("If-None-Match", "*"), "");
        assertThat(refused.json().get("detail").asString()).as("one fixed text, nothing from the upload")
                .isEqualTo(notAPlan.json().get("detail").asString()).contains("SVG");
        assertThat(refused.text()).doesNotContain("evil", "alert", "javascript", "animate", "onmouseover", "import",
                "href", "widget", "passwd");
        assertThat(api.get(project + "/floor-plan", installer.token()).status()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hand-written.svg", "inkscape.svg"})
    void realisticSvgsAreAcceptedAndServedBackUnchanged(String name) throws IOException {
        byte[] svg;
        try (InputStream in = PlansIT.class.getResourceAsStream("/floor-plans/" + name)) {
            svg = in.readAllBytes();
        }
        ApiClient.Response stored = upload(svg, "application/octet-stream", Map.of("If-None-Match", "*"), "");
        assertThat(stored.status()).isEqualTo(201);
        assertThat(stored.json().get("contentType").asString()).isEqualTo("image/svg+xml");
        assertThat(api.get(project + "/floor-plan", installer.token()).body()).isEqualTo(svg);
    }

    @Test
    void aCleanSvgIsAccepted() {
        byte[] svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">"
                .concat("<rect width=\"10\" height=\"10\"/><use href=\"#a\"/></svg>").getBytes(StandardCharsets.UTF_8);
        assertThat(upload(svg, "image/svg+xml", Map.of("If-None-Match", "*"), "").json().get("contentType")
                .asString()).isEqualTo("image/svg+xml");
        assertThat(api.get(project + "/floor-plan", installer.token()).header("Content-Security-Policy")
                .orElseThrow()).contains("sandbox");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..%2F..%2Fetc%2Fpasswd", "..", ".hidden", "a%2Fb.png", "a%5Cb.png", "plan%00.png",
        "x%0D%0ASet-Cookie%3A1"})
    void fileNamesThatCouldNameAPathAreRefused(String name) {
        assertThat(upload(PNG, "image/png", Map.of("If-None-Match", "*"), "?fileName=" + name).status())
                .isEqualTo(400);
        assertThat(api.get(project + "/floor-plan", installer.token()).status()).isEqualTo(404);
    }

    @Test
    void anOversizedFloorPlanIsRefusedBeforeItIsStored() {
        byte[] big = Arrays.copyOf(PNG, 64 * 1024 + 1);
        assertThat(upload(big, "image/png", Map.of("If-None-Match", "*"), "").status()).isEqualTo(413);
        assertThat(api.get(project + "/floor-plan", installer.token()).status()).isEqualTo(404);
    }

    Map<String, Object> plan(String deviceRoom) {
        return Map.of("rooms", List.of(Map.of("id", "kitchen", "name", "Kitchen"), Map.of("id", "hall", "name",
                        "Hall")),
                "devices", List.of(Map.of("id", "d-1", "type", "dimmer", "room", deviceRoom, "hubId",
                        UUID.randomUUID().toString(), "label", "Bench lights")));
    }

    @Test
    void aPairingPlanIsSchemaCheckedAndVersioned() {
        ApiClient.Response created = api.put(project + "/pairing-plan", installer.token(), plan("kitchen"),
                Map.of("If-None-Match", "*"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("ETag")).hasValue("\"1\"");
        assertThat(api.put(project + "/pairing-plan", installer.token(), plan("hall"), Map.of("If-Match", "\"1\""))
                .status()).isEqualTo(200);
        assertThat(api.put(project + "/pairing-plan", installer.token(), plan("hall"), Map.of("If-Match", "\"1\""))
                .status()).isEqualTo(412);
        assertThat(api.get(project + "/pairing-plan", installer.token()).json().get("content").get("devices").get(0)
                .get("room").asString()).isEqualTo("hall");
        assertThat(api.get(project + "/pairing-plan?version=1", installer.token()).json().get("content")
                .get("devices").get(0).get("room").asString()).isEqualTo("kitchen");

        ApiClient.Response dangling = api.put(project + "/pairing-plan", installer.token(), plan("garage"),
                Map.of("If-Match", "\"2\""));
        assertThat(dangling.status()).isEqualTo(400);
        ApiClient.Response unknownField = api.put(project + "/pairing-plan", installer.token(),
                Map.of("rooms", List.of(), "devices", List.of(), "owner", "someone"), Map.of("If-Match", "\"2\""));
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.json().get("errors").toString()).contains("owner");
        assertThat(api.get(project + "/pairing-plan", installer.token()).header("ETag")).hasValue("\"2\"");
    }
}
