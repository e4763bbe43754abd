package io.ora.relay.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.ora.core.metrics.Metrics;
import io.ora.core.pki.PeerTrustManager;
import io.ora.core.pki.TlsFiles;
import io.ora.relay.RelaySettings;
import java.io.IOException;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * One consistent set of TLS material read from disk (CA, server chain and key, deny-list) and the server
 * {@link SslContext} built from it: TLS 1.3 only, client certificate required.
 */
public record TlsMaterial(SslContext context, PeerTrustManager trust) {

    /** Protocols offered: TLS 1.3 only, so no downgrade is possible. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3");

    /** Where the MQTT listener counts the client certificates it refuses, by reason. */
    public static final String REFUSED_METRIC = "ora_relay_certificates_refused_total";

    /** Reads the files named by the settings and builds a server context. */
    public static TlsMaterial load(RelaySettings.Tls settings, Metrics metrics) throws IOException {
        TlsFiles.Material material = settings.files().read(metrics, REFUSED_METRIC);
        try {
            SslContext context = SslContextBuilder.forServer(material.key(), material.chain())
                    .sslProvider(provider(settings.provider()))
                    .protocols(PROTOCOLS)
                    .clientAuth(ClientAuth.REQUIRE)
                    .trustManager(material.trust())
                    .build();
            return new TlsMaterial(context, material.trust());
        } catch (SSLException e) {
            throw new IOException("cannot build the TLS server context", e);
        }
    }

    private static SslProvider provider(String name) {
        if (name.equalsIgnoreCase("openssl") && OpenSsl.isAvailable()) {
            return SslProvider.OPENSSL;
        }
        return SslProvider.JDK;
    }
}
