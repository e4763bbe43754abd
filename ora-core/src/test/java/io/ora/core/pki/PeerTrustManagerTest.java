package io.ora.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ora.core.identity.PeerId;
import io.ora.core.metrics.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerTrustManagerTest {

    private static final String REFUSED = "test_certificates_refused_total";
    private static final CertificateAuthority CA = CertificateAuthority.create("trusted", Duration.ofDays(1));
    private static final KeyPair PAIR = CertificateAuthority.newKeyPair();

    private final Metrics metrics = new Metrics();

    @Test
    void aCurrentClientCertificateOfTheCaNamesItsPeer() throws Exception {
        PeerId hub = new PeerId.Hub(UUID.randomUUID());
        X509Certificate leaf = CA.issuePeer(hub, PAIR.getPublic(), Duration.ofDays(1));

        assertThat(trust(Set.of()).verify(new X509Certificate[] {leaf})).isEqualTo(hub);
    }

    @Test
    void eachRefusalIsCountedUnderTheListenersOwnMetric() {
        PeerId hub = new PeerId.Hub(UUID.randomUUID());
        X509Certificate revoked = CA.issuePeer(hub, PAIR.getPublic(), Duration.ofDays(1));
        X509Certificate expired = CA.issuePeer(hub, PAIR.getPublic(), Instant.now().minus(Duration.ofDays(2)),
                Instant.now().minus(Duration.ofDays(1)));
        X509Certificate server = CA.issueServer(List.of("localhost"), List.of(), PAIR.getPublic(), Duration.ofDays(1));
        X509Certificate stranger = CertificateAuthority.create("other", Duration.ofDays(1))
                .issuePeer(hub, PAIR.getPublic(), Duration.ofDays(1));
        PeerTrustManager trust = trust(Set.of(PeerCertificates.serial(revoked)));

        assertRefused(trust, new X509Certificate[0], PeerTrustManager.Refusal.NO_CERTIFICATE);
        assertRefused(trust, new X509Certificate[] {stranger}, PeerTrustManager.Refusal.UNTRUSTED);
        assertRefused(trust, new X509Certificate[] {expired}, PeerTrustManager.Refusal.EXPIRED);
        assertRefused(trust, new X509Certificate[] {server}, PeerTrustManager.Refusal.WRONG_PURPOSE);
        assertRefused(trust, new X509Certificate[] {revoked}, PeerTrustManager.Refusal.REVOKED);
        assertThat(trust.isRevoked(PeerCertificates.serial(revoked))).isTrue();
        assertThat(metrics.value(REFUSED, "reason", "untrusted")).isEqualTo(1);
        assertThat(metrics.value(REFUSED, "reason", "revoked")).isEqualTo(1);
    }

    @Test
    void loadsTheCaAndTheDenyListFromTheirFiles(@TempDir Path dir) throws Exception {
        DevPki pki = DevPki.openOrCreate(dir);
        X509Certificate leaf = pki.issuePeerFiles(new PeerId.Hub(UUID.randomUUID()), Duration.ofDays(1),
                dir.resolve("hub"));
        Files.writeString(pki.revokedSerials(), "# a comment\n\n  0x" + PeerCertificates.serial(leaf).toUpperCase()
                + "  \n");

        PeerTrustManager trust = PeerTrustManager.load(pki.caCertificate(), pki.revokedSerials(), metrics, REFUSED);

        assertThat(trust.isRevoked(PeerCertificates.serial(leaf))).isTrue();
        assertRefused(trust, new X509Certificate[] {leaf}, PeerTrustManager.Refusal.REVOKED);
        assertThat(PeerTrustManager.readRevoked(dir.resolve("absent"))).isEmpty();
        assertThatThrownBy(() -> PeerTrustManager.load(pki.revokedSerials(), pki.revokedSerials(), metrics, REFUSED))
                .hasMessageContaining("no certificate");
    }

    private PeerTrustManager trust(Set<String> revoked) {
        return new PeerTrustManager(List.of(CA.certificate()), revoked, metrics, REFUSED);
    }

    private static void assertRefused(PeerTrustManager trust, X509Certificate[] chain,
                                      PeerTrustManager.Refusal refusal) {
        assertThatThrownBy(() -> trust.checkClientTrusted(chain, "EC"))
                .isInstanceOfSatisfying(PeerTrustManager.RefusedCertificateException.class,
                        refused -> assertThat(refused.refusal()).isEqualTo(refusal));
    }
}
