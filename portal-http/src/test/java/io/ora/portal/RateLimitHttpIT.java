package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.ora.persistence.StoppableRedis;
import io.ora.persistence.TestRedis;
import io.ora.portal.auth.Role;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rate limits as clients see them, on a Redis of this class's own that it can take away: 429 with Retry-After, per
 * user; and while Redis is down, `local` classes keep serving (and limiting) while `fail-closed` ones answer 503,
 * until Redis is back.
 */
class RateLimitHttpIT {

    static final StoppableRedis REDIS = TestRedis.startDedicated();

    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal(ConfigFactory.parseMap(Map.of(
                    "ora.portal.rate-limits.classes.read.per-user.capacity", 5,
                    "ora.portal.rate-limits.classes.read.per-user.period", "1m",
                    "ora.portal.rate-limits.classes.token.per-ip.capacity", 3))
            .withFallback(REDIS.config(ConfigFactory.empty())));

    @AfterAll
    static void stopRedis() {
        REDIS.close();
    }

    @Test
    void aUserOverTheirBudgetGets429WithRetryAfterWhileOthersAreServed() {
        ApiClient api = PORTAL.client();
        String greedy = PORTAL.token(Role.HOMEOWNER);
        for (int i = 0; i < 5; i++) {
            assertThat(api.get("/v1/me", greedy).status()).isEqualTo(200);
        }
        ApiClient.Response refused = api.get("/v1/me", greedy);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(Long.parseLong(refused.header("Retry-After").orElseThrow())).isBetween(1L, 60L);
        assertThat(api.get("/v1/me", PORTAL.token(Role.HOMEOWNER)).status()).as("another user").isEqualTo(200);
        assertThat(api.get("/v1/health", null).status()).as("health is never limited").isEqualTo(200);
    }

    @Test
    void theDevelopmentTokenEndpointIsLimitedPerAddressButItsKeysAreNot() {
        ApiClient api = PORTAL.client();
        byte[] form = "sub=minted&role=homeowner".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int refused = 0;
        for (int i = 0; i < 5; i++) {
            ApiClient.Response minted = api.send("POST", "/dev-oidc/token", null,
                    "application/x-www-form-urlencoded", form, Map.of());
            refused += minted.status() == 429 ? 1 : 0;
        }
        assertThat(refused).as("3 per address, then 429").isEqualTo(2);
        for (int i = 0; i < 5; i++) {
            assertThat(api.get("/dev-oidc/jwks.json", null).status()).isEqualTo(200);
        }
        assertThat(api.get("/v1/me", PORTAL.token(Role.OPERATOR)).status()).isEqualTo(200);
    }

    @Test
    void whileRedisIsDownReadsAreServedAndFailClosedClassesAnswer503UntilItIsBack() {
        ApiClient api = PORTAL.client();
        Installers.Installer installer = Installers.licensed(PORTAL);
        String project = api.post("/v1/projects", installer.token(), Map.of("templateId",
                installer.templateId().toString())).header("Location").orElseThrow();
        byte[] png = PortalTestKit.PNG;

        REDIS.stop();
        try {
            assertThat(api.get(project, installer.token()).status()).as("read: local buckets").isEqualTo(200);
            String newcomer = PORTAL.token(Role.HOMEOWNER);
            assertThat(api.get("/v1/me", newcomer).status()).as("profile from PostgreSQL").isEqualTo(200);
            ApiClient.Response upload = api.send("PUT", project + "/floor-plan", installer.token(), "image/png",
                    png, Map.of("If-None-Match", "*"));
            assertThat(upload.status()).as("upload is fail-closed").isEqualTo(503);
            assertThat(upload.header("Retry-After")).isPresent();
            for (int i = 0; i < 5; i++) {
                api.get("/v1/me", newcomer);
            }
            assertThat(api.get("/v1/me", newcomer).status()).as("still limited, per node").isEqualTo(429);
        } finally {
            REDIS.start();
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> api.send("PUT", project + "/floor-plan",
                installer.token(), "image/png", png, Map.of("If-None-Match", "*")).status() == 201);
    }
}
