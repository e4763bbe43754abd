package io.ora.relay.edge;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Why the relay closes a connection, and everything that follows from it in one place: the {@code reason} label of
 * {@code ora_relay_connections_closed_total} (docs/operations.md lists them, the dashboard and alerts in ops/ read
 * them), how the connection ends, and the MQTT 5 reason code the peer is told. Closing by a {@code CloseReason}
 * ({@link Session#close}) counts and closes in one call, so the two cannot drift apart.
 *
 * <p>Several reasons may share a label where the metrics group them (a protocol error the peer can be told more
 * precisely about); two are not counted, as before: the node shutting down, and a failed QoS 1 delivery that MQTT
 * 3.1.1 can only answer by closing.
 */
enum CloseReason {

    /** CONNECT names a protocol other than MQTT 3.1.1 and 5. */
    PROTOCOL_VERSION("protocol_version", MqttConnectReturnCode.CONNECTION_REFUSED_UNSUPPORTED_PROTOCOL_VERSION),
    /** CONNECT's client id is neither empty nor the certificate's identity. */
    CLIENT_ID_MISMATCH("client_id_mismatch", MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5),
    /** The decoder refused the client id (an MQTT 3.1 CONNECT). */
    CLIENT_ID_REJECTED("client_id_mismatch", MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID),
    /** CONNECT carries a will: the cloud would have to hold a payload. */
    WILL_REFUSED("will_refused", MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5),
    /** The peer's entity did not accept the connection in time. */
    ATTACH_TIMEOUT("attach_timeout", MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY),

    /** No CONNECT within the CONNECT timeout of the handshake: no MQTT conversation to end. */
    CONNECT_TIMEOUT("connect_timeout"),
    /** The socket stayed unwritable past the slow-consumer timeout: a packet would not get through either. */
    SLOW_CONSUMER("slow_consumer"),
    /** An I/O error on the socket. */
    IO_ERROR("io_error"),
    /** Bytes that are not TLS records. */
    TLS_ERROR("tls_error"),
    /** An exception of the relay's own in a handler. */
    INTERNAL_ERROR("internal_error"),

    /** Silent for longer than 1.5 x its keep-alive. */
    KEEP_ALIVE_TIMEOUT("keep_alive_timeout", MqttReasonCodes.Disconnect.KEEP_ALIVE_TIMEOUT),
    /** A newer connection of the same peer took the session over. */
    TAKEN_OVER("taken_over", MqttReasonCodes.Disconnect.SESSION_TAKEN_OVER),
    /** The peer's certificate was revoked while it was connected. */
    REVOKED("revoked", MqttReasonCodes.Disconnect.NOT_AUTHORIZED),
    /** A packet announced longer than the maximum packet size. */
    PACKET_TOO_LARGE("packet_too_large", MqttReasonCodes.Disconnect.PACKET_TOO_LARGE),
    /** A packet that does not decode, or a topic that is not valid UTF-8. */
    MALFORMED_PACKET("malformed_packet", MqttReasonCodes.Disconnect.MALFORMED_PACKET),
    /** A packet out of order: anything before CONNECT, a second CONNECT, QoS 2 flow packets, AUTH. */
    PROTOCOL_ERROR("protocol_error", MqttReasonCodes.Disconnect.PROTOCOL_ERROR),
    /** More packets sent between CONNECT and CONNACK than a pipeline needs. */
    EARLY_PACKET_FLOOD("protocol_error", MqttReasonCodes.Disconnect.RECEIVE_MAXIMUM_EXCEEDED),
    /** A topic alias, which CONNACK does not offer. */
    TOPIC_ALIAS("protocol_error", MqttReasonCodes.Disconnect.TOPIC_ALIAS_INVALID),
    /** A QoS 2 PUBLISH, which CONNACK does not offer. */
    QOS_NOT_SUPPORTED("qos_not_supported", MqttReasonCodes.Disconnect.QOS_NOT_SUPPORTED),
    /** An MQTT 5 retained PUBLISH, which CONNACK does not offer. */
    RETAIN_NOT_SUPPORTED("retain_not_supported", MqttReasonCodes.Disconnect.RETAIN_NOT_SUPPORTED),
    /** A QoS 0 PUBLISH the peer may not send (QoS 1 gets a PUBACK code instead). */
    NOT_AUTHORIZED("not_authorized", MqttReasonCodes.Disconnect.NOT_AUTHORIZED),

    /** The node is stopping. Not counted: every connection ends so. */
    SHUTDOWN(null, MqttReasonCodes.Disconnect.SERVER_SHUTTING_DOWN),
    /**
     * A QoS 1 publish from an MQTT 3.1.1 peer failed: 3.1.1 has no negative PUBACK, so the connection closes and the
     * peer resends after reconnecting. Not counted: the publish outcome is.
     */
    PUBLISH_FAILED(null, MqttReasonCodes.Disconnect.UNSPECIFIED_ERROR);

    /** How a connection closed for a reason ends. */
    enum Ending {
        /** CONNECT refused: a CONNACK with the reason (3.1.1: its nearest return code), then the socket closes. */
        CONNACK,
        /** MQTT 5 peers get a DISCONNECT with the reason first; MQTT 3.1.1 has no server DISCONNECT. */
        DISCONNECT,
        /** The socket closes with no packet: there is no MQTT conversation to end, or no way to send one. */
        SOCKET
    }

    private final String label;
    private final Ending ending;
    private final byte reasonCode;

    CloseReason(String label, MqttConnectReturnCode refusal) {
        this(label, Ending.CONNACK, refusal.byteValue());
    }

    CloseReason(String label, MqttReasonCodes.Disconnect disconnect) {
        this(label, Ending.DISCONNECT, disconnect.byteValue());
    }

    CloseReason(String label) {
        this(label, Ending.SOCKET, (byte) 0);
    }

    CloseReason(String label, Ending ending, byte reasonCode) {
        this.label = label;
        this.ending = ending;
        this.reasonCode = reasonCode;
    }

    /** The {@code reason} label it is counted under, if it is counted. */
    Optional<String> label() {
        return Optional.ofNullable(label);
    }

    Ending ending() {
        return ending;
    }

    /** The MQTT 5 reason code of its CONNACK or DISCONNECT; a {@link Ending#SOCKET} ending sends none. */
    byte reasonCode() {
        if (ending == Ending.SOCKET) {
            throw new IllegalStateException(this + " closes the socket without a packet");
        }
        return reasonCode;
    }

    /** The MQTT 3.1.1 CONNACK return code nearest to a refusal's MQTT 5 code. */
    MqttConnectReturnCode legacyRefusal() {
        MqttConnectReturnCode code = MqttConnectReturnCode.valueOf(reasonCode());
        return switch (code) {
            case CONNECTION_REFUSED_UNSUPPORTED_PROTOCOL_VERSION ->
                    MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION;
            case CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID ->
                    MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED;
            case CONNECTION_REFUSED_NOT_AUTHORIZED_5 -> MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
            default -> MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
        };
    }

    /** Every label the metrics count, each once (their series are registered up front). */
    static List<String> labels() {
        return Arrays.stream(values()).flatMap(reason -> reason.label().stream()).distinct().toList();
    }
}
