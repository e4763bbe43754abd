package io.ora.node.observe;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** What the tests' stand-in receivers (Sentry, OTLP) read from a request: its body, un-gzipped when it says so. */
public final class RequestBodies {

    private RequestBodies() {
    }

    public static byte[] of(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            try (InputStream unzipped = new GZIPInputStream(new ByteArrayInputStream(body))) {
                body = unzipped.readAllBytes();
            }
        }
        return body;
    }
}
