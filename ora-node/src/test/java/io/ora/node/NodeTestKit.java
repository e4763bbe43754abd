package io.ora.node;

import io.ora.core.identity.PeerId;
import io.ora.core.pki.DevPki;
import io.ora.hubkit.PeerCredentials;
import io.ora.persistence.Database;
import io.ora.persistence.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * What the node tests share: the settings of a test node on loopback and the test database, peer credentials from
 * a node's development PKI, a management GET, the cluster's up members. One place, so no test imports another.
 */
final class NodeTestKit {

    private NodeTestKit() {
    }

    /** A node's settings: {@code home}, the test database, every listener on loopback, the given cluster ports. */
    static Map<String, Object> config(Path home, int clusterPort, int managementPort) {
        Database.Connection db = TestDatabase.connection();
        Map<String, Object> config = new HashMap<>();
        config.put("ora.home", home.toString());
        config.put("ora.db.url", db.url());
        config.put("ora.db.user", db.user());
        config.put("ora.db.password", db.password());
        config.put("ora.db.pool-size", 3);
        config.put("ora.relay.mqtt.host", "127.0.0.1");
        config.put("ora.relay.mqtt.port", 0);
        config.put("ora.portal.http.host", "127.0.0.1");
        config.put("ora.portal.http.port", 0);
        config.put("ora.device-https.port", 0);
        config.put("pekko.remote.artery.canonical.port", clusterPort);
        config.put("pekko.management.http.port", managementPort);
        config.put("pekko.coordinated-shutdown.exit-jvm", "off");
        config.put("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");
        config.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
        config.put("pekko.cluster.split-brain-resolver.stable-after", "3s");
        return config;
    }

    /** Credentials for {@code peer} issued by the development PKI under {@code home}. */
    static PeerCredentials credentials(Path home, PeerId peer) throws Exception {
        Path dir = home.resolve("peers").resolve(UUID.randomUUID().toString());
        DevPki.open(home.resolve("pki")).issuePeerFiles(peer, Duration.ofDays(1), dir);
        return PeerCredentials.load(dir);
    }

    /** A GET with a five-second timeout. */
    static HttpResponse<String> get(HttpClient http, String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** How many members {@code node} sees as up. */
    static long upMembers(Node node) {
        long up = 0;
        for (var member : Cluster.get(node.system()).state().getMembers()) {
            if (member.status() == MemberStatus.up()) {
                up++;
            }
        }
        return up;
    }
}
