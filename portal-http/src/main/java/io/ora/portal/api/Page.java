package io.ora.portal.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One page of a list, in keyset order (creation time, then id), so pages stay stable while rows are added and no
 * query ever scans past what it skips. The cursor is opaque to clients.
 *
 * @param items      this page
 * @param nextCursor pass as {@code cursor} to get the next page; absent on the last page
 */
public record Page<T>(List<T> items, String nextCursor) {

    /** Default and largest page sizes. */
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 100;

    /**
     * The latest creation time a cursor may carry; the earliest is the epoch. Every row's creation time lies between
     * (rows are stamped by the database's clock), and PostgreSQL and {@link java.sql.Timestamp} hold all of it.
     */
    private static final long LATEST_MICROS = micros(Instant.parse("9999-12-31T23:59:59.999999Z"));
    /**
     * Microseconds since the epoch as {@link Long#toString} writes them (no sign, so nothing before the epoch; no
     * leading zero), at most 18 digits: every time up to the latest and nothing that could overflow a long.
     */
    private static final Pattern MICROS = Pattern.compile("0|[1-9][0-9]{0,17}");
    /** A UUID as {@link UUID#toString} writes it: lower case. */
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** Where a page starts: after this (time, id), or from the beginning. */
    public record Position(Instant after, UUID afterId) {
        /** Sorts before every row (PostgreSQL orders uuids by unsigned bytes: all zeros is least). */
        public static final Position START = new Position(Instant.EPOCH, new UUID(0, 0));
    }

    /** A page request from the {@code limit} and {@code cursor} query parameters, refusing malformed ones. */
    public record Request(int limit, Position from) {
        public static Request of(Call call) {
            int limit = call.queryParam("limit").map(Request::limit).orElse(DEFAULT_LIMIT);
            Position from = call.queryParam("cursor").map(Request::decode).orElse(Position.START);
            return new Request(limit, from);
        }

        private static int limit(String text) {
            try {
                int value = Integer.parseInt(text);
                if (value >= 1 && value <= MAX_LIMIT) {
                    return value;
                }
            } catch (NumberFormatException notANumber) {
                // falls through to the refusal
            }
            throw ApiException.badRequest("limit must be an integer from 1 to " + MAX_LIMIT);
        }

        /**
         * The position a cursor names, only if it is exactly one this server could have issued: base64url of
         * {@code <microseconds>/<uuid>} with the time from the epoch to the end of year 9999 and the id in its
         * canonical form, and encoding that position again gives back the very text sent. Anything else, including
         * a time the database cannot hold, is a 400 here rather than a failure in SQL.
         */
        private static Position decode(String cursor) {
            Optional<Position> position = parse(cursor);
            if (position.isEmpty() || !encode(position.get()).equals(cursor)) {
                throw ApiException.badRequest("cursor is not one this server issued");
            }
            return position.get();
        }

        private static Optional<Position> parse(String cursor) {
            String[] parts;
            try {
                parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("/", -1);
            } catch (IllegalArgumentException notBase64) {
                return Optional.empty();
            }
            if (parts.length != 2 || !MICROS.matcher(parts[0]).matches() || !UUID_TEXT.matcher(parts[1]).matches()) {
                return Optional.empty();
            }
            long micros = Long.parseLong(parts[0]);
            if (micros > LATEST_MICROS) {
                return Optional.empty();
            }
            Instant at = Instant.ofEpochSecond(micros / 1_000_000L, (micros % 1_000_000L) * 1000L);
            return Optional.of(new Position(at, UUID.fromString(parts[1])));
        }
    }

    /**
     * Builds the page from up to {@code limit + 1} rows fetched in keyset order: the extra row only says whether
     * there is a next page.
     */
    public static <R, T> Page<T> of(List<R> rows, int limit, Function<R, Position> position, Function<R, T> view) {
        List<R> shown = rows.size() > limit ? rows.subList(0, limit) : rows;
        String next = rows.size() > limit ? encode(position.apply(shown.get(shown.size() - 1))) : null;
        return new Page<>(shown.stream().map(view).toList(), next);
    }

    private static String encode(Position position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((micros(position.after()) + "/"
                + position.afterId()).getBytes(StandardCharsets.UTF_8));
    }

    private static long micros(Instant at) {
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1000L);
    }

    public Optional<String> next() {
        return Optional.ofNullable(nextCursor);
    }
}
