package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.persistence.RawHttp;
import io.ora.portal.auth.Role;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-address limits are per address, over real sockets bound to several loopback addresses (127.0.0.x): the
 * clients behind one address cannot use up everyone's budget; without a trusted load balancer an
 * {@code X-Forwarded-For} header changes nothing, and behind one only the entry the balancer appended counts.
 */
class PerAddressRateLimitIT {

    private static final int PER_ADDRESS = 3;

    /** A sensitive operation that costs one token and answers 404 (no such project) when it is not limited. */
    private static final String SENSITIVE = "/v1/projects/" + UUID.randomUUID() + "/project-key";

    /**
     * With pekko-http's own default for the peer-address attribute, which is what the node's fat jar ended up with
     * when a merged {@code reference.conf} replaced the portal's: the portal must not depend on that key.
     */
    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal(Map.of(
            "pekko.http.server.remote-address-attribute", "off",
            "ora.portal.rate-limits.classes.sensitive.per-ip.capacity", PER_ADDRESS,
            "ora.portal.rate-limits.classes.sensitive.per-ip.period", "1h"));

    /** A portal behind a load balancer that appends the peer it saw to X-Forwarded-For. */
    @RegisterExtension
    static final TestPortal BALANCED = new TestPortal(Map.of(
            "ora.portal.http.trust-forwarded-for", true,
            "ora.portal.rate-limits.classes.sensitive.per-ip.capacity", PER_ADDRESS,
            "ora.portal.rate-limits.classes.sensitive.per-ip.period", "1h"));

    @Test
    void oneAddressSpendingItsSensitiveBudgetLeavesAnotherAddressServed() {
        for (int i = 0; i < PER_ADDRESS; i++) {
            // A new account each time: the per-user buckets stay full, only the address's empties.
            assertThat(status(PORTAL, "127.0.0.2", "")).as("request %s", i).isEqualTo(404);
        }
        assertThat(status(PORTAL, "127.0.0.2", "")).isEqualTo(429);
        assertThat(status(PORTAL, "127.0.0.2", "X-Forwarded-For: 198.51.100.7\r\n"))
                .as("a forwarded-for header the portal does not trust changes nothing").isEqualTo(429);

        assertThat(status(PORTAL, "127.0.0.3", "")).as("another address").isEqualTo(404);
    }

    @Test
    void onlyTheEntryTheBalancerAppendedCountsWhateverTheClientSentBeforeIt() {
        for (int i = 0; i < PER_ADDRESS; i++) {
            // The client's own header (a new address each time) and the balancer's, which names the same peer.
            assertThat(status(BALANCED, "127.0.0.4", "X-Forwarded-For: 198.51.100." + i + "\r\n"
                    + "X-Forwarded-For: 10.0.0." + i + ", 203.0.113.9\r\n")).as("request %s", i).isEqualTo(404);
        }
        assertThat(status(BALANCED, "127.0.0.4", "X-Forwarded-For: 192.0.2.1, 203.0.113.9\r\n"))
                .as("the same client, whatever came before the last entry").isEqualTo(429);
        assertThat(status(BALANCED, "127.0.0.4", "X-Forwarded-For: 203.0.113.10\r\n"))
                .as("another client behind the same balancer").isEqualTo(404);
    }

    @Test
    void aLastEntryThatIsNotAnAddressCountsAsTheBalancerItself() {
        for (int i = 0; i < PER_ADDRESS; i++) {
            assertThat(status(BALANCED, "127.0.0.5", "X-Forwarded-For: 203.0.113.20, client-" + i + "\r\n"))
                    .as("request %s", i).isEqualTo(404);
        }
        assertThat(status(BALANCED, "127.0.0.5", "X-Forwarded-For: not-an-address\r\n")).isEqualTo(429);
    }

    /**
     * One GET of {@link #SENSITIVE} by a new homeowner, from {@code localAddress} over a socket bound to it, with
     * {@code headers} (each ending in CRLF); the status.
     */
    static int status(TestPortal portal, String localAddress, String headers) {
        String head = "GET " + SENSITIVE + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + portal.token(Role.HOMEOWNER) + "\r\n" + headers + "Connection: close\r\n";
        return RawHttp.exchange(RawHttp.connectFrom(localAddress, portal.portal().port()),
                head.getBytes(StandardCharsets.ISO_8859_1), new byte[0]).status();
    }
}
