package io.ora.ingest.http;

import io.ora.device.https.TestDeviceHttps;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The telemetry endpoint on a real device listener for a test class (device-https's {@link TestDeviceHttps}: its own
 * actor system, a generated PKI, peers and clients), with a {@link RecordingIntake} behind it. Register with
 * {@code @RegisterExtension static TestIngestHttps ingest = new TestIngestHttps();}. Rate limits are generous unless
 * a test class overrides them; every test uses hubs of its own.
 */
final class TestIngestHttps extends TestDeviceHttps {

    static final String TELEMETRY = "/ingest/v1/telemetry";

    private final RecordingIntake intake;

    TestIngestHttps() {
        this(Map.of());
    }

    TestIngestHttps(Map<String, Object> overrides) {
        this(withGenerousRates(overrides), new RecordingIntake());
    }

    private TestIngestHttps(Map<String, Object> overrides, RecordingIntake intake) {
        super(overrides, config -> List.of(TelemetryRoutes.create(config, intake)));
        this.intake = intake;
    }

    RecordingIntake intake() {
        return intake;
    }

    /** POSTs {@code body} to the telemetry endpoint as {@code contentType}. */
    HttpResponse<String> post(HttpClient client, String contentType, byte[] body) throws IOException {
        return post(client, TELEMETRY, contentType, body);
    }

    private static Map<String, Object> withGenerousRates(Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put("ora.ingest.https.rate-limit.per-second", 1000);
        config.put("ora.ingest.https.rate-limit.burst", 1000);
        config.putAll(overrides);
        return config;
    }
}
