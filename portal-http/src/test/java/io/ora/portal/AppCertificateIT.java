package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.core.identity.PeerId;
import io.ora.core.pki.Pem;
import io.ora.core.pki.PeerCertificates;
import io.ora.portal.auth.Role;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/** App installs get short-lived relay certificates from a CSR; the identity comes from the login, not the CSR. */
class AppCertificateIT {

    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal();

    @TempDir
    Path dir;

    static KeyPair ecKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    static String csr(KeyPair subjectKey, KeyPair signingKey, String subject) throws Exception {
        PKCS10CertificationRequest request = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject),
                subjectKey.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA")
                .build(signingKey.getPrivate()));
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(request);
        }
        return pem.toString();
    }

    @Test
    void aValidCsrGetsACertificateForTheCallersOwnIdentityWhateverTheCsrClaims() throws Exception {
        ApiClient api = PORTAL.client();
        String token = PORTAL.token(Role.HOMEOWNER);
        UUID userId = UUID.fromString(api.get("/v1/me", token).json().get("userId").asString());
        KeyPair key = ecKey();

        ApiClient.Response issued = api.post("/v1/app-certificates", token, Map.of("installId", "phone-1",
                "csr", csr(key, key, "CN=urn:ora:app:someone-else:evil")));

        assertThat(issued.status()).isEqualTo(201);
        Path file = dir.resolve("client.crt");
        Files.writeString(file, issued.json().get("certificate").asString());
        X509Certificate certificate = Pem.readCertificates(file).get(0);
        assertThat(PeerCertificates.identity(certificate)).contains(new PeerId.App(userId + ":phone-1"));
        assertThat(issued.json().get("identity").asString()).isEqualTo("urn:ora:app:" + userId + ":phone-1");
        assertThat(certificate.getPublicKey()).isEqualTo(key.getPublic());
        Files.writeString(dir.resolve("ca.crt"), issued.json().get("caCertificate").asString());
        certificate.verify(Pem.readCertificates(dir.resolve("ca.crt")).get(0).getPublicKey());
        assertThat(Duration.between(Instant.now(), certificate.getNotAfter().toInstant()))
                .isBetween(Duration.ofHours(23), Duration.ofHours(25));
    }

    @Test
    void aCsrNotSignedByItsOwnKeyOrMalformedIsRefused() throws Exception {
        ApiClient api = PORTAL.client();
        String token = PORTAL.token(Role.ELECTRICIAN);
        assertThat(api.post("/v1/app-certificates", token, Map.of("installId", "tablet",
                "csr", csr(ecKey(), ecKey(), "CN=x"))).status()).as("no proof of possession").isEqualTo(400);
        assertThat(api.post("/v1/app-certificates", token, Map.of("installId", "tablet",
                "csr", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")).status())
                .isEqualTo(400);
        assertThat(api.post("/v1/app-certificates", token, Map.of("installId", "../../x",
                "csr", csr(ecKey(), ecKey(), "CN=x"))).status()).isEqualTo(400);
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        KeyPair weak = rsa.generateKeyPair();
        PKCS10CertificationRequest request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"),
                weak.getPublic()).build(new JcaContentSignerBuilder("SHA256withRSA").build(weak.getPrivate()));
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(request);
        }
        assertThat(api.post("/v1/app-certificates", token, Map.of("installId", "tablet", "csr", pem.toString()))
                .status()).as("RSA 1024").isEqualTo(400);
    }
}
