package io.ora.relay.delivery;

import java.io.NotSerializableException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * The wire form of the two messages on the relay's cross-node data plane, {@link Connection.Forward} (one per
 * message relayed to another node) and {@link Connection.Outcome} (one per QoS 1 outcome going back): a fixed binary
 * layout written straight into Artery's buffer, instead of Jackson CBOR, which took a fifth of every node's CPU in a
 * three-node run (docs/benchmarks.md). Every other cross-node message stays on the {@code OraMessage} binding; these
 * two are bound to this serializer by class in {@code reference.conf}, which takes precedence over the marker.
 *
 * <p>Layout (big-endian; a string is its UTF-8 length as an int, then the bytes; docs/adr/0003):
 * <pre>
 * Forward (manifest "F"): version=2 | qos:byte | packetId:int | topic | sender | replyTo ("" = none)
 *                         | userProperties:short count, then name, value each | payload:int length, bytes
 *                         | traceParent ("" = none; absent in version 1)
 * Outcome (manifest "O"): version=1 | packetId:int | result (the DeliveryResult's name)
 * </pre>
 * A node reads version 1 forwards too, so a cluster can be upgraded one node at a time; it writes version 2.
 * The payload is copied as opaque bytes and never examined. Input from another node is checked as any input is:
 * every length must fit in what is left, and anything else (an unknown version, result or manifest) is refused.
 */
public final class DataPlaneSerializer extends SerializerWithStringManifest implements ByteBufferSerializer {

    /** Pekko reserves 0–40 for its own serializers; this number must never be reused for another format. */
    static final int IDENTIFIER = 7301;
    static final String FORWARD = "F";
    static final String OUTCOME = "O";
    private static final byte VERSION = 1;
    /** Forwards gained the trace parent in version 2. */
    private static final byte FORWARD_VERSION = 2;
    /** A W3C traceparent is 55 characters; anything much longer from another node is not one. */
    private static final int MAX_TRACE_PARENT = 128;
    private static final byte[] NONE = new byte[0];

    private final ExtendedActorSystem system;
    private volatile ActorRefResolver resolver;

    public DataPlaneSerializer(ExtendedActorSystem system) {
        this.system = system;
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object message) {
        if (message instanceof Connection.Forward) {
            return FORWARD;
        }
        if (message instanceof Connection.Outcome) {
            return OUTCOME;
        }
        throw new IllegalArgumentException("not a data-plane message: " + message.getClass().getName());
    }

    @Override
    public byte[] toBinary(Object message) {
        Encoded encoded = encode(message);
        ByteBuffer buffer = ByteBuffer.allocate(encoded.size());
        encoded.writeTo(buffer);
        return buffer.array();
    }

    @Override
    public void toBinary(Object message, ByteBuffer buffer) {
        ByteOrder order = buffer.order();
        buffer.order(ByteOrder.BIG_ENDIAN);
        try {
            encode(message).writeTo(buffer);
        } finally {
            buffer.order(order);
        }
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        return fromBinary(ByteBuffer.wrap(bytes), manifest);
    }

    @Override
    public Object fromBinary(ByteBuffer buffer, String manifest) throws NotSerializableException {
        ByteOrder order = buffer.order();
        buffer.order(ByteOrder.BIG_ENDIAN);
        try {
            byte version = buffer.get();
            return switch (manifest) {
                case FORWARD -> readForward(buffer, known(version, FORWARD_VERSION));
                case OUTCOME -> {
                    known(version, VERSION);
                    yield readOutcome(buffer);
                }
                default -> throw new NotSerializableException("unknown data-plane manifest '" + manifest + "'");
            };
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            NotSerializableException refused = new NotSerializableException(
                    "malformed data-plane message (manifest '" + manifest + "'): " + e.getMessage());
            refused.initCause(e);
            throw refused;
        } finally {
            buffer.order(order);
        }
    }

    /** {@code version}, if this node reads it (1 up to {@code newest}). */
    private static byte known(byte version, byte newest) throws NotSerializableException {
        if (version < VERSION || version > newest) {
            throw new NotSerializableException("data-plane message version " + version + " is not known here");
        }
        return version;
    }

    // ---- encoding ---------------------------------------------------------------------------------------------

    /** A message with its strings already turned into bytes, so that its size is known before it is written. */
    private interface Encoded {
        int size();

        void writeTo(ByteBuffer buffer);
    }

    private Encoded encode(Object message) {
        if (message instanceof Connection.Forward forward) {
            return forward(forward.envelope());
        }
        if (message instanceof Connection.Outcome outcome) {
            byte[] result = utf8(outcome.result().name());
            return new Encoded() {
                @Override
                public int size() {
                    return 1 + 4 + 4 + result.length;
                }

                @Override
                public void writeTo(ByteBuffer buffer) {
                    buffer.put(VERSION).putInt(outcome.packetId());
                    putString(buffer, result);
                }
            };
        }
        throw new IllegalArgumentException("not a data-plane message: " + message.getClass().getName());
    }

    private Encoded forward(Envelope envelope) {
        byte[] topic = utf8(envelope.topic());
        byte[] sender = utf8(envelope.sender());
        byte[] replyTo = envelope.replyTo().map(ref -> utf8(resolver().toSerializationFormat(ref))).orElse(NONE);
        byte[] traceParent = envelope.traceParent().isEmpty() ? NONE : utf8(envelope.traceParent());
        List<Envelope.UserProperty> properties = envelope.userProperties();
        if (properties.size() > Short.MAX_VALUE) {
            throw new IllegalArgumentException("too many user properties: " + properties.size());
        }
        byte[][] names = new byte[properties.size()][];
        byte[][] values = new byte[properties.size()][];
        int size = 1 + 1 + 4 + 4 + topic.length + 4 + sender.length + 4 + replyTo.length + 2 + 4
                + envelope.payload().length + 4 + traceParent.length;
        for (int i = 0; i < properties.size(); i++) {
            names[i] = utf8(properties.get(i).name());
            values[i] = utf8(properties.get(i).value());
            size += 4 + names[i].length + 4 + values[i].length;
        }
        int total = size;
        return new Encoded() {
            @Override
            public int size() {
                return total;
            }

            @Override
            public void writeTo(ByteBuffer buffer) {
                buffer.put(FORWARD_VERSION).put((byte) envelope.qos()).putInt(envelope.packetId());
                putString(buffer, topic);
                putString(buffer, sender);
                putString(buffer, replyTo);
                buffer.putShort((short) names.length);
                for (int i = 0; i < names.length; i++) {
                    putString(buffer, names[i]);
                    putString(buffer, values[i]);
                }
                buffer.putInt(envelope.payload().length).put(envelope.payload());
                putString(buffer, traceParent);
            }
        };
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void putString(ByteBuffer buffer, byte[] bytes) {
        buffer.putInt(bytes.length).put(bytes);
    }

    // ---- decoding ---------------------------------------------------------------------------------------------

    private Connection.Forward readForward(ByteBuffer buffer, byte version) {
        int qos = buffer.get();
        if (qos != 0 && qos != 1) {
            throw new IllegalArgumentException("QoS " + qos);
        }
        int packetId = buffer.getInt();
        String topic = readString(buffer);
        String sender = readString(buffer);
        String replyTo = readString(buffer);
        int count = buffer.getShort();
        if (count < 0) {
            throw new IllegalArgumentException("user property count " + count);
        }
        List<Envelope.UserProperty> properties = new ArrayList<>(Math.min(count, buffer.remaining() / 8));
        for (int i = 0; i < count; i++) {
            properties.add(new Envelope.UserProperty(readString(buffer), readString(buffer)));
        }
        byte[] payload = readBytes(buffer);
        String traceParent = version == VERSION ? "" : readString(buffer);
        if (traceParent.length() > MAX_TRACE_PARENT) {
            throw new IllegalArgumentException("a trace parent of " + traceParent.length() + " characters");
        }
        if (buffer.hasRemaining()) {
            throw new IllegalArgumentException(buffer.remaining() + " bytes after the message");
        }
        Optional<ActorRef<Connection.Command>> reply = replyTo.isEmpty()
                ? Optional.empty()
                : Optional.of(resolver().resolveActorRef(replyTo));
        return new Connection.Forward(new Envelope(topic, payload, qos, sender, properties, packetId, reply,
                traceParent));
    }

    private static Connection.Outcome readOutcome(ByteBuffer buffer) {
        int packetId = buffer.getInt();
        String result = readString(buffer);
        if (buffer.hasRemaining()) {
            throw new IllegalArgumentException(buffer.remaining() + " bytes after the result");
        }
        return new Connection.Outcome(packetId, DeliveryResult.valueOf(result));
    }

    private static String readString(ByteBuffer buffer) {
        return new String(readBytes(buffer), StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length < 0 || length > buffer.remaining()) {
            throw new IllegalArgumentException("a length of " + length + " with " + buffer.remaining() + " left");
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    /** Created on first use: serializers are built while the actor system starts, before its typed view exists. */
    private ActorRefResolver resolver() {
        ActorRefResolver known = resolver;
        if (known == null) {
            known = ActorRefResolver.get(Adapter.toTyped(system));
            resolver = known;
        }
        return known;
    }
}
