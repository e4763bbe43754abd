package io.ora.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseIT {

    @Test
    void embeddedServerKeepsItsDataAcrossRestarts(@TempDir Path home) throws SQLException {
        var config = ConfigFactory.parseMap(Map.of("ora.db.embedded.data-dir", home.resolve("postgres").toString()))
                .withFallback(ConfigFactory.defaultReference());
        try (Database first = Database.start(config)) {
            assertThat(first.isEmbedded()).isTrue();
            execute(first.dataSource(), "INSERT INTO relay_binding (app_id, hub_id) "
                    + "VALUES ('app-1', '6f1c2b9e-5a9d-4e59-9d2f-2d6c9a1d7e11')");
        }
        assertThat(Files.isDirectory(home.resolve("postgres"))).isTrue();
        try (Database second = Database.start(config)) {
            assertThat(tableRows(second.dataSource(), "SELECT app_id FROM relay_binding")).containsExactly("app-1");
        }
    }

    @Test
    void migrationsCreateTheJournalAndBindingTables() throws SQLException {
        try (var pool = TestDatabase.dataSource()) {
            List<String> tables = tableRows(pool, "SELECT table_name FROM information_schema.tables "
                    + "WHERE table_schema = 'public' ORDER BY table_name");
            assertThat(tables).contains("event_journal", "event_tag", "snapshot", "durable_state", "relay_binding");
        }
    }

    private static void execute(DataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<String> tableRows(DataSource dataSource, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }
}
