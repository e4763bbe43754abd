package io.ora.device.https;

import io.micrometer.core.instrument.Counter;
import io.ora.core.metrics.Metrics;
import io.ora.core.pki.PeerTrustManager;
import io.ora.core.pki.TlsFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device listener's TLS material: the server chain and key, and the device CA and deny-list through the shared
 * {@link PeerTrustManager}, as a JDK {@link SSLContext}. Every connection gets an engine that speaks TLS 1.3 only and
 * requires a client certificate, so nothing reaches HTTP before the peer's certificate has been judged.
 *
 * <p>{@link #checkForChanges()} (polled by {@link DeviceHttps}) rebuilds the material when a file changes: new
 * connections use it at once, and {@link #isRevoked} answers from the newest deny-list for connections already open.
 * A change that fails to load keeps the previous material and is retried at the next poll.
 */
final class HttpsTls {

    /** Where this listener counts the client certificates it refuses, by reason. */
    static final String REFUSED_METRIC = "ora_device_https_certificates_refused_total";

    private static final Logger LOG = LoggerFactory.getLogger(HttpsTls.class);
    private static final String[] PROTOCOLS = {"TLSv1.3"};
    private static final String RELOADS_METRIC = "ora_device_https_tls_reloads_total";
    private static final String RELOADS_HELP = "TLS material reloads of the device HTTPS listener";
    /** Protects the key only inside this process's memory; the key store is never written anywhere. */
    private static final char[] IN_MEMORY = "device-https".toCharArray();

    private record Loaded(SSLContext context, PeerTrustManager trust, List<FileTime> stamps) {
    }

    private final HttpsSettings.Tls settings;
    private final Metrics metrics;
    private final Counter reloads;
    private final Counter reloadFailures;
    private volatile Loaded current;

    HttpsTls(HttpsSettings.Tls settings, Metrics metrics) throws IOException {
        this.settings = settings;
        this.metrics = metrics;
        this.reloads = metrics.counter(RELOADS_METRIC, RELOADS_HELP, "result", "ok");
        this.reloadFailures = metrics.counter(RELOADS_METRIC, RELOADS_HELP, "result", "failed");
        this.current = load();
    }

    /** A server engine for one new connection, from the newest material. */
    SSLEngine newEngine() {
        SSLEngine engine = current.context().createSSLEngine();
        engine.setUseClientMode(false);
        engine.setNeedClientAuth(true);
        engine.setEnabledProtocols(PROTOCOLS);
        return engine;
    }

    /** Whether a serial is on the newest deny-list, for a connection whose handshake predates it. */
    boolean isRevoked(String serial) {
        return current.trust().isRevoked(serial);
    }

    /** Reloads the material if any of its files changed since it was read. */
    synchronized void checkForChanges() {
        try {
            if (settings.files().stamps().equals(current.stamps())) {
                return;
            }
            current = load();
            reloads.increment();
            LOG.info("TLS material of the device HTTPS listener reloaded");
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            reloadFailures.increment();
            LOG.warn("TLS material of the device HTTPS listener changed but could not be loaded; keeping the previous"
                    + " material: {}", e.getMessage());
        }
    }

    private Loaded load() throws IOException {
        // Stamps first: a file replaced while it is read is then seen as changed again at the next poll.
        List<FileTime> stamps = settings.files().stamps();
        TlsFiles.Material files = settings.files().read(metrics, REFUSED_METRIC);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", files.key(), IN_MEMORY, files.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, IN_MEMORY);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(keys.getKeyManagers(), new TrustManager[] {files.trust()}, null);
            return new Loaded(context, files.trust(), stamps);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build the TLS server context: " + e.getMessage(), e);
        }
    }
}
