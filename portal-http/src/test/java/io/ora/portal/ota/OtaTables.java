package io.ora.portal.ota;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The OTA tables of the JVM's test database, emptied: the root chain and the open rollout per model are the
 * deployment's, one of each, so every OTA test class starts from none.
 */
final class OtaTables {

    private OtaTables() {
    }

    static void reset(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement reset = c.createStatement()) {
            reset.execute("DELETE FROM ota_outcome; DELETE FROM ota_offer_count; DELETE FROM ota_rollout;"
                    + " DELETE FROM ota_artifact_chunk; DELETE FROM ota_release; DELETE FROM ota_root");
        }
    }
}
