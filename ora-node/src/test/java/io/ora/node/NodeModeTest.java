package io.ora.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which development defaults a configuration falls back to, and what a production node makes of them. */
class NodeModeTest {

    /** Every development default, by the setting that replaces it, as a node with all four roles has them. */
    private static final List<String> ALL_SETTINGS = List.of("ORA_OIDC_ISSUER", "ORA_DEV_PKI=off",
            "ORA_DB_URL", "ORA_REDIS_URL", "ORA_TELEMETRY_PSEUDONYM_SECRET", "ORA_ACCESS_KEY_SECRET",
            "ORA_RATE_LIMIT_KEY_SECRET");

    @Test
    void theShippedConfigurationIsADevelopmentNodeWithEveryDevelopmentDefault() {
        Config shipped = load(Map.of());

        assertThat(NodeMode.check(shipped)).isEqualTo(NodeMode.DEVELOPMENT);
        assertThat(NodeMode.developmentDefaults(shipped)).extracting(fallback -> fallback.setting().split(",")[0])
                .containsExactlyElementsOf(ALL_SETTINGS);
        assertThat(shipped.getString("ora.relay.mqtt.host")).isEqualTo("127.0.0.1");
        assertThat(shipped.getString("ora.portal.http.host")).isEqualTo("127.0.0.1");
        assertThat(shipped.getString("ora.device-https.interface")).isEqualTo("127.0.0.1");
        assertThat(NodeMode.managementInterface(shipped)).isEqualTo("127.0.0.1");
        assertThat(NodeMode.developmentNotice(shipped)).startsWith("development node").contains("ORA_OIDC_ISSUER");
    }

    @Test
    void aFullyConfiguredProductionNodePasses() {
        Config production = load(production());

        assertThat(NodeMode.developmentDefaults(production)).isEmpty();
        assertThat(NodeMode.check(production)).isEqualTo(NodeMode.PRODUCTION);
    }

    @Test
    void productionWithNothingConfiguredNamesEveryMissingSettingInOneMessage() {
        Config bare = load(Map.of("ora.node.mode", "production", "pekko.management.http.hostname", "0.0.0.0"));

        assertThatThrownBy(() -> NodeMode.check(bare)).isInstanceOf(NodeMode.StartRefused.class)
                .hasMessageStartingWith("ORA_MODE=production")
                .hasMessageContainingAll(ALL_SETTINGS.toArray(String[]::new))
                .hasMessageContaining("ORA_TLS_CA, ORA_TLS_CERTIFICATE and ORA_TLS_KEY")
                .hasMessageContaining("ORA_MANAGEMENT_EXPOSED=on")
                .hasMessageContaining("management would listen on 0.0.0.0");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "ora.portal.oidc.issuer | '' | ORA_OIDC_ISSUER",
        "ora.node.dev-pki | on | ORA_DEV_PKI=off",
        "ora.db.url | '' | ORA_DB_URL",
        "ora.redis.url | '' | ORA_REDIS_URL",
        "ora.telemetry.pseudonym-secret | '' | ORA_TELEMETRY_PSEUDONYM_SECRET",
        "ora.portal.handover.access-key-secret | '' | ORA_ACCESS_KEY_SECRET",
        "ora.portal.rate-limits.key-hash-secret | '' | ORA_RATE_LIMIT_KEY_SECRET",
        "pekko.management.http.hostname | 0.0.0.0 | ORA_MANAGEMENT_BIND_HOST",
        "pekko.management.http.bind-hostname | 10.0.3.7 | ORA_MANAGEMENT_BIND_HOST",
    })
    void eachDevelopmentDefaultAloneIsNamedAndRefused(String key, String value, String setting) {
        Map<String, Object> settings = production();
        settings.put(key, value);
        Config config = load(settings);

        assertThat(NodeMode.developmentDefaults(config)).singleElement()
                .satisfies(fallback -> assertThat(fallback.setting()).startsWith(setting));
        assertThatThrownBy(() -> NodeMode.check(config)).isInstanceOf(NodeMode.StartRefused.class)
                .hasMessageContaining(setting);
    }

    @ParameterizedTest
    @CsvSource({"localhost", "127.0.0.1", "::1", "[::1]", "127.0.0.53"})
    void managementOnLoopbackIsNoDevelopmentDefault(String host) {
        Map<String, Object> settings = production();
        settings.put("pekko.management.http.bind-hostname", host);

        assertThat(NodeMode.developmentDefaults(load(settings))).isEmpty();
    }

    @Test
    void managementOnAnotherInterfaceNeedsTheExplicitOptIn() {
        Map<String, Object> settings = production();
        settings.put("pekko.management.http.hostname", "10.0.3.7");
        settings.put("pekko.management.http.bind-hostname", "0.0.0.0");
        settings.put("ora.node.management-exposed", "on");

        assertThat(NodeMode.check(load(settings))).isEqualTo(NodeMode.PRODUCTION);
    }

    @Test
    void aRoleThatDoesNotUseASettingDoesNotNeedIt() {
        Map<String, Object> settings = production();
        settings.put("pekko.cluster.roles", List.of("relay"));
        settings.put("ora.portal.oidc.issuer", "");
        settings.put("ora.telemetry.pseudonym-secret", "");
        settings.put("ora.portal.handover.access-key-secret", "");
        settings.put("ora.portal.rate-limits.key-hash-secret", "");

        assertThat(NodeMode.check(load(settings))).isEqualTo(NodeMode.PRODUCTION);
        settings.put("pekko.cluster.roles", List.of("relay", "ingest"));
        assertThat(NodeMode.developmentDefaults(load(settings))).extracting(NodeMode.Fallback::setting)
                .containsExactly("ORA_TELEMETRY_PSEUDONYM_SECRET");
    }

    @ParameterizedTest
    @CsvSource({"prod", "Production", "''"})
    void anUnknownModeIsRefused(String mode) {
        Config config = load(Map.of("ora.node.mode", mode));

        assertThatThrownBy(() -> NodeMode.check(config)).isInstanceOf(NodeMode.StartRefused.class)
                .hasMessage("ora.node.mode (ORA_MODE) is \"" + mode + "\"; it must be \"development\" or"
                        + " \"production\"");
    }

    /** A production configuration with every development default replaced (values only; nothing is started). */
    static Map<String, Object> production() {
        Map<String, Object> settings = new HashMap<>();
        settings.put("ora.node.mode", "production");
        settings.put("ora.portal.oidc.issuer", "https://issuer.example.test");
        settings.put("ora.node.dev-pki", "off");
        settings.put("ora.db.url", "jdbc:postgresql://db.example.test:5432/ora");
        settings.put("ora.redis.url", "rediss://redis.example.test:6379/0");
        settings.put("ora.telemetry.pseudonym-secret", "x".repeat(32));
        settings.put("ora.portal.handover.access-key-secret", "y".repeat(32));
        settings.put("ora.portal.rate-limits.key-hash-secret", "z".repeat(32));
        return settings;
    }

    private static Config load(Map<String, ?> settings) {
        Config overrides = ConfigFactory.empty();
        for (Map.Entry<String, ?> entry : settings.entrySet()) {
            overrides = overrides.withValue(entry.getKey(), ConfigValueFactory.fromAnyRef(entry.getValue()));
        }
        return NodeConfig.load(Map.of(), overrides);
    }
}
