package io.ora.load.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The packets the generator sends per message, written by hand into one pooled buffer each: a PUBLISH is its fixed
 * header, the topic (encoded once per topic, {@link #topic}), the packet identifier at QoS 1, an empty property
 * list (MQTT 5) and the payload, which the caller appends in place. netty-codec-mqtt's encoder would build a message
 * object, a header object and a second buffer for each; everything else still goes through it.
 */
public final class Frames {

    private static final int PUBLISH = 0x30;
    private static final int PUBACK = 0x40;
    private static final int MAX_REMAINING_LENGTH = 268_435_455;
    private static final int VARINT_BITS = 7;
    private static final int VARINT_MASK = 0x7F;
    private static final int VARINT_MORE = 0x80;

    private Frames() {
    }

    /** A topic name as it goes on the wire: a two-byte length, then UTF-8. */
    public static byte[] topic(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 0xFFFF) {
            throw new IllegalArgumentException("topic longer than 65535 bytes");
        }
        byte[] wire = new byte[utf8.length + 2];
        wire[0] = (byte) (utf8.length >>> 8);
        wire[1] = (byte) utf8.length;
        System.arraycopy(utf8, 0, wire, 2, utf8.length);
        return wire;
    }

    /**
     * A PUBLISH up to its payload, in a buffer with room for exactly {@code payloadBytes} more, which the caller
     * writes. {@code packetId} is ignored at QoS 0.
     */
    public static ByteBuf publish(ByteBufAllocator alloc, byte[] topic, int qos, int packetId, int payloadBytes,
                                  boolean mqtt5) {
        if (qos < 0 || qos > 1) {
            throw new IllegalArgumentException("QoS 0 or 1 only: " + qos);
        }
        long remaining = (long) topic.length + (qos > 0 ? 2 : 0) + (mqtt5 ? 1 : 0) + payloadBytes;
        if (remaining > MAX_REMAINING_LENGTH) {
            throw new IllegalArgumentException("PUBLISH too large: " + remaining + " bytes");
        }
        ByteBuf frame = alloc.buffer(1 + varIntSize((int) remaining) + (int) remaining);
        frame.writeByte(PUBLISH | qos << 1);
        writeVarInt(frame, (int) remaining);
        frame.writeBytes(topic);
        if (qos > 0) {
            frame.writeShort(packetId);
        }
        if (mqtt5) {
            frame.writeByte(0);
        }
        return frame;
    }

    /** A PUBACK with success, which MQTT 5 lets a receiver send in the 3.1.1 form: the packet identifier alone. */
    public static ByteBuf pubAck(ByteBufAllocator alloc, int packetId) {
        return alloc.buffer(4).writeByte(PUBACK).writeByte(2).writeShort(packetId);
    }

    static int varIntSize(int value) {
        int size = 1;
        for (int rest = value >>> VARINT_BITS; rest > 0; rest >>>= VARINT_BITS) {
            size++;
        }
        return size;
    }

    private static void writeVarInt(ByteBuf out, int value) {
        int rest = value;
        do {
            int digit = rest & VARINT_MASK;
            rest >>>= VARINT_BITS;
            out.writeByte(rest > 0 ? digit | VARINT_MORE : digit);
        } while (rest > 0);
    }
}
