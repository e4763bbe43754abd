package io.ora.device.https;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ora.core.pki.PeerCertificates;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who may make requests: only a peer with a current certificate of the device CA that is not on the deny-list, over
 * TLS 1.3. Everyone else fails the handshake, before any HTTP; a certificate revoked while its connection is open is
 * refused on that connection from the next request. None of them reaches a route's code.
 */
class DeviceHttpsTlsIT {

    private static final String JSON = "application/json";
    private static final String REFUSED = HttpsTls.REFUSED_METRIC;
    private static final byte[] BODY = "{\"cpu\":12.5}".getBytes(StandardCharsets.UTF_8);
    private static final TestRoutes ROUTES = new TestRoutes("test", 1024);
    private static final String ECHO = ROUTES.path("echo");

    @RegisterExtension
    static final TestDeviceHttps HTTPS = new TestDeviceHttps(Map.of(), config -> List.of(ROUTES));

    @Test
    void aRouteIsGivenThePeerAndSerialItsCertificateNames() throws IOException {
        TestDeviceHttps.Peer hub = HTTPS.hub();
        TestDeviceHttps.Peer app = HTTPS.app();

        HttpResponse<String> fromHub = HTTPS.post(HTTPS.client(hub), ECHO, JSON, BODY);
        HttpResponse<String> fromApp = HTTPS.post(HTTPS.client(app), ECHO, JSON, BODY);

        assertThat(fromHub.statusCode()).isEqualTo(200);
        assertThat(fromHub.body()).isEqualTo("{\"peer\":\"hub:" + hub.hub() + "\",\"serial\":\""
                + PeerCertificates.serial(hub.certificate()) + "\",\"bytes\":" + BODY.length + "}");
        // Which peers a route serves is the route's decision; the listener hands it whoever the certificate names.
        assertThat(fromApp.statusCode()).isEqualTo(200);
        assertThat(fromApp.body()).contains("\"peer\":\"app:" + app.id().topicSegment() + "\"");
        assertThat(ROUTES.reached()).extracting(DevicePeer::id).contains(hub.id(), app.id());
    }

    @Test
    void withoutAClientCertificateTheHandshakeFails() throws IOException {
        TestDeviceHttps.Peer hub = HTTPS.hub();

        assertThatThrownBy(() -> HTTPS.post(HTTPS.anonymousClient(hub), ECHO, JSON, BODY))
                .isInstanceOf(IOException.class);
        assertThat(reached(hub)).isZero();
        assertThat(HTTPS.post(HTTPS.client(hub), ECHO, JSON, BODY).statusCode()).isEqualTo(200);
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedInTheHandshake() {
        TestDeviceHttps.Peer stranger = HTTPS.stranger();
        long untrusted = HTTPS.metric(REFUSED, "reason", "untrusted");

        assertThatThrownBy(() -> HTTPS.post(HTTPS.client(stranger), ECHO, JSON, BODY))
                .isInstanceOf(IOException.class);
        assertThat(HTTPS.metric(REFUSED, "reason", "untrusted")).isEqualTo(untrusted + 1);
        assertThat(reached(stranger)).isZero();
    }

    @Test
    void aClientOfferingOnlyTls12CannotConnect() throws IOException {
        TestDeviceHttps.Peer hub = HTTPS.hub();

        assertThatThrownBy(() -> HTTPS.post(HTTPS.client(hub, "TLSv1.2"), ECHO, JSON, BODY))
                .isInstanceOf(IOException.class);
        assertThat(reached(hub)).isZero();
        assertThat(HTTPS.post(HTTPS.client(hub, "TLSv1.3"), ECHO, JSON, BODY).statusCode()).isEqualTo(200);
    }

    @Test
    void aRevokedSerialIsRefusedAtTheNextHandshakeAndOnConnectionsAlreadyOpen() throws IOException {
        TestDeviceHttps.Peer hub = HTTPS.hub();
        HttpClient connected = HTTPS.client(hub);
        assertThat(HTTPS.post(connected, ECHO, JSON, BODY).statusCode()).isEqualTo(200);
        long revoked = HTTPS.metric(REFUSED, "reason", "revoked");
        long reloads = HTTPS.metric("ora_device_https_tls_reloads_total", "result", "ok");

        HTTPS.pki().revoke(PeerCertificates.serial(hub.certificate()));

        // Each attempt is a new client, hence a full handshake, judged by whatever deny-list is loaded by then.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            try {
                HTTPS.post(HTTPS.client(hub), ECHO, JSON, BODY);
                return false;
            } catch (IOException refused) {
                return true;
            }
        });
        assertThat(HTTPS.metric(REFUSED, "reason", "revoked")).isGreaterThan(revoked);
        assertThat(HTTPS.metric("ora_device_https_tls_reloads_total", "result", "ok")).isGreaterThan(reloads);
        long before = reached(hub);
        HttpResponse<String> onOpenConnection = HTTPS.post(connected, ECHO, JSON, BODY);
        assertThat(onOpenConnection.statusCode()).isEqualTo(403);
        assertThat(onOpenConnection.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(onOpenConnection.body()).contains("https://ora.io/problems/certificate-revoked");
        assertThat(reached(hub)).isEqualTo(before);
        assertThat(HTTPS.metric(ResponseCounter.REQUESTS, "status", "forbidden")).isPositive();
    }

    private static long reached(TestDeviceHttps.Peer peer) {
        return ROUTES.reached().stream().filter(seen -> seen.id().equals(peer.id())).count();
    }
}
