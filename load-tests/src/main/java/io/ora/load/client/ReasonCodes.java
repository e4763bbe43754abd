package io.ora.load.client;

import java.util.Map;

/**
 * Names of MQTT 5 reason codes (OASIS MQTT 5.0, 2.4) for reports, as the specification spells them: failures are
 * counted by cause, and {@code PUBACK QUOTA_EXCEEDED} says more than {@code PUBACK 0x97}. 0x00 is named for the
 * packet it is in (success, or granted QoS 0 in a SUBACK).
 */
public final class ReasonCodes {

    /** Success (PUBACK, CONNACK). */
    public static final int SUCCESS = 0x00;
    /** The publish was accepted but nobody subscribed to it (PUBACK). */
    public static final int NO_MATCHING_SUBSCRIBERS = 0x10;
    /** First error code: every code from here on means the operation failed. */
    public static final int FIRST_ERROR = 0x80;
    /** The server cannot take the message now (PUBACK): the ingest pipeline was full. */
    public static final int QUOTA_EXCEEDED = 0x97;
    /** The payload was refused (PUBACK): the ingest filter rejected it. */
    public static final int PAYLOAD_FORMAT_INVALID = 0x99;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0x00, "SUCCESS"), Map.entry(0x01, "GRANTED_QOS_1"), Map.entry(0x02, "GRANTED_QOS_2"),
            Map.entry(0x04, "DISCONNECT_WITH_WILL_MESSAGE"), Map.entry(0x10, "NO_MATCHING_SUBSCRIBERS"),
            Map.entry(0x11, "NO_SUBSCRIPTION_EXISTED"), Map.entry(0x18, "CONTINUE_AUTHENTICATION"),
            Map.entry(0x19, "REAUTHENTICATE"), Map.entry(0x80, "UNSPECIFIED_ERROR"),
            Map.entry(0x81, "MALFORMED_PACKET"), Map.entry(0x82, "PROTOCOL_ERROR"),
            Map.entry(0x83, "IMPLEMENTATION_SPECIFIC_ERROR"), Map.entry(0x84, "UNSUPPORTED_PROTOCOL_VERSION"),
            Map.entry(0x85, "CLIENT_IDENTIFIER_NOT_VALID"), Map.entry(0x86, "BAD_USER_NAME_OR_PASSWORD"),
            Map.entry(0x87, "NOT_AUTHORIZED"), Map.entry(0x88, "SERVER_UNAVAILABLE"), Map.entry(0x89, "SERVER_BUSY"),
            Map.entry(0x8A, "BANNED"), Map.entry(0x8B, "SERVER_SHUTTING_DOWN"),
            Map.entry(0x8C, "BAD_AUTHENTICATION_METHOD"), Map.entry(0x8D, "KEEP_ALIVE_TIMEOUT"),
            Map.entry(0x8E, "SESSION_TAKEN_OVER"), Map.entry(0x8F, "TOPIC_FILTER_INVALID"),
            Map.entry(0x90, "TOPIC_NAME_INVALID"), Map.entry(0x91, "PACKET_IDENTIFIER_IN_USE"),
            Map.entry(0x92, "PACKET_IDENTIFIER_NOT_FOUND"), Map.entry(0x93, "RECEIVE_MAXIMUM_EXCEEDED"),
            Map.entry(0x94, "TOPIC_ALIAS_INVALID"), Map.entry(0x95, "PACKET_TOO_LARGE"),
            Map.entry(0x96, "MESSAGE_RATE_TOO_HIGH"), Map.entry(0x97, "QUOTA_EXCEEDED"),
            Map.entry(0x98, "ADMINISTRATIVE_ACTION"), Map.entry(0x99, "PAYLOAD_FORMAT_INVALID"),
            Map.entry(0x9A, "RETAIN_NOT_SUPPORTED"), Map.entry(0x9B, "QOS_NOT_SUPPORTED"),
            Map.entry(0x9C, "USE_ANOTHER_SERVER"), Map.entry(0x9D, "SERVER_MOVED"),
            Map.entry(0x9E, "SHARED_SUBSCRIPTIONS_NOT_SUPPORTED"), Map.entry(0x9F, "CONNECTION_RATE_EXCEEDED"),
            Map.entry(0xA0, "MAXIMUM_CONNECT_TIME"), Map.entry(0xA1, "SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED"),
            Map.entry(0xA2, "WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED"));

    private ReasonCodes() {
    }

    /** The specification's name of {@code code}, or {@code 0x..} for one it does not define. */
    public static String name(int code) {
        String name = NAMES.get(code);
        return name != null ? name : String.format("0x%02X", code);
    }
}
