package io.ora.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ora.core.telemetry.TelemetryIntake.Receipt;
import io.ora.device.https.TestDeviceHttps;
import io.ora.persistence.CapturedLogs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Neither a body nor a certificate's subject reaches a log line, at any level, on the happy path or any refusal:
 * every logger (Pekko's included) is opened to ALL while bodies carrying a marker are stored, rejected, refused as
 * too large or mistyped, and while an app and a foreign certificate try their luck.
 */
class IngestHttpsLogsIT {

    private static final String MARKER = "BODY-MARKER-" + UUID.randomUUID();

    @Test
    void noLogEventHoldsABodyOrACertificateSubject() throws Exception {
        CapturedLogs logs = new CapturedLogs();
        TestIngestHttps ingest = new TestIngestHttps(Map.of("pekko.loglevel", "DEBUG"));
        TestDeviceHttps.Peer app;
        try {
            ingest.beforeAll(null);
            byte[] body = ("{\"fw\":\"" + MARKER + "\"}").getBytes(StandardCharsets.UTF_8);
            TestDeviceHttps.Peer hub = ingest.hub();
            TestDeviceHttps.Peer rejected = ingest.hub();
            ingest.intake().answer(rejected.hub(), Receipt.REJECTED);
            app = ingest.app();

            assertThat(ingest.post(ingest.client(hub), "application/json", body).statusCode()).isEqualTo(200);
            assertThat(ingest.post(ingest.client(rejected), "application/json", body).statusCode()).isEqualTo(422);
            assertThat(ingest.post(ingest.client(hub), "text/plain", body).statusCode()).isEqualTo(415);
            byte[] large = (MARKER + " ".repeat(70_000)).getBytes(StandardCharsets.UTF_8);
            assertThat(ingest.post(ingest.client(hub), "application/json", large).statusCode()).isEqualTo(413);
            assertThat(ingest.post(ingest.client(app), "application/json", body).statusCode()).isEqualTo(403);
            TestDeviceHttps.Peer stranger = ingest.stranger();
            assertThatThrownBy(() -> ingest.post(ingest.client(stranger), "application/json", body))
                    .isInstanceOf(IOException.class);
        } finally {
            ingest.afterAll(null);
            logs.close();
        }

        assertThat(logs.texts()).isNotEmpty().allSatisfy(text -> assertThat(text).doesNotContain(MARKER)
                .doesNotContain(app.id().topicSegment()).doesNotContain("CN="));
    }
}
