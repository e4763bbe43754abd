package io.ora.relay;

import static io.ora.relay.RelayTestKit.publishQos1;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.ora.core.telemetry.TelemetryIntake;
import io.ora.core.topic.Topics;
import io.ora.hubkit.PeerCredentials;
import io.ora.persistence.CapturedLogs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relayed payloads never reach a log line, at any level, on the happy path or on any refusal path: every logger
 * is opened to ALL while a distinctive payload travels, is refused, and arrives malformed, and while it goes to the
 * telemetry intake (which refuses it) from the hub itself and is refused there for anyone else.
 */
class NoPayloadInLogsIT {

    private static final String SECRET = "PAYLOAD-MARKER-" + UUID.randomUUID();

    @TempDir
    Path dir;

    @Test
    void noLogEventContainsAPayload() throws Exception {
        CapturedLogs logs = new CapturedLogs();
        byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
        TelemetryIntake refusing = (hub, payload) ->
                CompletableFuture.completedFuture(TelemetryIntake.Receipt.REJECTED);
        try (TestRelay relay = TestRelay.start(dir, refusing)) {
            UUID hubId = UUID.randomUUID();
            String appId = "app-" + UUID.randomUUID();
            relay.grant(appId, hubId);
            Mqtt5BlockingClient hub = RelayTestKit.connect(relay, relay.hub(hubId));
            Mqtt5BlockingClient app = RelayTestKit.connect(relay, relay.app(appId));
            String inbox = Topics.hubInbox(hubId);
            try (Mqtt5BlockingClient.Mqtt5Publishes received = hub.publishes(MqttGlobalPublishFilter.ALL)) {
                hub.subscribeWith().topicFilter(inbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
                publishQos1(app, inbox, secret);
                assertThat(received.receive(5, TimeUnit.SECONDS)).isPresent();
                publishQos1(app, Topics.hubInbox(UUID.randomUUID()), secret);
                publishQos1(app, "not/ours", secret);
                // An OTA status check ignores its payload, whoever sends it.
                publishQos1(hub, "ora/v1/hub/" + hubId + "/ota", secret);
                publishQos1(app, "ora/v1/hub/" + hubId + "/ota", secret);
                String telemetry = "ora/v1/hub/" + hubId + "/telemetry";
                publishQos1(hub, telemetry, secret);
                hub.publishWith().topic(telemetry).qos(MqttQos.AT_MOST_ONCE).payload(secret).send();
                publishQos1(app, telemetry, secret);
            }
            PeerCredentials rogue = relay.app("app-" + UUID.randomUUID());
            try (RawMqttClient raw = RawMqttClient.tls(rogue.sslContext(), relay.port())) {
                raw.connect(MqttVersion.MQTT_5, rogue.identity().urn(), 30);
                raw.send(MqttMessageBuilders.publish().topicName(inbox).qos(MqttQoS.EXACTLY_ONCE).messageId(3)
                        .payload(Unpooled.wrappedBuffer(secret)).build());
                raw.readUntilClosed(Duration.ofSeconds(5));
            }
            hub.disconnect();
            app.disconnect();
        } finally {
            logs.close();
        }

        assertThat(logs.texts()).isNotEmpty().noneMatch(text -> text.contains(SECRET));
    }
}
