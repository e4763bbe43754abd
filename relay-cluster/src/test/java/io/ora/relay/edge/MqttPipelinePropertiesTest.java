package io.ora.relay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ResourceLeakDetector;
import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Whatever bytes a peer sends, in whatever pieces, the relay's pipeline either keeps reading or closes that
 * connection: no exception escapes {@code writeInbound}, every close is one of the protocol refusals of
 * docs/mqtt.md (never a handler failure such as {@code internal_error}), and every buffer is released once the
 * connection is gone.
 *
 * <p>Netty's leak detector runs at {@code PARANOID} while these properties run, but it reports only after a garbage
 * collection; the deterministic check is {@link PeerConnection#unreleased()}, which looks at every buffer the
 * pipeline received or allocated.
 */
class MqttPipelinePropertiesTest {

    /** Close reasons a peer's bytes may legitimately cause; anything else means a handler failed. */
    private static final Set<String> REFUSALS = Set.of("malformed_packet", "protocol_error", "protocol_version",
            "packet_too_large", "client_id_mismatch", "will_refused", "qos_not_supported", "retain_not_supported",
            "not_authorized");

    private static final PeerId.App APP = new PeerId.App("app-props");
    private static final String HUB_INBOX = Topics.hubInbox(UUID.fromString("00000000-0000-4000-8000-000000000001"));

    private static TestEdge edge;
    private static ResourceLeakDetector.Level leakLevel;

    @BeforeContainer
    static void start() {
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        edge = TestEdge.start();
    }

    @AfterContainer
    static void stop() {
        edge.close();
        ResourceLeakDetector.setLevel(leakLevel);
    }

    @Property(tries = 1000)
    void arbitraryBytesBeforeConnectAreHandledCleanly(@ForAll @Size(max = 600) byte[] bytes,
                                                       @ForAll @IntRange(min = 1, max = 64) int readSize) {
        PeerConnection peer = edge.open(APP);

        feed(peer, bytes, readSize);

        assertHandledCleanly(peer);
    }

    @Property(tries = 500)
    void arbitraryBytesAfterAValidConnectAreHandledCleanly(@ForAll boolean mqtt5,
                                                           @ForAll @Size(max = 600) byte[] bytes,
                                                           @ForAll @IntRange(min = 1, max = 64) int readSize) {
        PeerConnection peer = edge.open(APP).connected(mqtt5 ? MqttVersion.MQTT_5 : MqttVersion.MQTT_3_1_1);

        feed(peer, bytes, readSize);

        assertHandledCleanly(peer);
    }

    @Property(tries = 200)
    void validConversationsKeepTheConnectionOpen(@ForAll("conversations") Conversation conversation,
                                                 @ForAll @IntRange(min = 1, max = 64) int readSize) {
        PeerConnection peer = edge.open(APP);

        peer.send(conversation.connect());
        feed(peer, conversation.rest(), readSize);

        assertThat(peer.isOpen()).as("a well-formed conversation is not refused").isTrue();
        assertHandledCleanly(peer);
    }

    @Property(tries = 1000)
    void conversationsWithOneByteChangedOrCutAreHandledCleanly(@ForAll("conversations") Conversation conversation,
                                                                @ForAll @IntRange(min = 0, max = 100_000) int position,
                                                                @ForAll byte replacement, @ForAll boolean cut,
                                                                @ForAll @IntRange(min = 1, max = 64) int readSize) {
        byte[] all = MqttBytes.concat(conversation.connect(), conversation.rest());
        int at = position % all.length;
        byte[] mutated = cut ? Arrays.copyOf(all, at) : all.clone();
        if (!cut) {
            mutated[at] = replacement;
        }
        int connectEnd = Math.min(conversation.connect().length, mutated.length);
        PeerConnection peer = edge.open(APP);

        peer.send(Arrays.copyOf(mutated, connectEnd));
        feed(peer, Arrays.copyOfRange(mutated, connectEnd, mutated.length), readSize);

        Statistics.collect(peer.isOpen() ? "still open" : "closed");
        assertHandledCleanly(peer);
    }

    /** A valid CONNECT of {@link #APP} and a few valid packets after it, MQTT 3.1.1 or 5. */
    record Conversation(byte[] connect, byte[] rest) {
        @Override
        public String toString() {
            return "Conversation[connect=" + HexFormat.of().formatHex(connect) + ", rest="
                    + HexFormat.of().formatHex(rest) + "]";
        }
    }

    @Provide
    Arbitrary<Conversation> conversations() {
        Arbitrary<Boolean> mqtt5 = Arbitraries.of(true, false);
        Arbitrary<List<Integer>> kinds = Arbitraries.integers().between(0, 5).list().ofMinSize(1).ofMaxSize(6);
        Arbitrary<byte[]> payload = Arbitraries.bytes().array(byte[].class).ofMaxSize(48);
        return Combinators.combine(mqtt5, kinds, payload).as(MqttPipelinePropertiesTest::conversation);
    }

    private static Conversation conversation(boolean mqtt5, List<Integer> kinds, byte[] payload) {
        byte[] connect = mqtt5 ? MqttBytes.connect5(APP.urn(), 60) : MqttBytes.connect311(APP.urn(), 60);
        byte[] properties = mqtt5 ? MqttBytes.userProperty("trace", "t-1") : null;
        List<byte[]> packets = new ArrayList<>();
        int packetId = 1;
        for (int kind : kinds) {
            packets.add(switch (kind) {
                case 0 -> MqttBytes.publish(0, false, HUB_INBOX, 0, properties, payload);
                case 1 -> MqttBytes.publish(1, false, HUB_INBOX + "/x", packetId++, properties, payload);
                case 2 -> MqttBytes.subscribe(packetId++, Topics.inbox(APP) + "/#", 1, mqtt5);
                case 3 -> MqttBytes.unsubscribe(packetId++, Topics.inbox(APP) + "/#", mqtt5);
                case 4 -> MqttBytes.pubAck(packetId++);
                default -> MqttBytes.pingReq();
            });
        }
        return new Conversation(connect, MqttBytes.concat(packets.toArray(byte[][]::new)));
    }

    /** Writes {@code bytes} in reads of {@code readSize}, stopping once the relay has closed the connection. */
    private static void feed(PeerConnection peer, byte[] bytes, int readSize) {
        for (int from = 0; from < bytes.length && peer.isOpen(); from += readSize) {
            peer.send(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + readSize)));
        }
        peer.channel().runPendingTasks();
    }

    private static void assertHandledCleanly(PeerConnection peer) {
        assertThat(REFUSALS).as("close reasons so far").containsAll(edge.closeReasons().keySet());
        peer.close();
        assertThat(peer.unreleased()).as("buffers the pipeline kept").isEmpty();
    }
}
