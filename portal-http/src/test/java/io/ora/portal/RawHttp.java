package io.ora.portal;

/**
 * {@link io.ora.persistence.RawHttp} for portal tests: requests a real client refuses to send, over a plain socket,
 * answered as an {@link ApiClient.Response} so the portal's assertions and contract check apply.
 */
final class RawHttp {

    private RawHttp() {
    }

    /** Sends {@code head} (request line and headers, each ending in CRLF, without the blank line) and no body. */
    static ApiClient.Response exchange(int port, String head) {
        return from(io.ora.persistence.RawHttp.exchange(port, head));
    }

    /** Sends {@code head}, the blank line that ends it, then {@code body}. */
    static ApiClient.Response exchange(int port, byte[] head, byte[] body) {
        return from(io.ora.persistence.RawHttp.exchange(port, head, body));
    }

    private static ApiClient.Response from(io.ora.persistence.RawHttp.Response raw) {
        return new ApiClient.Response(raw.status(), raw.headers(), raw.body());
    }
}
