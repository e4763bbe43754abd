package io.ora.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.core.OraMessage;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every message of the hub-lock protocol crosses nodes: each round-trips through the serializer {@link OraMessage}
 * is bound to (Jackson CBOR, ora-core's {@code reference.conf}), actor references included.
 */
class HubLocksSerializationTest {

    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void everyMessageRoundTripsThroughJacksonCbor() {
        TestProbe<StatusReply<Done>> done = KIT.createTestProbe();
        TestProbe<HubLocks.LockStatus> status = KIT.createTestProbe();
        List<OraMessage> messages = List.of(
                new HubLocks.Lock("project-1", done.getRef()),
                new HubLocks.Release("project-1", done.getRef()),
                new HubLocks.Query(status.getRef()),
                new HubLocks.LockStatus(true, "project-1"),
                new HubLocks.LockStatus(false, ""));

        for (OraMessage message : messages) {
            assertThat(roundTrip(message)).as(message.getClass().getName()).isEqualTo(message);
        }
    }

    @Test
    void aDeserialisedReplyToStillReachesItsActor() {
        TestProbe<HubLocks.LockStatus> status = KIT.createTestProbe();
        HubLocks.Query copy = (HubLocks.Query) roundTrip(new HubLocks.Query(status.getRef()));

        copy.replyTo().tell(new HubLocks.LockStatus(false, ""));

        status.expectMessage(new HubLocks.LockStatus(false, ""));
    }

    private static Object roundTrip(Object message) {
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(KIT.system()));
        Serializer serializer = serialization.findSerializerFor(message);
        assertThat(serializer.getClass().getSimpleName()).isEqualTo("JacksonCborSerializer");
        byte[] bytes = serialization.serialize(message).get();
        return serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, message))
                .get();
    }
}
