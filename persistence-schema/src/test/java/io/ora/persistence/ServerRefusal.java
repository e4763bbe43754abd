package io.ora.persistence;

import java.util.List;

/**
 * A request every Ora HTTP listener's server refuses before any route sees it, with the status it must answer and
 * the parts of the request the answer must not quote. The same cases for each listener (portal, device HTTPS), so
 * they are held to the same rule: the server's own refusals are RFC 9457 problems that echo nothing.
 *
 * @param name   what is wrong with the request
 * @param head   the request head, for {@link RawHttp} (each line ends in CRLF; no blank line)
 * @param status the status it must be refused with
 * @param sent   text of the request that must not appear in the answer, {@link #MARKER} included
 */
public record ServerRefusal(String name, String head, int status, List<String> sent) {

    /** In every request: an answer or a log line that quoted the request would contain it. */
    public static final String MARKER = "marker7f3a";

    @Override
    public String toString() {
        return name;
    }

    /** The cases, each a request to {@code path}. */
    public static List<ServerRefusal> to(String path) {
        String host = "Host: x\r\n";
        return List.of(
                new ServerRefusal("a malformed query", "POST " + path + "?x=%%%&" + MARKER + " HTTP/1.1\r\n" + host,
                        400, List.of(MARKER, "%%%")),
                new ServerRefusal("a URI over the server's limit", "POST " + path + "?" + MARKER + "x".repeat(10_000)
                        + " HTTP/1.1\r\n" + host, 414, List.of(MARKER, "xxxxxxxx")),
                new ServerRefusal("a header over the server's limit", "POST " + path + " HTTP/1.1\r\n" + host
                        + "Authorization: Bearer " + MARKER + "x".repeat(9 * 1024) + "\r\n", 431,
                        List.of(MARKER, "xxxxxxxx")),
                new ServerRefusal("an unknown method", "FROBNICATE " + path + "?" + MARKER + " HTTP/1.1\r\n" + host,
                        501, List.of(MARKER, "FROBNICATE")),
                new ServerRefusal("an unknown HTTP version", "POST " + path + "?" + MARKER + " HTTP/1.7\r\n" + host,
                        505, List.of(MARKER, "1.7")),
                new ServerRefusal("a Content-Length that is not a number", "POST " + path + " HTTP/1.1\r\n" + host
                        + "Content-Length: " + MARKER + "\r\n", 400, List.of(MARKER)),
                new ServerRefusal("a Content-Length too large for a long", "POST " + path + " HTTP/1.1\r\n" + host
                        + "Content-Length: 99999999999999999999999\r\n", 400, List.of("99999999999999999999999")),
                new ServerRefusal("a transfer coding other than chunked", "POST " + path + " HTTP/1.1\r\n" + host
                        + "Transfer-Encoding: gzip\r\nX-Note: " + MARKER + "\r\n", 400, List.of(MARKER, "gzip")));
    }
}
