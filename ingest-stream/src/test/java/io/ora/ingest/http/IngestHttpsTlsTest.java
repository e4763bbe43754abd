package io.ora.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ora.core.pki.PeerCertificates;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who may post: only a hub, with a current certificate of the device CA that is not on the deny-list, over TLS 1.3.
 * Everyone else fails the handshake (before any HTTP) or, for an app's certificate, is answered 403; none of them
 * reaches the intake.
 */
class IngestHttpsTlsTest {

    private static final String JSON = "application/json";
    private static final String REFUSED = HttpsTls.REFUSED_METRIC;
    private static final byte[] SAMPLE = "{\"cpu\":12.5}".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    static final TestIngestHttps INGEST = new TestIngestHttps();

    @Test
    void withoutAClientCertificateTheHandshakeFails() throws IOException {
        TestIngestHttps.Peer hub = INGEST.hub();

        assertThatThrownBy(() -> INGEST.post(INGEST.anonymousClient(hub), JSON, SAMPLE))
                .isInstanceOf(IOException.class);
        assertThat(INGEST.intake().from(hub.hub())).isEmpty();
        assertThat(INGEST.post(INGEST.client(hub), JSON, SAMPLE).statusCode()).isEqualTo(200);
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedInTheHandshake() {
        TestIngestHttps.Peer stranger = INGEST.stranger();
        long untrusted = INGEST.metric(REFUSED, "reason", "untrusted");

        assertThatThrownBy(() -> INGEST.post(INGEST.client(stranger), JSON, SAMPLE)).isInstanceOf(IOException.class);
        assertThat(INGEST.metric(REFUSED, "reason", "untrusted")).isEqualTo(untrusted + 1);
        assertThat(INGEST.intake().from(stranger.hub())).isEmpty();
    }

    @Test
    void aClientOfferingOnlyTls12CannotConnect() throws IOException {
        TestIngestHttps.Peer hub = INGEST.hub();

        assertThatThrownBy(() -> INGEST.post(INGEST.client(hub, "TLSv1.2"), JSON, SAMPLE))
                .isInstanceOf(IOException.class);
        assertThat(INGEST.intake().from(hub.hub())).isEmpty();
        assertThat(INGEST.post(INGEST.client(hub, "TLSv1.3"), JSON, SAMPLE).statusCode()).isEqualTo(200);
    }

    @Test
    void anAppCertificateIsForbiddenAndNeverReachesTheIntake() throws IOException {
        TestIngestHttps.Peer app = INGEST.app();

        HttpResponse<String> response = INGEST.post(INGEST.client(app), JSON, SAMPLE);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("https://ora.io/problems/hub-certificate-required")
                .doesNotContain(app.id().topicSegment());
        assertThat(INGEST.metric("ora_ingest_http_requests_total", "status", "forbidden")).isPositive();
    }

    @Test
    void aRevokedSerialIsRefusedAtTheNextHandshakeAndOnConnectionsAlreadyOpen() throws IOException {
        TestIngestHttps.Peer hub = INGEST.hub();
        HttpClient connected = INGEST.client(hub);
        assertThat(INGEST.post(connected, JSON, SAMPLE).statusCode()).isEqualTo(200);
        long revoked = INGEST.metric(REFUSED, "reason", "revoked");

        INGEST.pki().revoke(PeerCertificates.serial(hub.certificate()));

        // Each attempt is a new client, hence a full handshake, judged by whatever deny-list is loaded by then.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            try {
                INGEST.post(INGEST.client(hub), JSON, SAMPLE);
                return false;
            } catch (IOException refused) {
                return true;
            }
        });
        assertThat(INGEST.metric(REFUSED, "reason", "revoked")).isGreaterThan(revoked);
        int submitted = INGEST.intake().from(hub.hub()).size();
        HttpResponse<String> onOpenConnection = INGEST.post(connected, JSON, SAMPLE);
        assertThat(onOpenConnection.statusCode()).isEqualTo(403);
        assertThat(onOpenConnection.body()).contains("https://ora.io/problems/certificate-revoked");
        assertThat(INGEST.intake().from(hub.hub())).hasSize(submitted);
    }
}
