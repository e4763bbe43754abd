package io.ora.core.trace;

/**
 * Everything the node traces. A span's name is one of these (or, for a request, its method and route template), so
 * no span name can carry peer input. Names follow OpenTelemetry's dotted style; the kind tells a trace viewer which
 * side of a hop the span is.
 */
public enum Operation {
    /** An HTTP request to the portal; renamed to its method and route template once the route is known. */
    PORTAL_REQUEST("portal.request", Kind.SERVER),
    /** An HTTP request on the device HTTPS listener (telemetry, backup). */
    DEVICE_REQUEST("device.request", Kind.SERVER),
    /** The ingest writing one batch of telemetry rows in one transaction. */
    INGEST_COMMIT("ingest.commit", Kind.INTERNAL),
    /** An MQTT connection's TLS handshake, CONNECT and its authorisation, up to the CONNACK. */
    MQTT_CONNECT("mqtt.connect", Kind.SERVER),
    /** A relayed PUBLISH at the sender's edge, up to handing it on. */
    RELAY_PUBLISH("relay.publish", Kind.PRODUCER),
    /** The same PUBLISH at the receiver's connection, possibly on another node, up to writing it. */
    RELAY_DELIVER("relay.deliver", Kind.CONSUMER),
    /** A handover's state change. */
    HANDOVER_TRANSITION("handover.transition", Kind.INTERNAL),
    /** The portal asking the relay to lock or unlock a hub. */
    HUB_LOCK("hub.lock", Kind.CLIENT);

    private final String spanName;
    private final Kind kind;

    Operation(String spanName, Kind kind) {
        this.spanName = spanName;
        this.kind = kind;
    }

    public String spanName() {
        return spanName;
    }

    public Kind kind() {
        return kind;
    }

    /** OpenTelemetry's span kinds, as far as the node uses them. */
    public enum Kind {
        SERVER, CLIENT, PRODUCER, CONSUMER, INTERNAL
    }
}
