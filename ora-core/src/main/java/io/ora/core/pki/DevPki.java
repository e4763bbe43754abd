package io.ora.core.pki;

import io.ora.core.identity.PeerId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * The development PKI kept under {@code $ORA_HOME/pki}: a CA generated on first start, the relay's server
 * certificate, and the serial deny-list. Production mounts the same file layout from a secret store, so the relay
 * reads both the same way.
 *
 * <pre>
 * ca.crt              CA certificate (trusted by the relay for client certificates, by peers for the server)
 * ca.key              CA private key (development only; never present in production)
 * server.crt / .key   relay TLS server certificate (SAN localhost, 127.0.0.1, ::1) and key
 * revoked-serials     deny-list: one hex serial per line, '#' comments allowed
 * </pre>
 */
public final class DevPki {

    /** Lifetime of generated development material. */
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration SERVER_VALIDITY = Duration.ofDays(825);

    private final Path dir;

    private DevPki(Path dir) {
        this.dir = dir;
    }

    /** Opens the PKI directory, generating the CA and server material that is missing. */
    public static DevPki openOrCreate(Path dir) throws IOException {
        DevPki pki = new DevPki(dir);
        Files.createDirectories(dir);
        if (!Files.exists(pki.caCertificate()) || !Files.exists(pki.caKey())) {
            CertificateAuthority ca = CertificateAuthority.create("Ora development device CA", CA_VALIDITY);
            Pem.write(pki.caKey(), Pem.privateKey(ca.privateKey()), true);
            Pem.write(pki.caCertificate(), Pem.certificates(List.of(ca.certificate())), false);
            Files.deleteIfExists(pki.serverCertificate());
        }
        if (!Files.exists(pki.serverCertificate()) || !Files.exists(pki.serverKey())) {
            KeyPair pair = CertificateAuthority.newKeyPair();
            X509Certificate server = pki.authority().issueServer(List.of("localhost"), List.of("127.0.0.1", "::1"),
                    pair.getPublic(), SERVER_VALIDITY);
            Pem.write(pki.serverKey(), Pem.privateKey(pair.getPrivate()), true);
            Pem.write(pki.serverCertificate(), Pem.certificates(List.of(server)), false);
        }
        if (!Files.exists(pki.revokedSerials())) {
            Files.writeString(pki.revokedSerials(), "# serials refused by the relay, one per line (hex)\n");
        }
        return pki;
    }

    /** Opens an existing PKI directory without creating anything. */
    public static DevPki open(Path dir) throws IOException {
        DevPki pki = new DevPki(dir);
        if (!Files.exists(pki.caCertificate()) || !Files.exists(pki.caKey())) {
            throw new IOException("no development CA in " + dir + ": start the node once, or set ORA_HOME");
        }
        return pki;
    }

    /** The CA loaded from disk. */
    public CertificateAuthority authority() throws IOException {
        return new CertificateAuthority(Pem.readCertificates(caCertificate()).get(0), Pem.readPrivateKey(caKey()));
    }

    /**
     * Issues a key pair and certificate for {@code peer} and writes {@code ca.crt}, {@code client.crt} and
     * {@code client.key} (PKCS#8, unencrypted) into {@code out}.
     */
    public X509Certificate issuePeerFiles(PeerId peer, Duration validity, Path out) throws IOException {
        KeyPair pair = CertificateAuthority.newKeyPair();
        X509Certificate certificate = authority().issuePeer(peer, pair.getPublic(), validity);
        Files.createDirectories(out);
        Pem.write(out.resolve("client.key"), Pem.privateKey(pair.getPrivate()), true);
        Pem.write(out.resolve("client.crt"), Pem.certificates(List.of(certificate)), false);
        Files.copy(caCertificate(), out.resolve("ca.crt"), StandardCopyOption.REPLACE_EXISTING);
        return certificate;
    }

    /** Appends a serial to the deny-list (normalised); the relay picks it up without a restart. */
    public void revoke(String serial) throws IOException {
        String normalised = PeerCertificates.normaliseSerial(serial);
        Files.writeString(revokedSerials(), normalised + "\n", StandardCharsets.US_ASCII,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public Path dir() {
        return dir;
    }

    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    public Path caKey() {
        return dir.resolve("ca.key");
    }

    public Path serverCertificate() {
        return dir.resolve("server.crt");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    public Path revokedSerials() {
        return dir.resolve("revoked-serials");
    }
}
