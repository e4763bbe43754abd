package io.ora.relay.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.ora.core.metrics.Metrics;
import io.ora.core.pki.Pem;
import io.ora.core.pki.PeerCertificates;
import io.ora.relay.RelaySettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * One consistent set of TLS material read from disk (CA, server chain and key, deny-list) and the server
 * {@link SslContext} built from it: TLS 1.3 only, client certificate required.
 */
public record TlsMaterial(SslContext context, PeerTrustManager trust) {

    /** Protocols offered: TLS 1.3 only, so no downgrade is possible. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3");

    /** Reads the files named by the settings and builds a server context. */
    public static TlsMaterial load(RelaySettings.Tls settings, Metrics metrics) throws IOException {
        List<X509Certificate> ca = Pem.readCertificates(settings.ca());
        List<X509Certificate> chain = Pem.readCertificates(settings.certificate());
        if (ca.isEmpty() || chain.isEmpty()) {
            throw new IOException("CA or server certificate file holds no certificate");
        }
        PrivateKey key = Pem.readPrivateKey(settings.key());
        PeerTrustManager trust = new PeerTrustManager(ca, readRevoked(settings.revokedSerials()), metrics);
        try {
            SslContext context = SslContextBuilder.forServer(key, chain)
                    .sslProvider(provider(settings.provider()))
                    .protocols(PROTOCOLS)
                    .clientAuth(ClientAuth.REQUIRE)
                    .trustManager(trust)
                    .build();
            return new TlsMaterial(context, trust);
        } catch (SSLException e) {
            throw new IOException("cannot build the TLS server context", e);
        }
    }

    /** Serials from a deny-list file: one hex serial per line, blank lines and {@code #} comments ignored. */
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

    private static SslProvider provider(String name) {
        if (name.equalsIgnoreCase("openssl") && OpenSsl.isAvailable()) {
            return SslProvider.OPENSSL;
        }
        return SslProvider.JDK;
    }
}
