package io.ora.core.pki;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.core.identity.PeerId;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class SignaturesTest {

    private final CertificateAuthority ca = CertificateAuthority.create("ca", Duration.ofDays(1));
    private final KeyPair peer = CertificateAuthority.newKeyPair();

    @Test
    void acceptsWhatTheIssuerSignedAndRefusesOtherIssuers() {
        X509Certificate issued = ca.issuePeer(new PeerId.Hub(UUID.randomUUID()), peer.getPublic(), Duration.ofDays(1));
        CertificateAuthority other = CertificateAuthority.create("ca", Duration.ofDays(1));

        assertThat(Signatures.signedBy(issued, ca.certificate())).isTrue();
        assertThat(Signatures.signedBy(issued, other.certificate())).isFalse();
    }

    @Test
    void refusesATamperedCertificate() throws Exception {
        UUID hub = new UUID(0x1111111111111111L, 0x2222222222222222L);
        X509Certificate issued = ca.issuePeer(new PeerId.Hub(hub), peer.getPublic(), Duration.ofDays(1));
        byte[] der = issued.getEncoded();
        // Claim another identity: one hex digit of the UUID in the to-be-signed part, encoding still valid.
        int at = indexOf(der, hub.toString().getBytes(StandardCharsets.US_ASCII));
        der[at] = '3';
        X509Certificate tampered = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));

        assertThat(Signatures.signedBy(tampered, ca.certificate())).isFalse();
    }

    @Test
    void checksOtherAlgorithmsWithTheJdk() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair issuerKeys = rsa.generateKeyPair();
        X500Name name = new X500Name("CN=rsa-ca");
        Instant now = Instant.now();
        X509Certificate rsaCa = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                name, BigInteger.ONE, Date.from(now), Date.from(now.plusSeconds(3600)), name, issuerKeys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));

        assertThat(Signatures.signedBy(rsaCa, rsaCa)).isTrue();
        assertThat(Signatures.signedBy(rsaCa, ca.certificate())).isFalse();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            boolean match = true;
            for (int j = 0; j < needle.length && match; j++) {
                match = haystack[i + j] == needle[j];
            }
            if (match) {
                return i;
            }
        }
        throw new IllegalArgumentException("not found");
    }
}
