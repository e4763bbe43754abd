package io.ora.portal.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

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

        private static Position decode(String cursor) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)
                        .split("/", 2);
                long micros = Long.parseLong(parts[0]);
                Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                        Math.floorMod(micros, 1_000_000L) * 1000L);
                return new Position(at, Ids.parse("cursor", parts[1]));
            } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException malformed) {
                throw ApiException.badRequest("cursor is not one this server issued");
            }
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
        long micros = Math.addExact(Math.multiplyExact(position.after().getEpochSecond(), 1_000_000L),
                position.after().getNano() / 1000L);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + "/" + position.afterId()).getBytes(StandardCharsets.UTF_8));
    }

    public Optional<String> next() {
        return Optional.ofNullable(nextCursor);
    }
}
