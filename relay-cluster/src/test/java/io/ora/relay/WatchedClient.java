package io.ora.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.RelayClients;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;

/** A connected HiveMQ MQTT 5 client that remembers why the server disconnected it, for refusal tests. */
record WatchedClient(Mqtt5BlockingClient client, AtomicReference<Throwable> cause) {

    /** Connects {@code credentials} to {@code node}, watching for a server-sent DISCONNECT. */
    static WatchedClient connect(TestRelay node, PeerCredentials credentials) {
        AtomicReference<Throwable> cause = new AtomicReference<>();
        Mqtt5BlockingClient client = RelayClients.mqtt5(credentials, "127.0.0.1", node.port())
                .addDisconnectedListener(context -> cause.set(context.getCause()))
                .buildBlocking();
        client.connect();
        return new WatchedClient(client, cause);
    }

    /** Waits (at most {@code timeout}) for the server's DISCONNECT and returns its reason code. */
    Mqtt5DisconnectReasonCode awaitDisconnect(Duration timeout) {
        Awaitility.await().atMost(timeout).until(() -> cause.get() != null);
        assertThat(cause.get()).isInstanceOf(Mqtt5DisconnectException.class);
        return ((Mqtt5DisconnectException) cause.get()).getMqttMessage().getReasonCode();
    }
}
