package io.ora.persistence;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a socket, for requests a real client refuses to send: malformed request targets, unknown methods and
 * versions, oversized heads, any header bytes. The request is written as given (one request, then the server's
 * answer is read until it closes or its declared length is in). Over a plain socket, or one the caller opened (a TLS
 * socket with a client certificate).
 */
public final class RawHttp {

    /** A bound on a server that never answers, not a synchronisation: a healthy answer takes milliseconds. */
    private static final int READ_TIMEOUT_MILLIS = 15_000;

    private RawHttp() {
    }

    /** The status, headers (names case-insensitive) and body of a response. */
    public record Response(int status, HttpHeaders headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }
    }

    /** Sends {@code head} (request line and headers, each ending in CRLF, without the blank line) and no body. */
    public static Response exchange(int port, String head) {
        return exchange(port, head.getBytes(StandardCharsets.ISO_8859_1), new byte[0]);
    }

    /** Sends {@code head}, the blank line that ends it, then {@code body}, to a plain socket on 127.0.0.1. */
    public static Response exchange(int port, byte[] head, byte[] body) {
        try {
            return exchange(new Socket("127.0.0.1", port), head, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A socket to 127.0.0.1:{@code port} from {@code localAddress} (another loopback address such as 127.0.0.2 on
     * Linux, where all of 127/8 is local), for tests of what a server keys on the client's address.
     */
    public static Socket connectFrom(String localAddress, int port) {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            return socket;
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException(e);
        }
    }

    /** Like {@link #exchange(int, byte[], byte[])} over {@code connected}, which it closes. */
    public static Response exchange(Socket connected, byte[] head, byte[] body) {
        try (Socket socket = connected) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            // One write: a server that refuses the head may close before a later write of the body would land.
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.write(head);
            request.write('\r');
            request.write('\n');
            request.write(body);
            OutputStream out = socket.getOutputStream();
            out.write(request.toByteArray());
            out.flush();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one response: the head, then a body of its {@code Content-Length} (or, without one, up to the close). */
    public static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int next = in.read();
            if (next < 0) {
                throw new IOException("the connection closed before a response head: " + headBytes);
            }
            headBytes.write(next);
            matched = next == end[matched] ? matched + 1 : (next == '\r' ? 1 : 0);
        }
        String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ", 3)[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line : Arrays.copyOfRange(lines, 1, lines.length)) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), name -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        List<String> length = headers.get("content-length");
        byte[] body = length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length.get(0)));
        return new Response(status, HttpHeaders.of(headers, (name, value) -> true), body);
    }
}
