package io.ora.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ora.core.telemetry.TelemetryIntake;
import io.ora.device.https.HubRateLimit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The endpoint's shipped defaults resolve on their own, and its body limit is the filter's. */
class IngestHttpsSettingsTest {

    @Test
    void defaultsResolveAndTheBodyLimitIsTheFilters() {
        Config config = ConfigFactory.defaultReference().resolve();

        HttpsSettings settings = HttpsSettings.from(config);

        assertThat(settings.maxBytes()).isEqualTo(config.getBytes("ora.ingest.filter.max-bytes"));
        assertThat(TelemetryRoutes.create(config, TelemetryIntake.unavailable()).maxBodyBytes())
                .isEqualTo(settings.maxBytes());
        assertThat(settings.unavailableRetryAfter()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.rateLimit()).isEqualTo(new HubRateLimit.Settings(1, 10, 100_000));
    }
}
