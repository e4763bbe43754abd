package io.ora.relay.delivery;

import java.util.Locale;

/**
 * What became of a published message, as the sender learns it: a message relayed to a receiver, or a hub's
 * telemetry handed to the ingest role. Each edge maps these to its own wire codes in one place
 * ({@code edge.ReasonCodes}).
 */
public enum DeliveryResult {
    /**
     * The receiver's connection accepted it (for QoS 1: the receiver sent PUBACK); for telemetry, the ingest role
     * committed what it kept to storage.
     */
    DELIVERED,
    /** The sender may not reach this receiver (no binding between them, or a topic it may not publish to). */
    NOT_AUTHORIZED,
    /** The topic is not one the relay routes. */
    TOPIC_INVALID,
    /** The sender exceeded its own publish rate limit. */
    SENDER_RATE_LIMITED,
    /** The receiver is not connected, or holds no subscription matching the topic. Nothing is stored. */
    NO_SUBSCRIBERS,
    /**
     * The receiver's in-flight window or write buffer is full; for telemetry, the ingest role cannot take it now
     * (nothing was kept, sending it again later may succeed).
     */
    QUOTA_EXCEEDED,
    /** The receiver's inbound rate limit was exceeded. */
    RATE_LIMITED,
    /** The receiver refused it (an MQTT 5 PUBACK with an error code) or went away before acknowledging. */
    RECEIVER_FAILED,
    /** No outcome arrived in time (a node was lost, or the receiver is stuck). */
    TIMED_OUT,
    /** The ingest role refused a telemetry payload and kept nothing of it; sending it again changes nothing. */
    PAYLOAD_REJECTED;

    /** Snake-case name for metric labels. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
