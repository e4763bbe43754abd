package io.ora.node.observe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Sentry server on a loopback port, as far as the SDK sees one: it takes every request (on any path, so a report
 * sent elsewhere than to the envelope endpoint is seen too), keeps its body decompressed, and answers 200.
 */
public final class FakeSentry implements AutoCloseable {

    static final String ENVELOPE_PATH = "/api/42/envelope/";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final Queue<Request> requests = new ConcurrentLinkedQueue<>();

    public FakeSentry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::take);
        server.start();
    }

    /** The DSN naming this server, project 42. */
    public String dsn() {
        return "http://publickey@127.0.0.1:" + server.getAddress().getPort() + "/42";
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Every envelope item of type {@code event} received so far, parsed. */
    public List<JsonNode> events() {
        List<JsonNode> events = new ArrayList<>();
        for (Request request : requests) {
            for (Envelope.Item item : request.envelope().items()) {
                if (item.type().equals("event")) {
                    events.add(JSON.readTree(item.payload()));
                }
            }
        }
        return events;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void take(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = RequestBodies.of(exchange);
            requests.add(new Request(exchange.getRequestURI().getPath(), body));
            byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    /** One request as it arrived: its path and its body, decompressed. */
    public record Request(String path, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        Envelope envelope() {
            return Envelope.parse(body);
        }
    }

    /**
     * A Sentry envelope: a header line, then items, each a header line and a payload of the header's
     * {@code length} bytes (to the end of the line when it has none).
     */
    record Envelope(JsonNode header, List<Item> items) {
        record Item(String type, byte[] payload) {
        }

        static Envelope parse(byte[] body) {
            int at = lineEnd(body, 0);
            JsonNode header = JSON.readTree(Arrays.copyOfRange(body, 0, at));
            List<Item> items = new ArrayList<>();
            at++;
            while (at < body.length) {
                int headerEnd = lineEnd(body, at);
                JsonNode itemHeader = JSON.readTree(Arrays.copyOfRange(body, at, headerEnd));
                int start = headerEnd + 1;
                int end = itemHeader.has("length") ? start + itemHeader.get("length").asInt() : lineEnd(body, start);
                items.add(new Item(itemHeader.get("type").asString(), Arrays.copyOfRange(body, start, end)));
                at = end + 1;
            }
            return new Envelope(header, items);
        }

        private static int lineEnd(byte[] body, int from) {
            for (int i = from; i < body.length; i++) {
                if (body[i] == '\n') {
                    return i;
                }
            }
            return body.length;
        }
    }
}
