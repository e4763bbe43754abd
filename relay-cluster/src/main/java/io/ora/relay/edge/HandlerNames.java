package io.ora.relay.edge;

/**
 * Names of the relay pipeline's handlers, in pipeline order. The order is built in one place,
 * {@link RelayChannelInitializer}; handlers added later (keep-alive, after CONNECT) are named here too.
 */
final class HandlerNames {

    /** Refuses connections over the accept-rate, connection-count or memory limits before any TLS work. */
    static final String ACCEPT_GUARD = "accept-guard";
    /** TLS 1.3 with a required client certificate; carries the handshake timeout. */
    static final String TLS = "tls";
    /** Flushes once per event-loop turn rather than once per packet. */
    static final String FLUSH_CONSOLIDATION = "flush-consolidation";
    /** Turns the finished handshake into a session with a verified identity, and starts the CONNECT timer. */
    static final String HANDSHAKE = "handshake";
    static final String MQTT_DECODER = "mqtt-decoder";
    static final String MQTT_ENCODER = "mqtt-encoder";
    /** Added after CONNECT: closes a peer silent for 1.5 x its keep-alive. */
    static final String KEEP_ALIVE = "keep-alive";
    /** Routes each MQTT packet type to its handler. */
    static final String PACKETS = "packets";

    private HandlerNames() {
    }
}
