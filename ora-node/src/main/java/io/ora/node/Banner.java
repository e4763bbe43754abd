package io.ora.node;

import com.typesafe.config.Config;
import java.nio.file.Path;

/** What a person who started the node needs to know: where it listens and where its development CA is. */
final class Banner {

    private Banner() {
    }

    static String text(Node node) {
        Config config = node.system().settings().config();
        StringBuilder text = new StringBuilder();
        text.append("Ora node up (cluster member ").append(node.system().address()).append(")\n");
        if (NodeMode.of(config) == NodeMode.DEVELOPMENT) {
            text.append("  ").append(NodeMode.developmentNotice(config)).append('\n');
        }
        node.relay().ifPresent(relay -> text.append("  MQTT relay    mqtts://")
                .append(config.getString("ora.relay.mqtt.host")).append(':').append(relay.server().port())
                .append("  (TLS 1.3, client certificate required)\n"));
        node.portal().ifPresent(portal -> text.append("  portal API    http://")
                .append(config.getString("ora.portal.http.host")).append(':').append(portal.port())
                .append("  (/v1/health)\n"));
        node.deviceHttps().ifPresent(https -> {
            String base = "https://" + config.getString("ora.device-https.interface") + ":" + https.port();
            text.append("  device HTTPS  ").append(base).append("  (TLS 1.3, device certificate required)\n");
            if (node.ingest().isPresent()) {
                text.append("  telemetry     ").append(base).append("/ingest/v1/telemetry\n");
            }
        });
        text.append("  management    ").append(node.managementUri())
                .append("  (/ready /alive /cluster/members /metrics)\n");
        text.append("  ORA_HOME      ").append(node.home()).append('\n');
        if (config.getBoolean("ora.node.dev-pki")) {
            text.append("  dev CA        ").append(Path.of(config.getString("ora.relay.tls.ca")).toAbsolutePath())
                    .append("  (peer certificates: java -jar ora-node.jar pki hub <uuid> --out <dir>)\n");
        }
        Path embedded = Path.of(config.getString("ora.db.embedded.data-dir")).toAbsolutePath();
        text.append("  database      ").append(config.getString("ora.db.url").isBlank()
                ? "embedded PostgreSQL in " + embedded : "external (ORA_DB_URL)");
        return text.toString();
    }
}
