package io.ora.backup.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract on the real test PostgreSQL, and what the V8 tables may hold. */
class PostgresBackupStoreIT extends BackupStoreContract {

    @Override
    Backend newBackend() {
        return new PostgresBackend();
    }

    @Test
    void theTablesHoldNothingButWhatTheDocumentLists() throws SQLException {
        assertThat(rows("SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns "
                + "WHERE table_schema = current_schema() AND table_name IN ('backup', 'backup_version') "
                + "ORDER BY table_name, ordinal_position")).containsExactly(
                "backup.id bytea", "backup.verifier bytea", "backup.version bigint", "backup.written date",
                "backup_version.id bytea", "backup_version.version bigint", "backup_version.written date",
                "backup_version.envelope bytea");
    }

    @Test
    void envelopesAreStoredOutOfLineAndUncompressed() throws SQLException {
        assertThat(rows("SELECT attstorage FROM pg_attribute WHERE attrelid = 'backup_version'::regclass "
                + "AND attname = 'envelope'")).containsExactly("e");
    }

    private List<String> rows(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = ((PostgresBackend) backend()).dataSource().getConnection();
             Statement s = c.createStatement(); ResultSet result = s.executeQuery(sql)) {
            while (result.next()) {
                rows.add(result.getString(1));
            }
        }
        return rows;
    }
}
