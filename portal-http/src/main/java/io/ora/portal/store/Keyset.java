package io.ora.portal.store;

import io.ora.portal.api.Page;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * The one query behind every {@link Page}: a caller's SELECT narrowed to the rows after the request's position in
 * (time, id) order, at most one more than the page holds, so {@link Page#of} can tell whether a next page exists.
 * The order and the keyset condition are written here alone, so no list can sort by one thing and page by another.
 */
public final class Keyset {

    /** Binds the caller's own parameters from index 1 on and returns the first index it left free. */
    @FunctionalInterface
    public interface Parameters {
        int bind(PreparedStatement statement) throws SQLException;

        /** Each value in turn with {@link PreparedStatement#setObject(int, Object)}. */
        static Parameters of(Object... values) {
            return statement -> {
                for (int i = 0; i < values.length; i++) {
                    statement.setObject(i + 1, values[i]);
                }
                return values.length + 1;
            };
        }
    }

    /** Makes one item of the current row. */
    @FunctionalInterface
    public interface Row<T> {
        T map(ResultSet row) throws SQLException;
    }

    private Keyset() {
    }

    /**
     * The rows of {@code select} after {@code page}'s position, oldest first, up to {@code page.limit() + 1}.
     *
     * @param select  a SELECT ending in its WHERE clause (a condition must be there: the keyset one is ANDed to it)
     * @param time    the column (or expression) of the rows' time, the position's first half
     * @param id      the column of the rows' id, breaking ties between equal times
     * @param leading binds the parameters {@code select} itself has
     */
    public static <T> List<T> rows(Connection connection, String select, String time, String id,
                                   Parameters leading, Page.Request page, Row<T> row) throws SQLException {
        // A row-value comparison lets PostgreSQL seek to the position on a (..., time, id) index where the table has
        // one, instead of reading and dropping every earlier row as OFFSET would.
        try (PreparedStatement statement = connection.prepareStatement(select + " AND (" + time + ", " + id
                + ") > (?, ?) ORDER BY " + time + ", " + id + " LIMIT ?")) {
            int next = leading.bind(statement);
            statement.setTimestamp(next, Timestamp.from(page.from().after()));
            statement.setObject(next + 1, page.from().afterId());
            statement.setInt(next + 2, page.limit() + 1);
            List<T> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    rows.add(row.map(result));
                }
            }
            return rows;
        }
    }
}
