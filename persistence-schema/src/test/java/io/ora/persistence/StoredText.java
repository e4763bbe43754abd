package io.ora.persistence;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Every text, JSON and byte value of every table in the public schema, as one string: what a test searches to
 * prove that some data is nowhere in the database (de-identification).
 */
public final class StoredText {

    private StoredText() {
    }

    public static String everything(Connection c) throws SQLException {
        List<String[]> columns = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT table_name, column_name FROM "
                + "information_schema.columns WHERE table_schema = 'public' AND data_type IN "
                + "('text', 'character varying', 'jsonb', 'json', 'bytea')");
             ResultSet row = select.executeQuery()) {
            while (row.next()) {
                columns.add(new String[] {row.getString(1), row.getString(2)});
            }
        }
        StringBuilder all = new StringBuilder();
        for (String[] column : columns) {
            // Names come from the catalogue, quoted; nothing here comes from input.
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT \"" + column[1] + "\" FROM \"" + column[0] + "\"");
                 ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    byte[] value = row.getBytes(1);
                    if (value != null) {
                        all.append(new String(value, StandardCharsets.UTF_8)).append('\n');
                    }
                }
            }
        }
        return all.toString();
    }
}
