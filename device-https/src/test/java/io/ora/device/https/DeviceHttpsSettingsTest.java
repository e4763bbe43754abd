package io.ora.device.https;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ora.core.pki.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The shipped defaults resolve on their own and point at the same PKI files as the relay's. */
class DeviceHttpsSettingsTest {

    @Test
    void defaultsResolveToTheNodesPkiAndALoopbackListener() {
        Config config = ConfigFactory.defaultReference().resolve();
        Path pki = Path.of(config.getString("ora.home"), "pki");

        HttpsSettings settings = HttpsSettings.from(config);

        assertThat(settings.enabled()).isTrue();
        assertThat(settings.iface()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(8443);
        assertThat(settings.bodyTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(settings.tls().files()).isEqualTo(new TlsFiles(pki.resolve("ca.crt"), pki.resolve("server.crt"),
                pki.resolve("server.key"), pki.resolve("revoked-serials")));
        assertThat(settings.tls().reloadInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.hasPath(HttpsSettings.BLOCKING_DISPATCHER)).isTrue();
        assertThat(DeviceHttps.enabled(config)).isTrue();
    }
}
