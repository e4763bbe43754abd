package io.ora.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.device.https.TestDeviceHttps;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The per-hub request rate: a hub past its burst is answered 429 with Retry-After, before its body is read, while
 * other hubs keep posting. The rate is one request per 20 s, so no refill happens during the test however slow the
 * machine.
 */
class IngestHttpsRateLimitIT {

    private static final String JSON = "application/json";
    private static final byte[] SAMPLE = "{\"ram\":40}".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    static final TestIngestHttps INGEST = new TestIngestHttps(Map.of(
            "ora.ingest.https.rate-limit.per-second", 0.05,
            "ora.ingest.https.rate-limit.burst", 3));

    @Test
    void aHubOverItsRateGets429WithRetryAfterAndOtherHubsAreUnaffected() throws IOException {
        TestDeviceHttps.Peer busy = INGEST.hub();
        TestDeviceHttps.Peer other = INGEST.hub();
        HttpClient client = INGEST.client(busy);

        for (int i = 0; i < 3; i++) {
            assertThat(INGEST.post(client, JSON, SAMPLE).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> limited = INGEST.post(client, JSON, SAMPLE);

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("20");
        assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(limited.body()).contains("https://ora.io/problems/rate-limited");
        assertThat(INGEST.intake().from(busy.hub())).hasSize(3);
        assertThat(INGEST.metric("ora_device_https_requests_total", "status", "too_many_requests")).isEqualTo(1);

        assertThat(INGEST.post(INGEST.client(other), JSON, SAMPLE).statusCode()).isEqualTo(200);
        assertThat(INGEST.intake().from(other.hub())).hasSize(1);
    }
}
