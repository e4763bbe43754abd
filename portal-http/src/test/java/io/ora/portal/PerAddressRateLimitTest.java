package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.portal.auth.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-address limits are per address: clients on two loopback addresses (127.0.0.2 and 127.0.0.3, real sockets bound
 * to each) have a bucket each, so the ones behind one address cannot use up the budget of everyone else, and an
 * {@code X-Forwarded-For} header does not move a client to another bucket while the portal does not trust it.
 */
class PerAddressRateLimitTest {

    private static final int PER_ADDRESS = 3;

    /**
     * With pekko-http's own default for the peer-address attribute, which is what the node's fat jar ended up with
     * when a merged {@code reference.conf} replaced the portal's: the portal must not depend on that key.
     */
    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal(Map.of(
            "pekko.http.server.remote-address-attribute", "off",
            "ora.portal.rate-limits.classes.sensitive.per-ip.capacity", PER_ADDRESS,
            "ora.portal.rate-limits.classes.sensitive.per-ip.period", "1h"));

    @Test
    void oneAddressSpendingItsSensitiveBudgetLeavesAnotherAddressServed() throws IOException {
        String path = "/v1/projects/" + UUID.randomUUID() + "/project-key";
        for (int i = 0; i < PER_ADDRESS; i++) {
            // A new account each time: the per-user buckets stay full, only the address's empties.
            assertThat(status("127.0.0.2", path, PORTAL.token(Role.HOMEOWNER), "")).as("request %s", i)
                    .isEqualTo(404);
        }
        assertThat(status("127.0.0.2", path, PORTAL.token(Role.HOMEOWNER), "")).isEqualTo(429);
        assertThat(status("127.0.0.2", path, PORTAL.token(Role.HOMEOWNER), "X-Forwarded-For: 198.51.100.7\r\n"))
                .as("a forwarded-for header the portal does not trust changes nothing").isEqualTo(429);

        assertThat(status("127.0.0.3", path, PORTAL.token(Role.HOMEOWNER), "")).as("another address").isEqualTo(404);
    }

    /** Sends one GET from {@code localAddress} over a plain socket and returns the status code. */
    private static int status(String localAddress, String path, String token, String extraHeaders)
            throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", PORTAL.portal().port()), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n"
                    + extraHeaders + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 ");
            return Integer.parseInt(response.substring(9, 12));
        }
    }
}
