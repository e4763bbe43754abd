package io.ora.device.https;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ora.core.identity.PeerId;
import io.ora.core.metrics.Metrics;
import io.ora.core.pki.CertificateAuthority;
import io.ora.core.pki.DevPki;
import io.ora.core.pki.Pem;
import io.ora.hubkit.PeerCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real device listener for a test class: its own actor system, a development PKI generated into a fresh temporary
 * directory (CA, server certificate for 127.0.0.1, deny-list; peer certificates issued on demand by {@link #hub()}
 * and {@link #app()}, none checked in), the listener on a free port with the routes {@code routes} makes from the
 * test's config, and clients to reach it. Register with
 * {@code @RegisterExtension static TestDeviceHttps https = new TestDeviceHttps(Map.of(), config -> List.of(...));}.
 * Every test uses peers of its own. Shipped in this module's test jar for the roles' route tests.
 */
public class TestDeviceHttps implements BeforeAllCallback, AfterAllCallback {

    /** A peer's identity and the directory holding its {@code ca.crt}, {@code client.crt} and {@code client.key}. */
    public record Peer(PeerId id, Path dir, X509Certificate certificate) {
        public UUID hub() {
            return ((PeerId.Hub) id).uuid();
        }
    }

    private final Map<String, Object> overrides;
    private final Function<Config, List<DeviceRoutes>> routes;
    private final Metrics metrics = new Metrics();
    private Path dir;
    private DevPki pki;
    private ActorSystem<Void> system;
    private DeviceHttps server;

    /**
     * @param overrides config above the test's defaults and the modules' references
     * @param routes    what to mount, made from the test's resolved config
     */
    public TestDeviceHttps(Map<String, Object> overrides, Function<Config, List<DeviceRoutes>> routes) {
        this.overrides = overrides;
        this.routes = routes;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("device-https");
        pki = DevPki.openOrCreate(dir.resolve("pki"));
        Map<String, Object> test = new HashMap<>();
        test.put("ora.device-https.interface", "127.0.0.1");
        test.put("ora.device-https.port", 0);
        test.put("ora.device-https.tls.ca", pki.caCertificate().toString());
        test.put("ora.device-https.tls.certificate", pki.serverCertificate().toString());
        test.put("ora.device-https.tls.key", pki.serverKey().toString());
        test.put("ora.device-https.tls.revoked-serials", pki.revokedSerials().toString());
        test.put("ora.device-https.tls.reload-interval", "200ms");
        test.put("pekko.loglevel", "WARNING");
        test.put("pekko.loggers", List.of("org.apache.pekko.event.slf4j.Slf4jLogger"));
        test.put("pekko.logging-filter", "org.apache.pekko.event.slf4j.Slf4jLoggingFilter");
        Config config = ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.parseMap(test))
                .withFallback(ConfigFactory.load()).resolve();
        system = ActorSystem.create(Behaviors.empty(), "device-https-test", config);
        server = DeviceHttps.start(system, config, metrics, routes.apply(config));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close(Duration.ofSeconds(5));
        system.terminate();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> system.whenTerminated().isCompleted());
    }

    public DevPki pki() {
        return pki;
    }

    public int port() {
        return server.port();
    }

    /** The value of a counter series of the listener. */
    /** The listener's metrics. */
    public Metrics metrics() {
        return metrics;
    }

    public long metric(String name, String label, String value) {
        return metrics.value(name, label, value);
    }

    /** A new hub with a certificate from the listener's CA. */
    public Peer hub() {
        return issue(new PeerId.Hub(UUID.randomUUID()));
    }

    /** A new app install with a certificate from the listener's CA. */
    public Peer app() {
        return issue(new PeerId.App("app-" + UUID.randomUUID()));
    }

    /** A new hub whose certificate comes from a CA the listener has never heard of. */
    public Peer stranger() {
        PeerId.Hub hub = new PeerId.Hub(UUID.randomUUID());
        try {
            Path out = peerDir(hub);
            Files.createDirectories(out);
            KeyPair pair = CertificateAuthority.newKeyPair();
            X509Certificate certificate = CertificateAuthority.create("another CA", Duration.ofDays(1))
                    .issuePeer(hub, pair.getPublic(), Duration.ofDays(1));
            Pem.write(out.resolve("client.key"), Pem.privateKey(pair.getPrivate()), true);
            Pem.write(out.resolve("client.crt"), Pem.certificates(List.of(certificate)), false);
            Files.copy(pki.caCertificate(), out.resolve("ca.crt"));
            return new Peer(hub, out, certificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An HTTP/1.1 client presenting {@code peer}'s certificate and trusting only the listener's CA. */
    public HttpClient client(Peer peer) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(credentials(peer).sslContext())
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Like {@link #client(Peer)}, but offering only {@code protocols} (e.g. TLSv1.2). */
    public HttpClient client(Peer peer, String... protocols) {
        SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(protocols);
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(credentials(peer).sslContext())
                .sslParameters(parameters).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** A client that trusts the listener but presents no certificate. */
    public HttpClient anonymousClient(Peer trusting) {
        try {
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(null, credentials(trusting).trustManagers().getTrustManagers(), null);
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(context)
                    .connectTimeout(Duration.ofSeconds(10)).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A TLS 1.3 socket to the listener with {@code peer}'s certificate, handshake done, for requests no HTTP client
     * sends (see {@link io.ora.persistence.RawHttp}).
     */
    public SSLSocket socket(Peer peer) {
        try {
            SSLSocket socket = (SSLSocket) credentials(peer).sslContext().getSocketFactory()
                    .createSocket("127.0.0.1", port());
            socket.setSoTimeout(15_000);
            socket.startHandshake();
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI uri(String path) {
        return URI.create("https://127.0.0.1:" + port() + path);
    }

    /** Sends {@code request} and waits for the whole response. */
    public static HttpResponse<String> send(HttpClient client, HttpRequest request) throws IOException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** POSTs {@code body} to {@code path} as {@code contentType}. */
    public HttpResponse<String> post(HttpClient client, String path, String contentType, byte[] body)
            throws IOException {
        return send(client, HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    private Peer issue(PeerId peer) {
        try {
            Path out = peerDir(peer);
            X509Certificate certificate = pki.issuePeerFiles(peer, Duration.ofDays(1), out);
            return new Peer(peer, out, certificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path peerDir(PeerId peer) {
        return dir.resolve("peers").resolve(peer.kind() + "-" + peer.topicSegment());
    }

    private static PeerCredentials credentials(Peer peer) {
        try {
            return PeerCredentials.load(peer.dir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
