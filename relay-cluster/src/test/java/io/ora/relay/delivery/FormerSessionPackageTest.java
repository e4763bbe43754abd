package io.ora.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A node of the release before the package rename names these messages {@code io.ora.relay.session.…}: this one
 * reads them as the same messages, and names its own by their new class, without a version.
 */
class FormerSessionPackageTest {

    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void messagesNamedByTheFormerPackageAreReadAsTheCurrentOnes() throws Exception {
        TestProbe<Connection.Command> connection = KIT.createTestProbe();
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(KIT.system()));
        List<Object> messages = List.of(new Connection.Attached(), new Connection.TakenOver(),
                new Connection.Reattach(), new Connection.Stop(),
                new Location("urn:ora:hub:6f1c2b9e-5a9d-4e59-9d2f-2d6c9a1d7e11", connection.ref()));
        for (Object message : messages) {
            Serializer serializer = serialization.findSerializerFor(message);
            String manifest = Serializers.manifestFor(serializer, message);
            assertThat(manifest).isEqualTo(message.getClass().getName());
            byte[] bytes = serialization.serialize(message).get();
            String former = manifest.replace(FormerSessionPackage.CURRENT, FormerSessionPackage.FORMER);
            assertThat(serialization.deserialize(bytes, serializer.identifier(), former).get())
                    .as(former).isEqualTo(message);
        }
    }
}
