package io.ora.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.ora.node.observe.RequestBodies;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real OTLP/HTTP receiver for tests: {@code POST /v1/traces} and {@code /v1/metrics} with protobuf bodies (gzip or
 * not), decoded with the OpenTelemetry protocol's own classes and kept, with the headers they came with.
 */
final class OtlpReceiver implements AutoCloseable {

    /** A span as exported, with its ids in hex and its attributes as strings. */
    record ReceivedSpan(String name, String traceId, String spanId, String parentSpanId, Span.SpanKind kind,
                        Map<String, String> attributes, boolean failed) {
    }

    private final HttpServer server;
    private final List<ExportTraceServiceRequest> traces = new CopyOnWriteArrayList<>();
    private final List<ExportMetricsServiceRequest> metrics = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", exchange -> receive(exchange, true));
        server.createContext("/v1/metrics", exchange -> receive(exchange, false));
        server.start();
    }

    /** The base URL to configure as the endpoint. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<ReceivedSpan> spans() {
        return traces.stream().flatMap(request -> request.getResourceSpansList().stream())
                .flatMap(resource -> resource.getScopeSpansList().stream())
                .flatMap(scope -> scope.getSpansList().stream())
                .map(OtlpReceiver::received).toList();
    }

    Optional<ReceivedSpan> span(String name, String traceId) {
        return spans().stream().filter(span -> span.name().equals(name) && span.traceId().equals(traceId))
                .findFirst();
    }

    /** The names of every metric received. */
    List<String> metricNames() {
        return metrics.stream().flatMap(request -> request.getResourceMetricsList().stream())
                .flatMap(resource -> resource.getScopeMetricsList().stream())
                .flatMap(scope -> scope.getMetricsList().stream())
                .map(metric -> metric.getName()).distinct().toList();
    }

    /** Everything received, as text (protobuf's own text form): for searching for what must never be there. */
    String everything() {
        StringBuilder all = new StringBuilder();
        traces.forEach(request -> all.append(request).append('\n'));
        metrics.forEach(request -> all.append(request).append('\n'));
        return all.toString();
    }

    /** The {@code Authorization} header of every export. */
    List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    private void receive(HttpExchange exchange, boolean isTraces) throws IOException {
        try (exchange) {
            byte[] body = RequestBodies.of(exchange);
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(authorization == null ? "" : authorization);
            if (isTraces) {
                traces.add(ExportTraceServiceRequest.parseFrom(body));
            } else {
                metrics.add(ExportMetricsServiceRequest.parseFrom(body));
            }
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
        }
    }

    private static ReceivedSpan received(Span span) {
        HexFormat hex = HexFormat.of();
        Map<String, String> attributes = new TreeMap<>();
        for (KeyValue attribute : span.getAttributesList()) {
            attributes.put(attribute.getKey(), attribute.getValue().hasStringValue()
                    ? attribute.getValue().getStringValue() : attribute.getValue().toString().strip());
        }
        return new ReceivedSpan(span.getName(), hex.formatHex(span.getTraceId().toByteArray()),
                hex.formatHex(span.getSpanId().toByteArray()), hex.formatHex(span.getParentSpanId().toByteArray()),
                span.getKind(), attributes, span.getStatus().getCode().getNumber() == 2);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
