package io.ora.load.scenario;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The ingest role's {@code telemetry_sample} table, which the telemetry scenario counts before and after a run to
 * check that at least as many rows were committed as samples were acknowledged. Read-only, one short connection per
 * count, to the database named by the URL and nothing else.
 *
 * @param url      JDBC URL of the node's PostgreSQL (for the embedded one: {@code db.url} in
 *                 {@code $ORA_HOME/run/node.properties})
 * @param user     database user
 * @param password its password (empty for the embedded database)
 */
public record SampleTable(String url, String user, String password) {

    /** Rows in every partition of the table. */
    public long count() throws IOException {
        try (Connection connection = DriverManager.getConnection(url, user, password);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM telemetry_sample")) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException failed) {
            throw new IOException("cannot count telemetry_sample at " + url + " (SQL state " + failed.getSQLState()
                    + "): " + failed.getMessage(), failed);
        }
    }

    /** Without the password. */
    @Override
    public String toString() {
        return "SampleTable[" + url + " as " + user + "]";
    }
}
