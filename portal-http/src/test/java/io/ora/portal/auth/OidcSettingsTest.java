package io.ora.portal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ora.portal.oidc}: the shipped defaults, and the values refused at start. */
class OidcSettingsTest {

    @Test
    void theDefaultsComeFromReferenceConf() {
        Config config = ConfigFactory.load();
        OidcSettings settings = OidcSettings.from(config.getConfig("ora.portal.oidc"));

        assertThat(settings.usesDevIssuer()).isEqualTo(config.getString("ora.portal.oidc.issuer").isEmpty());
        assertThat(settings.audience()).isEqualTo("ora-portal");
        assertThat(settings.rolesClaim()).isEqualTo("roles");
        assertThat(settings.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.algorithms()).containsExactly(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.PS256);
        assertThat(settings.jwks()).isEqualTo(new OidcSettings.Jwks(Duration.ofMinutes(10), Duration.ofSeconds(5),
                Duration.ofSeconds(30)));
        assertThat(settings.http()).isEqualTo(new OidcSettings.Http(Duration.ofSeconds(2), Duration.ofSeconds(2),
                256 * 1024));
        assertThat(settings.devIssuer()).isEqualTo(new OidcSettings.DevIssuerSettings(
                Path.of(config.getString("ora.home"), "oidc"), Duration.ofHours(1), "dev-oidc"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512", "none", "NONE", "RS1", ""})
    void symmetricUnsignedAndUnknownAlgorithmsAreRefused(String algorithm) {
        assertThatThrownBy(() -> settings("algorithms = [RS256, \"" + algorithm + "\"]"))
                .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("algorithms");
    }

    @Test
    void everyAsymmetricAlgorithmIsAllowed() {
        assertThat(settings("algorithms = [RS512, PS384, ES384, ES512, EdDSA]").algorithms()).hasSize(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "algorithms = []",
        "issuer = \"http://idp.example.com/realms/ora\"",
        "issuer = \"https://idp.example.com/?tenant=1\"",
        "issuer = \"not a url\"",
        "audience = \" \"",
        "roles-claim = \"\"",
        "clock-skew = -1s",
        "jwks.min-refresh-interval = 10m",
        "http.read-timeout = 0s",
        "http.size-limit = 0",
        "dev-issuer.path = \"/dev-oidc\"",
        "dev-issuer.token-ttl = 0s",
    })
    void valuesThatWouldWeakenOrBreakVerificationAreRefused(String override) {
        assertThatThrownBy(() -> settings(override)).isInstanceOf(ConfigException.class);
    }

    @Test
    void anHttpsIssuerOrAnHttpOneOnThisMachineIsAccepted() {
        assertThat(settings("issuer = \"https://id.voltex.example/realms/ora\"").usesDevIssuer()).isFalse();
        assertThat(settings("issuer = \"http://localhost:8080/dev-oidc\"").issuer())
                .isEqualTo("http://localhost:8080/dev-oidc");
        assertThat(settings("issuer = \"http://127.0.0.1:8080/dev-oidc\"").usesDevIssuer()).isFalse();
    }

    private static OidcSettings settings(String override) {
        return OidcSettings.from(ConfigFactory.parseString(override)
                .withFallback(ConfigFactory.load().getConfig("ora.portal.oidc")));
    }
}
