package io.ora.core.pki;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.ora.core.identity.PeerId;
import io.ora.core.metrics.Metrics;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Decides, during the TLS handshake, whether a client certificate may connect: it must be issued directly by the
 * device CA, be within its validity period, be meant for client authentication, name exactly one Ora identity and
 * not be on the deny-list. Anything else fails the handshake, before the peer sends a single byte of MQTT or HTTP.
 * Every listener that peers reach with their device certificate (the relay's MQTT edge, the ingest role's HTTPS
 * source) decides with this one class, so a certificate is either good everywhere or nowhere.
 *
 * <p>Immutable: a change of CA or deny-list builds a new one (the listeners poll the files and reload).
 */
public final class PeerTrustManager extends X509ExtendedTrustManager {

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    /** Why a certificate was refused; the label of the listener's refused-certificates counter. */
    public enum Refusal {
        NO_CERTIFICATE, UNTRUSTED, EXPIRED, NOT_YET_VALID, WRONG_PURPOSE, NO_IDENTITY, REVOKED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A refused certificate, with the reason. */
    public static final class RefusedCertificateException extends CertificateException {
        private final Refusal refusal;

        RefusedCertificateException(Refusal refusal) {
            super("client certificate refused: " + refusal.label());
            this.refusal = refusal;
        }

        public Refusal refusal() {
            return refusal;
        }
    }

    private final List<X509Certificate> cas;
    private final List<Predicate<X509Certificate>> issuers;
    private final Set<String> revokedSerials;
    private final Metrics metrics;
    private final String refusedMetric;
    /**
     * Certificates whose signature already checked out against these CAs, by SHA-256 of their encoding: a peer that
     * reconnects (a flapping link, a reconnect storm after a node restart) skips the signature check. Validity,
     * purpose, identity and revocation are still checked on every handshake.
     */
    private final Cache<String, Boolean> signatureChecked = Caffeine.newBuilder().maximumSize(100_000).build();

    /**
     * @param cas every CA certificate whose peers are trusted: during a CA rotation the file holds the old and the
     *            new one
     * @param refusedMetric the counter family refusals are counted in, labelled {@code reason}: each listener has
     *            its own (e.g. {@code ora_relay_certificates_refused_total})
     */
    public PeerTrustManager(List<X509Certificate> cas, Set<String> revokedSerials, Metrics metrics,
                            String refusedMetric) {
        this.cas = List.copyOf(cas);
        this.issuers = this.cas.stream().map(Signatures::verifierFor).toList();
        this.revokedSerials = Set.copyOf(revokedSerials);
        this.metrics = metrics;
        this.refusedMetric = refusedMetric;
        // Every reason's series from the start, at 0: a rate or an alert over it needs the series to exist.
        for (Refusal refusal : Refusal.values()) {
            counter(refusal);
        }
    }

    /**
     * Reads the CA file (one or more PEM certificates) and the deny-list file (see {@link #readRevoked}) and builds
     * a trust manager from them.
     *
     * @throws IOException when a file cannot be read or the CA file holds no certificate
     */
    public static PeerTrustManager load(Path caFile, Path revokedSerialsFile, Metrics metrics, String refusedMetric)
            throws IOException {
        List<X509Certificate> cas = Pem.readCertificates(caFile);
        if (cas.isEmpty()) {
            throw new IOException("the CA file holds no certificate");
        }
        return new PeerTrustManager(cas, readRevoked(revokedSerialsFile), metrics, refusedMetric);
    }

    /**
     * Serials from a deny-list file: one hex serial per line, blank lines and {@code #} comments ignored. A missing
     * file denies nothing.
     */
    public static Set<String> readRevoked(Path file) throws IOException {
        Set<String> serials = new HashSet<>();
        if (!Files.exists(file)) {
            return serials;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String text = line.strip();
            if (!text.isEmpty() && !text.startsWith("#")) {
                serials.add(PeerCertificates.normaliseSerial(text));
            }
        }
        return serials;
    }

    /** Whether a certificate that was accepted earlier is now on the deny-list. */
    public boolean isRevoked(String serial) {
        return revokedSerials.contains(serial);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        verify(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a peer-facing listener does not act as a TLS client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a peer-facing listener does not act as a TLS client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a peer-facing listener does not act as a TLS client");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return cas.toArray(X509Certificate[]::new);
    }

    /** Checks a chain and returns the identity it names; counts and throws on refusal. */
    public PeerId verify(X509Certificate[] chain) throws RefusedCertificateException {
        Optional<Refusal> refusal = refusal(chain);
        if (refusal.isPresent()) {
            counter(refusal.get()).increment();
            throw new RefusedCertificateException(refusal.get());
        }
        return PeerCertificates.identity(chain[0]).orElseThrow();
    }

    private Optional<Refusal> refusal(X509Certificate[] chain) {
        if (chain == null || chain.length == 0) {
            return Optional.of(Refusal.NO_CERTIFICATE);
        }
        X509Certificate leaf = chain[0];
        Optional<X509Certificate> issuer = issuer(leaf);
        if (issuer.isEmpty()) {
            return Optional.of(Refusal.UNTRUSTED);
        }
        X509Certificate ca = issuer.get();
        try {
            leaf.checkValidity();
            ca.checkValidity();
        } catch (CertificateExpiredException expired) {
            return Optional.of(Refusal.EXPIRED);
        } catch (CertificateNotYetValidException notYet) {
            return Optional.of(Refusal.NOT_YET_VALID);
        }
        if (!isForClientAuth(leaf)) {
            return Optional.of(Refusal.WRONG_PURPOSE);
        }
        if (PeerCertificates.identity(leaf).isEmpty()) {
            return Optional.of(Refusal.NO_IDENTITY);
        }
        if (revokedSerials.contains(PeerCertificates.serial(leaf))) {
            return Optional.of(Refusal.REVOKED);
        }
        return Optional.empty();
    }

    private Optional<X509Certificate> issuer(X509Certificate leaf) {
        String fingerprint;
        try {
            fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
        } catch (GeneralSecurityException unreadable) {
            return Optional.empty();
        }
        for (int i = 0; i < cas.size(); i++) {
            X509Certificate ca = cas.get(i);
            if (!leaf.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
                continue;
            }
            String key = i + ":" + fingerprint;
            if (signatureChecked.getIfPresent(key) != null || issuers.get(i).test(leaf)) {
                signatureChecked.put(key, Boolean.TRUE);
                return Optional.of(ca);
            }
        }
        return Optional.empty();
    }

    private static boolean isForClientAuth(X509Certificate leaf) {
        try {
            List<String> usages = leaf.getExtendedKeyUsage();
            return leaf.getBasicConstraints() < 0 && (usages == null || usages.contains(CLIENT_AUTH));
        } catch (CertificateException malformed) {
            return false;
        }
    }

    private Counter counter(Refusal refusal) {
        return metrics.counter(refusedMetric, "Client certificates refused during the TLS handshake, by reason",
                "reason", refusal.label());
    }
}
