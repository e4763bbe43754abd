package io.ora.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The data plane's binary form: whatever a relayed message holds (any topic, sender, user properties and payload
 * bytes, with or without a QoS 1 reply address), it comes back equal through both of Pekko's paths, the byte array
 * and the ByteBuffer Artery writes into (little-endian, after its own header: the serializer must neither depend on
 * nor disturb the buffer's order); and input from another node that is cut short or altered is refused, never
 * turned into a different message.
 */
class DataPlaneSerializerTest {

    private static ActorTestKit kit;
    private static DataPlaneSerializer serializer;
    private static TestProbe<Connection.Command> sender;

    @BeforeContainer
    static void start() {
        // A local system: the serializer needs no cluster, and a unit test binds no port.
        kit = ActorTestKit.create("data-plane-serializer",
                ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
        serializer = new DataPlaneSerializer((ExtendedActorSystem) Adapter.toClassic(kit.system()));
        sender = TestProbe.create(kit.system());
    }

    @AfterContainer
    static void stop() {
        kit.shutdownTestKit();
    }

    @Property(tries = 300)
    void everyForwardComesBackEqualThroughBothPaths(@ForAll("envelopes") Envelope envelope) throws Exception {
        Connection.Forward forward = new Connection.Forward(envelope);
        byte[] bytes = serializer.toBinary(forward);
        assertForwarded(serializer.fromBinary(bytes, serializer.manifest(forward)), envelope);

        ByteBuffer artery = ByteBuffer.allocate(bytes.length + 64).order(ByteOrder.LITTLE_ENDIAN);
        artery.putLong(0x0102030405060708L); // the frame's header before the message
        serializer.toBinary(forward, artery);
        assertThat(artery.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(artery.position()).isEqualTo(8 + bytes.length);
        assertThat(Arrays.copyOfRange(artery.array(), 8, 8 + bytes.length)).isEqualTo(bytes);

        artery.flip().position(8);
        assertForwarded(serializer.fromBinary(artery, DataPlaneSerializer.FORWARD), envelope);
        assertThat(artery.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(artery.hasRemaining()).isFalse();
    }

    @Property(tries = 50)
    void everyOutcomeComesBackEqual(@ForAll @IntRange(max = 65535) int packetId,
                                    @ForAll DeliveryResult result) throws Exception {
        Connection.Outcome outcome = new Connection.Outcome(packetId, result);
        byte[] bytes = serializer.toBinary(outcome);
        assertThat(serializer.fromBinary(bytes, DataPlaneSerializer.OUTCOME)).isEqualTo(outcome);
    }

    @Property(tries = 200)
    void aMessageCutShortIsRefused(@ForAll("envelopes") Envelope envelope, @ForAll @IntRange(max = 1000) int cut) {
        byte[] whole = serializer.toBinary(new Connection.Forward(envelope));
        byte[] shortened = Arrays.copyOf(whole, Math.floorMod(cut, whole.length));
        assertThatThrownBy(() -> serializer.fromBinary(shortened, DataPlaneSerializer.FORWARD))
                .isInstanceOf(NotSerializableException.class);
    }

    @Property(tries = 100)
    void aMessageWithBytesAfterItsEndIsRefused(@ForAll("envelopes") Envelope envelope) {
        byte[] whole = serializer.toBinary(new Connection.Forward(envelope));
        byte[] longer = Arrays.copyOf(whole, whole.length + 1);
        assertThatThrownBy(() -> serializer.fromBinary(longer, DataPlaneSerializer.FORWARD))
                .isInstanceOf(NotSerializableException.class).hasMessageContaining("after the message");
    }

    @Property(tries = 20)
    void anUnknownVersionManifestOrResultIsRefused(@ForAll("envelopes") Envelope envelope) {
        byte[] forward = serializer.toBinary(new Connection.Forward(envelope));
        byte[] future = forward.clone();
        future[0] = 3;
        assertThatThrownBy(() -> serializer.fromBinary(future, DataPlaneSerializer.FORWARD))
                .isInstanceOf(NotSerializableException.class).hasMessageContaining("version 3");
        assertThatThrownBy(() -> serializer.fromBinary(forward, "X"))
                .isInstanceOf(NotSerializableException.class).hasMessageContaining("unknown data-plane manifest");
        byte[] outcome = serializer.toBinary(new Connection.Outcome(1, DeliveryResult.DELIVERED));
        outcome[outcome.length - 1] = 'X'; // DELIVERED -> DELIVEREX
        assertThatThrownBy(() -> serializer.fromBinary(outcome, DataPlaneSerializer.OUTCOME))
                .isInstanceOf(NotSerializableException.class).hasMessageContaining("DELIVEREX");
    }

    @Property(tries = 50)
    void aVersionOneForwardFromANodeNotYetUpgradedIsReadWithoutATrace(@ForAll("envelopes") Envelope traced)
            throws Exception {
        Envelope envelope = new Envelope(traced.topic(), traced.payload(), traced.qos(), traced.sender(),
                traced.userProperties(), traced.packetId(), traced.replyTo());
        byte[] current = serializer.toBinary(new Connection.Forward(envelope));
        // Version 1 is version 2 without the trailing (here empty) trace parent.
        byte[] older = Arrays.copyOf(current, current.length - 4);
        older[0] = 1;
        assertForwarded(serializer.fromBinary(older, DataPlaneSerializer.FORWARD), envelope);
    }

    @Property(tries = 20)
    void aTraceParentLongerThanAnyW3cOneIsRefused(@ForAll("envelopes") Envelope traced) {
        Envelope envelope = new Envelope(traced.topic(), traced.payload(), traced.qos(), traced.sender(),
                traced.userProperties(), traced.packetId(), traced.replyTo(), "0".repeat(129));
        byte[] bytes = serializer.toBinary(new Connection.Forward(envelope));
        assertThatThrownBy(() -> serializer.fromBinary(bytes, DataPlaneSerializer.FORWARD))
                .isInstanceOf(NotSerializableException.class).hasMessageContaining("trace parent");
    }

    private static void assertForwarded(Object decoded, Envelope envelope) {
        assertThat(decoded).isInstanceOf(Connection.Forward.class);
        Envelope copy = ((Connection.Forward) decoded).envelope();
        assertThat(copy.payload()).isEqualTo(envelope.payload());
        assertThat(copy).usingRecursiveComparison().isEqualTo(envelope);
    }

    @Provide
    Arbitrary<Envelope> envelopes() {
        // Valid UTF-16 only: topics and identities reach the relay as validated UTF-8.
        Arbitrary<String> text = Arbitraries.strings().withCharRange((char) 0, (char) 0xD7FF).ofMaxLength(80);
        Arbitrary<byte[]> payload = Arbitraries.bytes().array(byte[].class).ofMaxSize(70_000);
        Arbitrary<List<Envelope.UserProperty>> properties = Combinators.combine(text, text)
                .as(Envelope.UserProperty::new).list().ofMaxSize(4);
        Arbitrary<Integer> qos = Arbitraries.of(0, 1);
        Arbitrary<Integer> packetId = Arbitraries.integers().between(0, 65535);
        Arbitrary<Boolean> replies = Arbitraries.of(true, false);
        Arbitrary<String> traceParents = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.strings().numeric().withChars('a', 'f', '-').ofLength(55));
        return Combinators.combine(text, payload, qos, text, properties, packetId, replies, traceParents)
                .as((topic, bytes, q, from, props, id, reply, trace) -> new Envelope(topic, bytes, q, from, props, id,
                        reply ? Optional.of(sender.getRef()) : Optional.empty(), trace));
    }
}
