package io.ora.core.pki;

import io.ora.core.metrics.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a listener that peers reach finds its TLS material: the device CA and the serial deny-list (whom it trusts)
 * and its own certificate chain and key, in the layout of {@link DevPki}. The relay's MQTT edge and the device HTTPS
 * listener read the same files, each into its own TLS stack, and poll them the same way.
 */
public record TlsFiles(Path ca, Path certificate, Path key, Path revokedSerials) {

    /** What the files hold, read together. */
    public record Material(List<X509Certificate> chain, PrivateKey key, PeerTrustManager trust) {
        public Material {
            chain = List.copyOf(chain);
        }
    }

    /**
     * Reads all four files.
     *
     * @param refusedMetric the counter family the trust manager counts refusals in (see {@link PeerTrustManager})
     * @throws IOException when a file cannot be read, or the CA or certificate file holds no certificate
     */
    public Material read(Metrics metrics, String refusedMetric) throws IOException {
        List<X509Certificate> chain = Pem.readCertificates(certificate);
        if (chain.isEmpty()) {
            throw new IOException("the server certificate file holds no certificate");
        }
        PrivateKey privateKey = Pem.readPrivateKey(key);
        return new Material(chain, privateKey, PeerTrustManager.load(ca, revokedSerials, metrics, refusedMetric));
    }

    /** The files' modification times (the epoch for a missing one): when they differ, it is time to read again. */
    public List<FileTime> stamps() throws IOException {
        List<FileTime> times = new ArrayList<>();
        for (Path file : List.of(ca, certificate, key, revokedSerials)) {
            times.add(Files.exists(file) ? Files.getLastModifiedTime(file) : FileTime.fromMillis(0));
        }
        return times;
    }
}
