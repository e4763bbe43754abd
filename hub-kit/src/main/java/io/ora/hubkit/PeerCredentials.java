package io.ora.hubkit;

import io.ora.core.identity.PeerId;
import io.ora.core.pki.Pem;
import io.ora.core.pki.PeerCertificates;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What a relay peer presents and trusts: its client certificate and key, and the CA that signed the relay's server
 * certificate. Loaded from the directory layout the {@code pki} CLI writes ({@code ca.crt}, {@code client.crt},
 * {@code client.key}), the same files {@code mosquitto_pub --cafile/--cert/--key} take.
 */
public record PeerCredentials(X509Certificate ca, List<X509Certificate> chain, PrivateKey key) {

    public PeerCredentials {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a client certificate is required");
        }
    }

    /** Loads {@code ca.crt}, {@code client.crt} and {@code client.key} from {@code dir}. */
    public static PeerCredentials load(Path dir) throws IOException {
        List<X509Certificate> ca = Pem.readCertificates(dir.resolve("ca.crt"));
        if (ca.isEmpty()) {
            throw new IOException("no CA certificate in " + dir.resolve("ca.crt"));
        }
        return new PeerCredentials(ca.get(0), Pem.readCertificates(dir.resolve("client.crt")),
                Pem.readPrivateKey(dir.resolve("client.key")));
    }

    /** The identity the certificate names, e.g. {@code urn:ora:hub:...}. */
    public PeerId identity() {
        return PeerCertificates.identity(chain.get(0))
                .orElseThrow(() -> new IllegalStateException("certificate names no Ora identity"));
    }

    /** Key material for a TLS client: this peer's certificate and key, offered whatever issuers the server names. */
    public KeyManager keyManager() {
        return new PeerKeyManager(chain, key);
    }

    /** The same key material for libraries that take a factory (HiveMQ, Netty). */
    public KeyManagerFactory keyManagers() {
        return PeerKeyManager.factory(keyManager());
    }

    /** A TLS 1.3 client context presenting this peer's certificate (for clients that take an SSLContext). */
    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(new KeyManager[] {keyManager()}, trustManagers().getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build TLS context", e);
        }
    }

    /** Trust in the relay's CA only. */
    public TrustManagerFactory trustManagers() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ora-ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build trust manager", e);
        }
    }
}
