package io.ora.node.cli;

import com.typesafe.config.Config;
import io.ora.node.RunFile;
import io.ora.persistence.Database;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The database a CLI command works on: {@code ORA_DB_URL} when set; otherwise the embedded database of the node
 * running on this {@code ORA_HOME} (found through its run file); otherwise the embedded database started just for
 * the command, since no node holds it.
 */
final class CliDatabase {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    private CliDatabase() {
    }

    static Database open(Config config) throws IOException {
        if (!config.getString("ora.db.url").isBlank()) {
            return Database.start(config);
        }
        Optional<Database.Connection> running = RunFile.read(Path.of(config.getString("ora.home")));
        if (running.isPresent()) {
            try {
                return Database.connect(running.get(), CONNECT_TIMEOUT);
            } catch (RuntimeException stale) {
                // The node that wrote the run file is gone without cleaning up; its data directory is free.
            }
        }
        return Database.start(config);
    }
}
