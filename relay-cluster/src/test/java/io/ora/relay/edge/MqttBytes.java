package io.ora.relay.edge;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * MQTT packets written byte by byte, as a client would put them on the wire. Built by hand rather than with Netty's
 * encoder so that the tests do not share the codec's assumptions, and so that any field can be made wrong.
 *
 * <p>{@code properties} arguments are the MQTT 5 property bytes without their length prefix ({@link #properties}
 * adds it); {@code null} means "MQTT 3.1.1: no properties field at all".
 */
final class MqttBytes {

    static final int CONNECT = 0x10;
    static final int PUBLISH = 0x30;
    static final int SUBSCRIBE = 0x82;
    static final int PUBACK = 0x40;
    static final int UNSUBSCRIBE = 0xA2;
    static final int PINGREQ = 0xC0;
    static final int DISCONNECT = 0xE0;

    /** CONNECT flags: clean session / clean start, the only kind the relay offers. */
    static final int CLEAN = 0x02;
    /** CONNECT flags: a will at QoS 0. */
    static final int WILL = 0x04;

    private MqttBytes() {
    }

    /** A clean MQTT 3.1.1 CONNECT (protocol level 4). */
    static byte[] connect311(String clientId, int keepAliveSeconds) {
        return connect("MQTT", 4, CLEAN, keepAliveSeconds, null, utf8(clientId));
    }

    /** A clean MQTT 5 CONNECT with no properties. */
    static byte[] connect5(String clientId, int keepAliveSeconds) {
        return connect("MQTT", 5, CLEAN, keepAliveSeconds, new byte[0], utf8(clientId));
    }

    /**
     * Any CONNECT: protocol name and level, flags and keep-alive as given; {@code properties} only for level 5;
     * {@code payload} is the already encoded client id, will and credentials.
     */
    static byte[] connect(String protocolName, int level, int flags, int keepAliveSeconds, byte[] properties,
                          byte[]... payload) {
        byte[] header = concat(utf8(protocolName), new byte[] {(byte) level, (byte) flags,
            (byte) (keepAliveSeconds >> 8), (byte) keepAliveSeconds});
        byte[] variable = properties == null ? header : concat(header, properties(properties));
        return packet(CONNECT, concat(variable, concat(payload)));
    }

    /** A PUBLISH with a UTF-8 topic. */
    static byte[] publish(int qos, boolean retain, String topic, int packetId, byte[] properties, byte[] payload) {
        return publish(qos, retain, utf8(topic), packetId, properties, payload);
    }

    /** A PUBLISH whose topic is the given bytes, length-prefixed: they need not be valid UTF-8. */
    static byte[] publish(int qos, boolean retain, byte[] encodedTopic, int packetId, byte[] properties,
                          byte[] payload) {
        int first = PUBLISH | qos << 1 | (retain ? 1 : 0);
        byte[] variable = qos > 0 ? concat(encodedTopic, id(packetId)) : encodedTopic;
        if (properties != null) {
            variable = concat(variable, properties(properties));
        }
        return packet(first, concat(variable, payload));
    }

    /** A SUBSCRIBE to one filter; {@code options} is the QoS (plus MQTT 5 option bits). */
    static byte[] subscribe(int packetId, String filter, int options, boolean mqtt5) {
        return subscribe(packetId, utf8(filter), options, mqtt5);
    }

    /** A SUBSCRIBE to one filter given as length-prefixed bytes. */
    static byte[] subscribe(int packetId, byte[] encodedFilter, int options, boolean mqtt5) {
        byte[] variable = mqtt5 ? concat(id(packetId), properties(new byte[0])) : id(packetId);
        return packet(SUBSCRIBE, concat(variable, encodedFilter, new byte[] {(byte) options}));
    }

    /** An UNSUBSCRIBE from one filter. */
    static byte[] unsubscribe(int packetId, String filter, boolean mqtt5) {
        byte[] variable = mqtt5 ? concat(id(packetId), properties(new byte[0])) : id(packetId);
        return packet(UNSUBSCRIBE, concat(variable, utf8(filter)));
    }

    /** A PUBACK in its short form (success, no properties), valid in both versions. */
    static byte[] pubAck(int packetId) {
        return packet(PUBACK, id(packetId));
    }

    static byte[] pingReq() {
        return new byte[] {(byte) PINGREQ, 0};
    }

    /** A client DISCONNECT with no reason code (normal disconnection in both versions). */
    static byte[] disconnect() {
        return new byte[] {(byte) DISCONNECT, 0};
    }

    /** An MQTT 5 user property (identifier 0x26). */
    static byte[] userProperty(String name, String value) {
        return concat(new byte[] {0x26}, utf8(name), utf8(value));
    }

    /** An MQTT 5 topic alias property (identifier 0x23). */
    static byte[] topicAlias(int alias) {
        return new byte[] {0x23, (byte) (alias >> 8), (byte) alias};
    }

    /** MQTT 5 properties: the variable-byte length, then the property bytes. */
    static byte[] properties(byte[] content) {
        return concat(varInt(content.length), content);
    }

    /** Fixed header (first byte and remaining length) followed by {@code body}. */
    static byte[] packet(int firstByte, byte[] body) {
        return concat(new byte[] {(byte) firstByte}, varInt(body.length), body);
    }

    /** A UTF-8 string with its two-byte length. */
    static byte[] utf8(String text) {
        return lengthPrefixed(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Raw bytes with a two-byte length, e.g. a string that is not valid UTF-8. */
    static byte[] lengthPrefixed(byte[] bytes) {
        return concat(new byte[] {(byte) (bytes.length >> 8), (byte) bytes.length}, bytes);
    }

    /** The MQTT variable byte integer encoding (remaining length, property length). */
    static byte[] varInt(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rest = value;
        do {
            int digit = rest % 128;
            rest /= 128;
            out.write(rest > 0 ? digit | 0x80 : digit);
        } while (rest > 0);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] id(int packetId) {
        return new byte[] {(byte) (packetId >> 8), (byte) packetId};
    }
}
