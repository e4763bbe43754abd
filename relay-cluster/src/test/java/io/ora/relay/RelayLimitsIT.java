package io.ora.relay;

import static io.ora.relay.RelayTestKit.publishQos1;
import static io.ora.relay.RelayTestKit.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.ora.core.identity.PeerId;
import io.ora.core.pki.CertificateAuthority;
import io.ora.core.pki.Pem;
import io.ora.core.topic.Topics;
import io.ora.hubkit.PeerCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DoS guards and flow-control limits, each with its config key, its counter and a real socket. Each test runs
 * its own node configured tight for the limit it proves.
 */
class RelayLimitsIT {

    @TempDir
    Path dir;

    @Test
    void connectionsBeyondThePerIpAcceptRateAreRefusedBeforeTls() throws IOException {
        try (TestRelay relay = start(Map.of("ora.relay.limits.accept-rate-per-ip", 3))) {
            List<RawMqttClient> sockets = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                sockets.add(RawMqttClient.plain(relay.port()));
            }
            Awaitility.await().until(() -> relay.metric("ora_relay_connections_refused_total", "reason",
                    "accept_rate_ip") >= 1);
            for (RawMqttClient socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void connectionsBeyondTheNodeWideAcceptRateAreRefused() throws IOException {
        try (TestRelay relay = start(Map.of("ora.relay.limits.accept-rate", 2))) {
            List<RawMqttClient> sockets = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sockets.add(RawMqttClient.plain(relay.port()));
            }
            Awaitility.await().until(() -> relay.metric("ora_relay_connections_refused_total", "reason",
                    "accept_rate") >= 1);
            for (RawMqttClient socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void connectionsBeyondMaxConnectionsAreRefused() throws Exception {
        try (TestRelay relay = start(Map.of("ora.relay.limits.max-connections", 2))) {
            Mqtt5BlockingClient first = RelayTestKit.connect(relay, relay.hub(UUID.randomUUID()));
            Mqtt5BlockingClient second = RelayTestKit.connect(relay, relay.hub(UUID.randomUUID()));
            try (RawMqttClient third = RawMqttClient.plain(relay.port())) {
                assertThat(third.read(Duration.ofSeconds(5))).isEmpty();
            }
            assertThat(relay.metric("ora_relay_connections_refused_total", "reason", "max_connections"))
                    .isEqualTo(1);
            first.disconnect();
            second.disconnect();
        }
    }

    @Test
    void aClientThatNeverCompletesTlsIsClosedAfterTheHandshakeTimeout() throws IOException {
        try (TestRelay relay = start(Map.of("ora.relay.tls.handshake-timeout", "500ms"));
             RawMqttClient silent = RawMqttClient.plain(relay.port())) {
            assertThat(silent.read(Duration.ofSeconds(5))).isEmpty();
            Awaitility.await().until(() -> relay.metric("ora_relay_handshakes_total", "result", "timeout") == 1);
        }
    }

    @Test
    void aClientThatNeverSendsConnectIsClosedAfterTheConnectTimeout() throws IOException {
        try (TestRelay relay = start(Map.of("ora.relay.mqtt.connect-timeout", "500ms"))) {
            PeerCredentials hub = relay.hub(UUID.randomUUID());
            try (RawMqttClient silent = RawMqttClient.tls(hub.sslContext(), relay.port())) {
                assertThat(silent.read(Duration.ofSeconds(5))).isEmpty();
            }
            assertThat(relay.metric("ora_relay_connections_closed_total", "reason", "connect_timeout"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aSilentPeerIsDisconnectedAfterOneAndAHalfKeepAlives() throws IOException {
        try (TestRelay relay = start(Map.of())) {
            PeerCredentials hub = relay.hub(UUID.randomUUID());
            try (RawMqttClient raw = RawMqttClient.tls(hub.sslContext(), relay.port())) {
                long connecting = System.nanoTime();
                MqttMessage connAck = raw.connect(MqttVersion.MQTT_5, hub.identity().urn(), 1).orElseThrow();
                assertThat(((MqttConnAckMessage) connAck).variableHeader().connectReturnCode())
                        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);

                Optional<MqttMessage> disconnect = raw.read(Duration.ofSeconds(10));

                // The timer starts when CONNECT arrives, so 1.5 s can only have passed since it was sent.
                long silentMillis = (System.nanoTime() - connecting) / 1_000_000;
                assertThat(disconnect).hasValueSatisfying(packet -> {
                    assertThat(packet.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
                    assertThat(((MqttReasonCodeAndPropertiesVariableHeader) packet.variableHeader()).reasonCode())
                            .isEqualTo((byte) 0x8D);
                });
                assertThat(silentMillis).isBetween(1500L, 5000L);
            }
            assertThat(relay.metric("ora_relay_connections_closed_total", "reason", "keep_alive_timeout"))
                    .isEqualTo(1);
        }
    }

    @Test
    void publishesBeyondThePeersRateAreRefusedWithQuotaExceeded() {
        try (TestRelay relay = start(Map.of("ora.relay.limits.publish-rate", 2,
                "ora.relay.limits.publish-burst", 3))) {
            UUID hubId = UUID.randomUUID();
            String appId = "app-" + UUID.randomUUID();
            relay.grant(appId, hubId);
            Mqtt5BlockingClient app = RelayTestKit.connect(relay, relay.app(appId));
            List<Mqtt5PubAckReasonCode> codes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                codes.add(publishQos1(app, Topics.hubInbox(hubId), randomBytes(8)));
            }
            assertThat(codes).contains(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
            assertThat(relay.metric("ora_relay_publishes_refused_total", "reason", "rate_limited")).isPositive();
            app.disconnect();
        }
    }

    @Test
    void aReceiverThatDoesNotAcknowledgeFillsItsWindowAndFurtherDeliveriesAreRefused() throws Exception {
        try (TestRelay relay = start(Map.of("ora.relay.limits.inflight-window", 2))) {
            UUID hubId = UUID.randomUUID();
            String appId = "app-" + UUID.randomUUID();
            String otherAppId = "app-" + UUID.randomUUID();
            relay.grant(appId, hubId);
            relay.grant(otherAppId, hubId);
            Mqtt5BlockingClient hub = RelayTestKit.connect(relay, relay.hub(hubId));
            String inbox = Topics.hubInbox(hubId);
            // Manual acknowledgement: the hub receives but never sends PUBACK.
            try (Mqtt5BlockingClient.Mqtt5Publishes held = hub.publishes(MqttGlobalPublishFilter.ALL, true)) {
                hub.subscribeWith().topicFilter(inbox + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
                Mqtt5BlockingClient app = RelayTestKit.connect(relay, relay.app(appId));
                app.toAsync().publishWith().topic(inbox).qos(MqttQos.AT_LEAST_ONCE).payload(randomBytes(8)).send();
                app.toAsync().publishWith().topic(inbox).qos(MqttQos.AT_LEAST_ONCE).payload(randomBytes(8)).send();
                assertThat(held.receive(5, TimeUnit.SECONDS)).isPresent();
                assertThat(held.receive(5, TimeUnit.SECONDS)).isPresent();

                Mqtt5BlockingClient other = RelayTestKit.connect(relay, relay.app(otherAppId));
                assertThat(publishQos1(other, inbox, randomBytes(8))).isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
                // The refusal is counted on the thread that refused, which may run after the PUBACK is written.
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> relay.metric(
                        "ora_relay_deliveries_refused_total", "reason", "quota_exceeded") >= 1);
                assertThat(relay.metric("ora_relay_deliveries_refused_total", "reason", "quota_exceeded"))
                        .isEqualTo(1);
                other.disconnect();
                app.disconnect();
            }
            hub.disconnect();
        }
    }

    @Test
    void aReceiverThatStopsReadingIsDisconnectedAsASlowConsumer() throws Exception {
        // Load shedding off: this JVM is shared with the rest of the suite and the test sends megabytes; a node
        // shedding would refuse the QoS 0 deliveries before writing them, so the receiver would never fill up.
        try (TestRelay relay = start(Map.of("ora.relay.limits.slow-consumer-timeout", "1s",
                "ora.relay.limits.publish-rate", 100000, "ora.relay.limits.publish-burst", 100000,
                "ora.relay.limits.inbound-rate", 100000, "ora.relay.limits.inbound-burst", 100000,
                "ora.relay.limits.heap-shed-threshold", 1.0))) {
            UUID hubId = UUID.randomUUID();
            String appId = "app-" + UUID.randomUUID();
            relay.grant(appId, hubId);
            PeerCredentials hub = relay.hub(hubId);
            String inbox = Topics.hubInbox(hubId);
            try (RawMqttClient stuck = RawMqttClient.tls(hub.sslContext(), relay.port())) {
                stuck.connect(MqttVersion.MQTT_3_1_1, hub.identity().urn(), 60).orElseThrow();
                stuck.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_MOST_ONCE,
                        inbox + "/#").build());
                stuck.read(Duration.ofSeconds(5)).orElseThrow();
                // From here on the hub never reads: the relay's write buffer for it fills up.
                Mqtt5BlockingClient app = RelayTestKit.connect(relay, relay.app(appId));
                byte[] payload = randomBytes(60 * 1024);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (int i = 0; i < 50; i++) {
                        app.publishWith().topic(inbox).qos(MqttQos.AT_MOST_ONCE).payload(payload).send();
                    }
                    return relay.metric("ora_relay_connections_closed_total", "reason", "slow_consumer") == 1;
                });
                assertThat(relay.metric("ora_relay_deliveries_refused_total", "reason", "quota_exceeded"))
                        .isPositive();
                app.disconnect();
            }
        }
    }

    @Test
    void aNodeAboveItsHeapThresholdShedsNewConnections() throws IOException {
        try (TestRelay relay = start(Map.of("ora.relay.limits.heap-shed-threshold", 0.000001,
                "ora.relay.limits.heap-check-interval", "50ms"))) {
            // The watch reads heap still live after the last collection, so one collection must have happened.
            System.gc();
            Awaitility.await().until(() -> relay.metrics().value("ora_relay_load_shedding") == 1);
            try (RawMqttClient refused = RawMqttClient.plain(relay.port())) {
                assertThat(refused.read(Duration.ofSeconds(5))).isEmpty();
            }
            assertThat(relay.metric("ora_relay_connections_refused_total", "reason", "load_shed")).isPositive();
        }
    }

    @Test
    void aRotatedServerCertificateIsServedWithoutARestart() throws Exception {
        try (TestRelay relay = start(Map.of())) {
            PeerCredentials hub = relay.hub(UUID.randomUUID());
            Mqtt5BlockingClient before = RelayTestKit.connect(relay, hub);
            KeyPair pair = CertificateAuthority.newKeyPair();
            X509Certificate rotated = relay.pki().authority().issueServer(List.of("localhost"),
                    List.of("127.0.0.1"), pair.getPublic(), Duration.ofDays(1));
            Pem.write(relay.pki().serverKey(), Pem.privateKey(pair.getPrivate()), true);
            Pem.write(relay.pki().serverCertificate(), Pem.certificates(List.of(rotated)), false);

            Awaitility.await().until(() -> relay.metric("ora_relay_tls_reloads_total", "result", "ok") >= 1);
            try (RawMqttClient fresh = RawMqttClient.tls(hub.sslContext(), relay.port())) {
                assertThat(fresh.serverCertificate()).isEqualTo(rotated);
            }
            assertThat(before.getState().isConnected()).as("existing sessions survive a rotation").isTrue();
            before.disconnect();
        }
    }

    @Test
    void aCaAddedToTheTrustFileIsTrustedWithoutARestartAndARemovedOneNoLonger() throws Exception {
        try (TestRelay relay = start(Map.of())) {
            X509Certificate oldCa = relay.pki().authority().certificate();
            PeerCredentials oldPeer = relay.hub(UUID.randomUUID());
            CertificateAuthority next = CertificateAuthority.create("next device CA", Duration.ofDays(1));
            KeyPair pair = CertificateAuthority.newKeyPair();
            X509Certificate issued = next.issuePeer(new PeerId.Hub(UUID.randomUUID()),
                    pair.getPublic(), Duration.ofDays(1));
            PeerCredentials newPeer = new PeerCredentials(oldCa, List.of(issued), pair.getPrivate());
            try (RawMqttClient refused = RawMqttClient.tls(newPeer.sslContext(), relay.port())) {
                assertThat(refused.connect(MqttVersion.MQTT_3_1_1, "", 30)).isEmpty();
            }

            Pem.write(relay.pki().caCertificate(), Pem.certificates(List.of(oldCa, next.certificate())), false);
            Awaitility.await().until(() -> relay.metric("ora_relay_tls_reloads_total", "result", "ok") >= 1);
            RelayTestKit.connect(relay, newPeer).disconnect();
            RelayTestKit.connect(relay, oldPeer).disconnect();

            Pem.write(relay.pki().caCertificate(), Pem.certificates(List.of(next.certificate())), false);
            Awaitility.await().until(() -> relay.metric("ora_relay_tls_reloads_total", "result", "ok") >= 2);
            try (RawMqttClient retired = RawMqttClient.tls(oldPeer.sslContext(), relay.port())) {
                assertThat(retired.connect(MqttVersion.MQTT_3_1_1, "", 30)).isEmpty();
            }
        }
    }

    private TestRelay start(Map<String, Object> overrides) {
        return TestRelay.start(dir, overrides, null);
    }
}
