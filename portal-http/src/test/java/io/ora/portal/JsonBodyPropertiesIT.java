package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Arbitrary JSON-ish bodies against a real portal: every one is answered, and none with a server error. */
class JsonBodyPropertiesIT {

    static TestPortal portal;
    static Installers.Installer installer;
    static ApiClient api;

    @BeforeContainer
    static void start() throws Exception {
        portal = new TestPortal();
        portal.beforeAll(null);
        api = portal.client();
        installer = Installers.licensed(portal);
    }

    @AfterContainer
    static void stop() {
        portal.afterAll(null);
    }

    @Property(tries = 100)
    void arbitraryBodiesAreAnsweredWithoutAServerError(@ForAll("jsonish") String body) {
        ApiClient.Response response = api.send("POST", "/v1/projects", installer.token(), "application/json",
                body.getBytes(StandardCharsets.UTF_8), Map.of());
        assertThat(response.status()).isBetween(201, 499);
    }

    @Provide
    Arbitrary<String> jsonish() {
        String template = "\"" + installer.templateId() + "\"";
        Arbitrary<String> fragments = Arbitraries.of("{", "}", "[", "]", ":", ",", "\"templateId\"", "\"notes\"",
                template, "\"" + UUID.randomUUID() + "\"", "null", "1e999", "-0", "\"\\u0000\"", "\"\\ud800\"",
                "true", "\"x\"", "\"customer\"", "\"templateVersion\"", "99999999999999999999");
        return fragments.list().ofMaxSize(30).map(parts -> String.join("", parts));
    }
}
