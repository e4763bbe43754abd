package io.ora.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.typesafe.config.ConfigFactory;
import io.ora.core.pki.DevPki;
import io.ora.persistence.TestRedis;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both modes at start: production refuses before anything exists, a development node listens on loopback only. */
class NodeModeStartIT {

    @TempDir
    Path home;

    @Test
    void productionWithNothingConfiguredRefusesToStartAndLeavesNothingBehind() throws IOException {
        assertThatThrownBy(() -> Node.start(ConfigFactory.parseMap(Map.of("ora.home", home.toString(),
                "ora.node.mode", "production")), Map.of()))
                .isInstanceOf(NodeMode.StartRefused.class)
                .hasMessageContainingAll("ORA_OIDC_ISSUER", "ORA_DEV_PKI=off", "ORA_TLS_CA", "ORA_DB_URL",
                        "ORA_REDIS_URL", "ORA_TELEMETRY_PSEUDONYM_SECRET", "ORA_ACCESS_KEY_SECRET",
                        "ORA_RATE_LIMIT_KEY_SECRET");

        try (Stream<Path> left = Files.list(home)) {
            assertThat(left).as("no embedded database, PKI, issuer key or secrets file").isEmpty();
        }
    }

    @Test
    void aFullyConfiguredProductionNodeStartsAndGeneratesNothing() throws Exception {
        // The deployment's TLS material, made here as a secret store would mount it (outside ORA_HOME).
        Path mounted = Files.createDirectories(home.resolve("mounted"));
        DevPki.openOrCreate(mounted);
        Path state = Files.createDirectories(home.resolve("state"));
        Map<String, Object> config = NodeTestKit.config(state, TestPorts.free(), TestPorts.free());
        config.putAll(NodeModeTest.production());
        config.put("ora.redis.url", TestRedis.config(ConfigFactory.empty()).getString("ora.redis.url"));
        config.put("ora.redis.key-prefix", TestRedis.keyPrefix());
        config.put("ora.db.url", NodeTestKit.config(state, 0, 0).get("ora.db.url"));
        for (String tls : List.of("ora.relay.tls", "ora.device-https.tls")) {
            config.put(tls + ".ca", mounted.resolve("ca.crt").toString());
            config.put(tls + ".certificate", mounted.resolve("server.crt").toString());
            config.put(tls + ".key", mounted.resolve("server.key").toString());
            config.put(tls + ".revoked-serials", mounted.resolve("revoked-serials").toString());
        }
        config.put("ora.portal.app-certificates.ca-certificate", mounted.resolve("ca.crt").toString());
        config.put("ora.portal.app-certificates.ca-key", mounted.resolve("ca.key").toString());
        config.put("ora.telemetry.pseudonym-secret", randomSecret());
        config.put("ora.portal.handover.access-key-secret", randomSecret());
        config.put("ora.portal.rate-limits.key-hash-secret", randomSecret());

        try (Node node = Node.start(ConfigFactory.parseMap(config), Map.of())) {
            assertThat(node.portal().orElseThrow().devIssuer()).as("no development issuer").isEmpty();
            assertThat(node.relay()).isPresent();
            assertThat(Banner.text(node)).doesNotContain("development node");
        }
        try (Stream<Path> left = Files.list(state)) {
            assertThat(left).as("no embedded database, dev PKI, issuer key or secrets file in ORA_HOME").isEmpty();
        }
    }

    @Test
    void aDevelopmentNodeListensOnLoopbackOnly() throws Exception {
        Optional<InetAddress> other = nonLoopbackAddress();
        Map<String, Object> config = NodeTestKit.config(home, TestPorts.free(), TestPorts.free());
        config.remove("ora.relay.mqtt.host");
        config.remove("ora.portal.http.host");

        try (Node node = Node.start(ConfigFactory.parseMap(config), Map.of())) {
            assertThat(Banner.text(node)).contains("development node (ORA_MODE=development)");
            List<Integer> ports = List.of(node.relay().orElseThrow().server().port(),
                    node.portal().orElseThrow().port(), node.deviceHttps().orElseThrow().port(),
                    URI.create(node.managementUri()).getPort());
            for (int port : ports) {
                assertThat(accepts(InetAddress.getLoopbackAddress(), port)).as("127.0.0.1:%s", port).isTrue();
            }
            assumeThat(other).as("a non-loopback address on this machine to try").isPresent();
            for (int port : ports) {
                assertThat(accepts(other.get(), port)).as("%s:%s", other.get(), port).isFalse();
            }
        }
    }

    private static boolean accepts(InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        return NetworkInterface.networkInterfaces().filter(NodeModeStartIT::isUp)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(address -> !address.isLoopbackAddress() && !address.isLinkLocalAddress())
                .findFirst();
    }

    private static boolean isUp(NetworkInterface network) {
        try {
            return network.isUp();
        } catch (SocketException e) {
            return false;
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
