package io.ora.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.core.OraMessage;
import io.ora.relay.api.HubLocks;
import io.ora.relay.peer.HubEntity;
import io.ora.relay.peer.PeerCommand;
import io.ora.relay.delivery.Connection;
import io.ora.relay.delivery.DeliveryResult;
import io.ora.relay.delivery.Envelope;
import io.ora.relay.delivery.Location;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every message that crosses nodes round-trips through the serializer it is bound to (Jackson CBOR, via
 * {@link OraMessage}; the data plane's {@code Forward} and {@code Outcome} their own binary form), including actor
 * references and opaque payload bytes.
 */
class SerializationIT {

    private static final String JACKSON = "JacksonCborSerializer";
    private static final String DATA_PLANE = "DataPlaneSerializer";

    @TempDir
    static Path dir;
    static TestRelay node;

    @BeforeAll
    static void start() {
        node = TestRelay.start(dir);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void everyCrossNodeMessageRoundTrips() {
        TestProbe<Connection.Command> connection = TestProbe.create(node.system());
        TestProbe<StatusReply<Done>> done = TestProbe.create(node.system());
        TestProbe<HubEntity.Status> status = TestProbe.create(node.system());
        TestProbe<HubLocks.LockStatus> lockStatus = TestProbe.create(node.system());
        TestProbe<Location> learner = TestProbe.create(node.system());
        UUID hub = UUID.randomUUID();
        Envelope envelope = new Envelope("ora/v1/hub/6f1c2b9e-5a9d-4e59-9d2f-2d6c9a1d7e11/in", new byte[] {0, -1, 7},
                1, "urn:ora:app:a", List.of(new Envelope.UserProperty("k", "v")), 42,
                Optional.of(connection.getRef()));
        List<OraMessage> messages = List.of(
                new PeerCommand.Attach(connection.getRef()),
                new PeerCommand.Detach(connection.getRef()),
                new PeerCommand.Handoff(),
                new HubEntity.Unlock(done.getRef()),
                new HubEntity.GetStatus(status.getRef()),
                new HubEntity.Status(true, "project-1", false),
                new HubEntity.Locked("project-1"),
                new HubEntity.Unlocked(),
                new HubEntity.State(true, "project-1"),
                new Connection.Attached(),
                new Connection.TakenOver(),
                new Connection.Reattach(),
                new Connection.Stop(),
                new Location("urn:ora:hub:" + hub, connection.getRef()),
                new HubLocks.Lock("project-1", done.getRef()),
                new HubLocks.Release("project-1", done.getRef()),
                new HubLocks.Query(lockStatus.getRef()),
                new HubLocks.LockStatus(true, "project-1"));
        for (OraMessage message : messages) {
            assertThat(roundTrip(message, JACKSON)).as(message.getClass().getName()).isEqualTo(message);
        }

        HubEntity.OtaCheck check = new HubEntity.OtaCheck(connection.getRef(), 1, 42, new byte[] {'{', '}', -1});
        assertThat(roundTrip(check, JACKSON)).usingRecursiveComparison().isEqualTo(check);

        PeerCommand.Deliver deliver = (PeerCommand.Deliver) roundTrip(new PeerCommand.Deliver(envelope,
                learner.getRef()), JACKSON);
        assertThat(deliver.learner()).isEqualTo(learner.getRef());
        Envelope copy = deliver.envelope();
        assertThat(copy.payload()).isEqualTo(envelope.payload());
        assertThat(copy).usingRecursiveComparison().isEqualTo(envelope);
        assertThat(((Connection.Deliver) roundTrip(new Connection.Deliver(envelope), JACKSON)).envelope().payload())
                .isEqualTo(envelope.payload());
    }

    /** The data plane's two messages are bound by class to their own binary form, over the marker's binding. */
    @Test
    void theDataPlanesMessagesRoundTripThroughTheirBinaryForm() {
        TestProbe<Connection.Command> connection = TestProbe.create(node.system());
        Envelope envelope = new Envelope("ora/v1/hub/6f1c2b9e-5a9d-4e59-9d2f-2d6c9a1d7e11/in", new byte[] {0, -1, 7},
                1, "urn:ora:app:a", List.of(new Envelope.UserProperty("k", "v")), 42,
                Optional.of(connection.getRef()));
        Connection.Forward forward = (Connection.Forward) roundTrip(new Connection.Forward(envelope), DATA_PLANE);
        assertThat(forward.envelope().payload()).isEqualTo(envelope.payload());
        assertThat(forward.envelope()).usingRecursiveComparison().isEqualTo(envelope);
        for (DeliveryResult result : DeliveryResult.values()) {
            assertThat(roundTrip(new Connection.Outcome(42, result), DATA_PLANE))
                    .isEqualTo(new Connection.Outcome(42, result));
        }
    }

    private static Object roundTrip(Object message, String serializerName) {
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(node.system()));
        var serializer = serialization.findSerializerFor(message);
        assertThat(serializer.getClass().getSimpleName()).as(message.getClass().getName()).isEqualTo(serializerName);
        byte[] bytes = serialization.serialize(message).get();
        return serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, message))
                .get();
    }
}
