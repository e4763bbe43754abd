package io.ora.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ora.core.identity.PeerId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevPkiTest {

    @Test
    void generatesTheCaOnceAndIssuesPeerFilesThatNameThePeer(@TempDir Path dir) throws Exception {
        DevPki pki = DevPki.openOrCreate(dir.resolve("pki"));
        String ca = Files.readString(pki.caCertificate());
        assertThat(Files.getPosixFilePermissions(pki.caKey())).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(pki.caCertificate())).contains(PosixFilePermission.OTHERS_READ);

        PeerId hub = new PeerId.Hub(UUID.randomUUID());
        X509Certificate issued = pki.issuePeerFiles(hub, Duration.ofDays(1), dir.resolve("out"));

        assertThat(DevPki.openOrCreate(dir.resolve("pki")).caCertificate()).hasContent(ca);
        X509Certificate read = Pem.readCertificates(dir.resolve("out/client.crt")).get(0);
        assertThat(read).isEqualTo(issued);
        assertThat(PeerCertificates.identity(read)).contains(hub);
        assertThat(Files.readString(dir.resolve("out/client.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Pem.readPrivateKey(dir.resolve("out/client.key")).getAlgorithm()).isEqualTo("EC");
        read.verify(Pem.readCertificates(dir.resolve("out/ca.crt")).get(0).getPublicKey());
    }

    @Test
    void aCertificateWithTwoIdentitiesNamesNobody() {
        CertificateAuthority ca = CertificateAuthority.create("test", Duration.ofDays(1));
        KeyPair pair = CertificateAuthority.newKeyPair();
        X509Certificate server = ca.issueServer(List.of("urn:ora:hub:x"), List.of(), pair.getPublic(),
                Duration.ofDays(1));
        assertThat(PeerCertificates.identity(server)).isEmpty();
    }

    @Test
    void serialsAreNormalisedTheWayPeoplePrintThem(@TempDir Path dir) throws Exception {
        assertThat(PeerCertificates.normaliseSerial("0x00:4F:3a")).isEqualTo("4f3a");
        assertThat(PeerCertificates.normaliseSerial(" 4f3a ")).isEqualTo("4f3a");
        assertThatThrownBy(() -> PeerCertificates.normaliseSerial("xyz")).isInstanceOf(IllegalArgumentException.class);
        DevPki pki = DevPki.openOrCreate(dir);
        pki.revoke("AB:CD");
        assertThat(Files.readAllLines(pki.revokedSerials())).contains("abcd");
    }
}
