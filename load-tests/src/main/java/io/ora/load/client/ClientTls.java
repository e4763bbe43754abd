package io.ora.load.client;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.ora.hubkit.PeerCredentials;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS 1.3 client contexts, one per identity, presenting its certificate and trusting only the CA in its credentials.
 * BoringSSL ({@code netty-tcnative-boringssl-static}) when it loads, the JDK otherwise; the JDK's pure-Java P-256
 * makes the generator, not the broker, the bottleneck of a connection storm on a small machine.
 *
 * <p>Building a context is the expensive part and happens before anything is measured: with BoringSSL the key is
 * turned into native key material when the context is built (Netty's {@code OpenSslX509KeyManagerFactory}), not at
 * each handshake. The key goes through an in-memory JKS store on the way, whose key protection is a few hashes; the
 * JDK's default PKCS#12 would spend 10,000 PBKDF2 rounds in and out on every identity. One trust manager per CA is
 * shared by all contexts. Safe to use from several threads.
 */
public final class ClientTls {

    private static final String TLS_1_3 = "TLSv1.3";
    private static final String IN_MEMORY_STORE = "JKS";

    private final Map<X509Certificate, TrustManagerFactory> trust = new ConcurrentHashMap<>();

    /** The context of one identity. */
    public SslContext context(PeerCredentials credentials) throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .protocols(TLS_1_3)
                .keyStoreType(IN_MEMORY_STORE)
                .keyManager(credentials.key(), credentials.chain().toArray(X509Certificate[]::new))
                .trustManager(trust.computeIfAbsent(credentials.ca(), ca -> credentials.trustManagers()))
                .build();
    }

    /** Which TLS implementation the clients run on, for reports: the client's cost is part of every figure. */
    public static String implementation() {
        return OpenSsl.isAvailable() ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK";
    }
}
