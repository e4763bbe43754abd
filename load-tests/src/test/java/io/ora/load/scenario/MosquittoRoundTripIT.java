package io.ora.load.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ora.load.client.ClientLoops;
import io.ora.load.client.ClientTls;
import io.ora.load.client.MqttClient;
import io.ora.load.identities.CertificateSet;
import io.ora.load.identities.IdentityIssuer;
import io.ora.load.identities.MosquittoConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator's client against a real broker: Eclipse Mosquitto 2, started by this test on a free port with the
 * configuration {@code certs} generates (TLS 1.3 only, client certificates, per-identity ACL), for a population
 * issued here from a throw-away CA in a JUnit temporary directory. Skipped where {@code /usr/sbin/mosquitto} is
 * missing.
 */
class MosquittoRoundTripIT {

    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
    private static final int HUBS = 4;
    private static final int APPS = 2;
    private static final Duration STARTUP = Duration.ofSeconds(20);

    @TempDir
    static Path temp;

    private static Process broker;
    private static int port;
    private static Path certs;

    @BeforeAll
    static void startMosquitto() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(MOSQUITTO), "no " + MOSQUITTO + ": this test needs Mosquitto 2");
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        certs = temp.resolve("certs");
        IdentityIssuer.Result issued = IdentityIssuer.issue(new IdentityIssuer.Request(temp.resolve("pki"), HUBS,
                APPS, certs, new MosquittoConfig.Listener("127.0.0.1", port,
                        Optional.of(System.getProperty("user.name"))), 2));
        broker = new ProcessBuilder(MOSQUITTO.toString(), "-c", issued.conf().toString())
                .redirectErrorStream(true).redirectOutput(temp.resolve("mosquitto.log").toFile()).start();
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(50)).until(MosquittoRoundTripIT::listening);
    }

    @AfterAll
    static void stopMosquitto() throws InterruptedException {
        if (broker != null) {
            broker.destroy();
            if (!broker.waitFor(10, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
        }
    }

    @Test
    void connectsWithTls13AndAClientCertificate() throws Exception {
        CertificateSet set = CertificateSet.open(certs);
        try (ClientLoops loops = ClientLoops.open(1)) {
            MqttClient hub = target().prepare(loops, new ClientTls(), List.of(set.hubDir(set.bindings().hubs().get(0))))
                    .get(0);

            hub.connect().get(10, TimeUnit.SECONDS);

            assertThat(hub.isConnected()).isTrue();
            assertThat(hub.tlsProtocol()).contains("TLSv1.3");
            assertThat(loops.transport()).isEqualTo(ClientLoops.availableTransport());
            hub.disconnect().get(10, TimeUnit.SECONDS);
            assertThat(hub.isConnected()).isFalse();
        }
    }

    @Test
    void everyQos0MessageArrivesOnceAtItsHub() throws Exception {
        RelayResult result = RelayBenchmark.run(settings(certs, 0), load());

        assertDelivered(result);
    }

    @Test
    void everyQos1MessageArrivesOnceAndIsAcknowledged() throws Exception {
        RelayResult result = RelayBenchmark.run(settings(certs, 1), load());

        assertDelivered(result);
    }

    @Test
    void inARoundTripEveryMessageComesBackOnceToTheAppThatSentIt() throws Exception {
        RelayResult atQos0 = RelayBenchmark.run(settings(certs, 0, true), load());
        RelayResult atQos1 = RelayBenchmark.run(settings(certs, 1, true), load());

        // Arrivals are checked at the apps: on the app's own inbox (misrouted 0), once each, every one measured.
        assertDelivered(atQos0);
        assertDelivered(atQos1);
        assertThat(atQos0.roundTrip()).isTrue();
        assertThat(atQos1.lines()).last().asString().contains(" qos=1 round_trip=1 ");
    }

    @Test
    void aRoundTripWhoseHubsMayNotAnswerLosesEveryMessage() throws Exception {
        // Told the wrong bindings, each hub echoes to an app the ACL does not let it write to (and receives nothing
        // to begin with, since the apps' publishes are refused too): nothing comes back, and the run says so.
        RelayResult result = RelayBenchmark.run(settings(misbound(), 0, true), load());

        assertThat(result.sent()).isEqualTo(result.planned());
        assertThat(result.received()).isZero();
        assertThat(result.meets(1000)).isFalse();
    }

    @Test
    void aPublishTheAclForbidsIsRefusedAtQos1AndLostAtQos0() throws Exception {
        // The broker's ACL binds hub i to app i mod 2; the generator is told the opposite, so it publishes where the
        // ACL forbids. Mosquitto drops such a message; at QoS 1 it says so in the PUBACK.
        Path swapped = misbound();

        RelayResult atQos1 = RelayBenchmark.run(settings(swapped, 1), load());
        RelayResult atQos0 = RelayBenchmark.run(settings(swapped, 0), load());

        assertThat(atQos1.sent()).isEqualTo(atQos1.planned());
        assertThat(atQos1.received()).isZero();
        assertThat(atQos1.lost()).isEqualTo(atQos1.sent());
        assertThat(atQos1.errors()).containsExactly(java.util.Map.entry("PUBACK NOT_AUTHORIZED", atQos1.sent()));
        assertThat(atQos0.lost()).isEqualTo(atQos0.sent()).isPositive();
        assertThat(atQos0.errors()).isEmpty();
        assertThat(atQos0.meets(1000)).isFalse();
    }

    @Test
    void theHandshakeStormConnectsEveryHubAndPricesItOnTheServer() throws Exception {
        HandshakeBenchmark.Result result = HandshakeBenchmark.run(new HandshakeBenchmark.Settings(target(), certs,
                HUBS - 1, 2, Duration.ofSeconds(30), Duration.ZERO, OptionalLong.of(broker.pid()), 1));

        assertThat(result.connected()).isEqualTo(HUBS - 1);
        assertThat(result.failures()).isEmpty();
        assertThat(result.stillConnectedAfterHold()).isEqualTo(HUBS - 1);
        assertThat(result.rssAfter()).isPresent();
        assertThat(result.lines()).last().asString().startsWith("RESULT handshake connections=3 connected=3 failed=0")
                .contains(" gen_cpu_pct=");
    }

    private static void assertDelivered(RelayResult result) {
        assertThat(result.unsent()).isZero();
        assertThat(result.sent()).isEqualTo(result.planned()).isEqualTo(300);
        assertThat(result.received()).isEqualTo(result.sent());
        assertThat(result.lost()).isZero();
        assertThat(result.duplicates()).isZero();
        assertThat(result.misrouted()).isZero();
        assertThat(result.malformed()).isZero();
        assertThat(result.errors()).isEmpty();
        assertThat(result.latency().count()).isEqualTo(result.measuredSent()).isEqualTo(200);
        assertThat(result.meets(1000)).isTrue();
        assertThat(result.cpu().generatorPercent()).isPresent();
        assertThat(result.cpu().serverPercent()).isPresent();
        assertThat(result.lines()).last().asString().contains(" lost=0 errors=0 ");
    }

    /** 200 msg/s: half a second of warm-up and a measured second. */
    private static RelayBenchmark.Load load() {
        return new RelayBenchmark.Load(200, Duration.ofMillis(500), Duration.ofSeconds(1), 256);
    }

    private static RelayBenchmark.Settings settings(Path population, int qos) {
        return settings(population, qos, false);
    }

    private static RelayBenchmark.Settings settings(Path population, int qos, boolean roundTrip) {
        return new RelayBenchmark.Settings(target(), target(), population, HUBS, APPS, qos, 4, Duration.ofSeconds(30),
                new RelayBenchmark.Limits(Duration.ofSeconds(3), Duration.ofSeconds(5)), List.of(broker.pid()),
                roundTrip);
    }

    private static Target target() {
        return new Target("127.0.0.1", port, List.of(), Duration.ofSeconds(10));
    }

    /** The same identities with every hub bound to the other app than the broker's ACL says. */
    private static Path misbound() throws IOException {
        Path dir = temp.resolve("misbound");
        if (Files.exists(dir)) {
            return dir;
        }
        Files.createDirectories(dir);
        Files.createSymbolicLink(dir.resolve("hubs"), certs.resolve("hubs"));
        Files.createSymbolicLink(dir.resolve("apps"), certs.resolve("apps"));
        CertificateSet set = CertificateSet.open(certs);
        StringBuilder text = new StringBuilder();
        List<String> apps = set.bindings().apps();
        for (UUID hub : set.bindings().hubs()) {
            String bound = set.bindings().appOfHub().get(hub);
            text.append(apps.get((apps.indexOf(bound) + 1) % apps.size())).append(' ').append(hub).append('\n');
        }
        Files.writeString(dir.resolve(CertificateSet.BINDINGS_FILE), text, StandardCharsets.UTF_8);
        return dir;
    }

    private static boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }
}
