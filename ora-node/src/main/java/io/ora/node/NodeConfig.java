package io.ora.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Loads the node's configuration: {@code application.conf} and every module's {@code reference.conf}, with
 * {@code -D} system properties and {@code ORA_*} environment variables on top.
 */
final class NodeConfig {

    private NodeConfig() {
    }

    /** The configuration, with {@code overrides} (from tests or the CLI) above everything else. */
    static Config load(Map<String, String> environment, Config overrides) {
        Config config = overrides;
        String seeds = environment.getOrDefault("ORA_SEED_NODES", "");
        if (!seeds.isBlank()) {
            List<String> list = Arrays.stream(seeds.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
            config = config.withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(list));
        }
        return ConfigFactory.load(config.withFallback(ConfigFactory.parseResources("application.conf")));
    }

    /** {@code ora.home}: where this node keeps its local state. */
    static Path home(Config config) {
        return Path.of(config.getString("ora.home")).toAbsolutePath();
    }
}
