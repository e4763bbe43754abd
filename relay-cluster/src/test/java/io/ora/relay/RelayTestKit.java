package io.ora.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.RelayClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.pattern.StatusReply;

/**
 * What the relay's socket tests do to a {@link TestRelay} node from the outside: connect real clients (HiveMQ MQTT 5,
 * the mosquitto command-line clients), publish and read the PUBACK's reason code, make random payloads. One place,
 * so a test class holds tests only and no test imports another test class.
 */
final class RelayTestKit {

    /** The relay's answer to a hub's OTA check when nothing holds the hub back. */
    static final String NONE = "{\"ota\":\"none\"}";
    /** The relay's answer to a hub's OTA check while the hub is locked for a handover. */
    static final String WAIT = "{\"ota\":\"wait\",\"reason\":\"pending_handover\"}";
    /** What a relay without an OTA desk (a node without the portal role) answers an unlocked hub. */
    static final String UNAVAILABLE = "{\"ota\":\"wait\",\"reason\":\"unavailable\"}";

    private static final SecureRandom RANDOM = new SecureRandom();

    private RelayTestKit() {
    }

    /** A connected HiveMQ MQTT 5 client for {@code credentials} on {@code node}. */
    static Mqtt5BlockingClient connect(TestRelay node, PeerCredentials credentials) {
        Mqtt5BlockingClient client = RelayClients.mqtt5(credentials, "127.0.0.1", node.port()).buildBlocking();
        client.connect();
        return client;
    }

    /** A mosquitto client command line speaking MQTT 3.1.1 to {@code node} with the credentials in a directory. */
    static List<String> mosquitto(TestRelay node, String command, Path credentials, String identity,
                                  String... rest) {
        List<String> args = new ArrayList<>(List.of(command, "-h", "127.0.0.1", "-p", String.valueOf(node.port()),
                "--cafile", credentials.resolve("ca.crt").toString(),
                "--cert", credentials.resolve("client.crt").toString(),
                "--key", credentials.resolve("client.key").toString(),
                "--tls-version", "tlsv1.3", "-V", "mqttv311", "-i", identity));
        args.addAll(List.of(rest));
        return args;
    }

    /** The reason code of a QoS 1 publish's PUBACK. */
    static Mqtt5PubAckReasonCode pubAckCode(Mqtt5PublishResult result) {
        return ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getReasonCode();
    }

    /** Publishes at QoS 1 and returns the PUBACK reason code (HiveMQ throws for error codes; this returns them). */
    static Mqtt5PubAckReasonCode publishQos1(Mqtt5BlockingClient client, String topic, byte[] payload) {
        try {
            return pubAckCode(client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send());
        } catch (Mqtt5PubAckException refused) {
            return refused.getMqttMessage().getReasonCode();
        }
    }

    /** {@code size} random bytes: a payload no test could mistake for another. */
    static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** Whether {@code command} is an executable on the PATH (the mosquitto tests are skipped without it). */
    static boolean onPath(String command) {
        for (String dirName : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dirName, command))) {
                return true;
            }
        }
        return false;
    }

    /**
     * One OTA check at QoS 1 by an MQTT 5 hub subscribed to its inbox: the PUBACK is a success once the answer has
     * reached the hub, and the answer comes from the relay. Returns the answer's JSON.
     */
    static String checkOta(Mqtt5BlockingClient hub, Mqtt5BlockingClient.Mqtt5Publishes inbox, UUID hubId)
            throws InterruptedException {
        assertThat(publishQos1(hub, otaTopic(hubId), "check".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        Mqtt5Publish answer = inbox.receive(5, TimeUnit.SECONDS).orElseThrow();
        assertThat(answer.getTopic().toString()).isEqualTo(Topics.otaStatus(new PeerId.Hub(hubId)));
        assertThat(answer.getUserProperties().asList())
                .extracting(p -> p.getName().toString() + "=" + p.getValue().toString())
                .containsExactly("ora-sender=urn:ora:relay");
        return new String(answer.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    /** The topic a hub publishes its OTA check to. */
    static String otaTopic(UUID hub) {
        return "ora/v1/hub/" + hub + "/ota";
    }

    /** Asserts a lock command was acknowledged, showing the refusal if it was not. */
    static void assertAck(StatusReply<Done> reply) {
        assertThat(reply.isSuccess()).as(() -> reply.isError() ? reply.getError().getMessage() : "").isTrue();
    }
}
