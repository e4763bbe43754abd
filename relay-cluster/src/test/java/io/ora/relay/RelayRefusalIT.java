package io.ora.relay;

import static io.ora.relay.RelayTestKit.publishQos1;
import static io.ora.relay.RelayTestKit.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.buffer.Unpooled;
import io.ora.core.identity.PeerId;
import io.ora.core.pki.CertificateAuthority;
import io.ora.core.pki.PeerCertificates;
import io.ora.core.topic.Topics;
import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.RelayClients;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every refusal the relay promises (docs/mqtt.md), each over a real TLS socket with a real client, and each counted.
 */
class RelayRefusalIT {

    @TempDir
    static Path dir;
    static TestRelay relay;

    @BeforeAll
    static void start() {
        relay = TestRelay.start(dir);
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    @Test
    void aClientWithoutACertificateFailsTheHandshake() throws Exception {
        PeerCredentials someone = relay.hub(UUID.randomUUID());
        SSLContext noKey = SSLContext.getInstance("TLSv1.3");
        noKey.init(null, someone.trustManagers().getTrustManagers(), null);
        long failedBefore = relay.metric("ora_relay_handshakes_total", "result", "failed");

        assertThat(connectRaw(noKey)).isEmpty();
        Awaitility.await().until(() -> relay.metric("ora_relay_handshakes_total", "result", "failed") > failedBefore);
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        CertificateAuthority stranger = CertificateAuthority.create("stranger", Duration.ofDays(1));
        KeyPair pair = CertificateAuthority.newKeyPair();
        PeerId hub = new PeerId.Hub(UUID.randomUUID());
        X509Certificate certificate = stranger.issuePeer(hub, pair.getPublic(), Duration.ofDays(1));
        PeerCredentials forged = new PeerCredentials(relay.hub(UUID.randomUUID()).ca(), List.of(certificate),
                pair.getPrivate());
        long before = relay.metric("ora_relay_certificates_refused_total", "reason", "untrusted");

        // hub-kit's key manager presents the certificate even though the server's CA list does not name its issuer.
        assertThat(connectRaw(forged.sslContext())).isEmpty();
        Awaitility.await().until(
                () -> relay.metric("ora_relay_certificates_refused_total", "reason", "untrusted") > before);
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        KeyPair pair = CertificateAuthority.newKeyPair();
        PeerId hub = new PeerId.Hub(UUID.randomUUID());
        X509Certificate expired = relay.pki().authority().issuePeer(hub, pair.getPublic(),
                Instant.now().minus(Duration.ofDays(10)), Instant.now().minus(Duration.ofDays(1)));
        PeerCredentials credentials = new PeerCredentials(relay.pki().authority().certificate(), List.of(expired),
                pair.getPrivate());

        assertRefusedAtHandshake(credentials, "expired");
    }

    @Test
    void aRevokedCertificateIsRefusedAtTheHandshake() throws Exception {
        PeerCredentials hub = relay.hub(UUID.randomUUID());
        relay.pki().revoke(PeerCertificates.serial(hub.chain().get(0)));
        relay.relay().server().reloadTls();

        assertRefusedAtHandshake(hub, "revoked");
    }

    @Test
    void revokingAConnectedPeerDisconnectsItWithinTheReloadInterval() throws Exception {
        PeerCredentials hub = relay.hub(UUID.randomUUID());
        WatchedClient client = WatchedClient.connect(relay, hub);

        relay.pki().revoke(PeerCertificates.serial(hub.chain().get(0)));

        assertThat(client.awaitDisconnect(Duration.ofSeconds(5))).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
        assertThat(relay.metric("ora_relay_connections_closed_total", "reason", "revoked")).isPositive();
    }

    @Test
    void tls12IsRefused() throws Exception {
        PeerCredentials hub = relay.hub(UUID.randomUUID());
        SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
        tls12.init(new KeyManager[] {hub.keyManager()}, hub.trustManagers().getTrustManagers(), null);

        assertThatThrownBy(() -> RawMqttClient.tls(tls12, relay.port(), "TLSv1.2"))
                .isInstanceOf(SSLException.class);
    }

    @Test
    void aClientIdOtherThanTheCertificateIdentityIsNotAuthorised() {
        PeerCredentials hub = relay.hub(UUID.randomUUID());
        Mqtt5BlockingClient client = RelayClients.mqtt5(hub, "127.0.0.1", relay.port())
                .identifier("urn:ora:hub:" + UUID.randomUUID()).buildBlocking();

        assertThatThrownBy(client::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class, refused ->
                assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
        assertThat(relay.metric("ora_relay_connections_closed_total", "reason", "client_id_mismatch")).isPositive();
    }

    @Test
    void anEmptyClientIdIsAssignedTheIdentity() {
        PeerCredentials hub = relay.hub(UUID.randomUUID());
        Mqtt5BlockingClient client = RelayClients.mqtt5(hub, "127.0.0.1", relay.port()).identifier("")
                .buildBlocking();

        var connAck = client.connect();

        assertThat(connAck.getAssignedClientIdentifier().map(Object::toString)).contains(hub.identity().urn());
        client.disconnect();
    }

    @Test
    void subscribingToAnotherPeersInboxIsRefused() {
        Mqtt5BlockingClient hub = RelayTestKit.connect(relay, relay.hub(UUID.randomUUID()));
        String foreign = Topics.hubInbox(UUID.randomUUID()) + "/#";
        try {
            assertThatThrownBy(() -> hub.subscribeWith().topicFilter(foreign).send())
                    .isInstanceOfSatisfying(Mqtt5SubAckException.class, refused ->
                            assertThat(refused.getMqttMessage().getReasonCodes())
                                    .containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));
        } finally {
            hub.disconnect();
        }
    }

    @Test
    void anUngrantedQos1PublishGetsNotAuthorised() {
        UUID hubId = UUID.randomUUID();
        Mqtt5BlockingClient app = RelayTestKit.connect(relay, relay.app("app-" + UUID.randomUUID()));
        long before = relay.metric("ora_relay_publishes_refused_total", "reason", "not_authorized");
        try {
            assertThat(publishQos1(app, Topics.hubInbox(hubId), randomBytes(8)))
                    .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
            assertThat(relay.metric("ora_relay_publishes_refused_total", "reason", "not_authorized"))
                    .isEqualTo(before + 1);
        } finally {
            app.disconnect();
        }
    }

    @Test
    void anUngrantedQos0PublishEndsAnMqtt5ConnectionWithNotAuthorised() {
        WatchedClient app = WatchedClient.connect(relay, relay.app("app-" + UUID.randomUUID()));

        app.client().publishWith().topic(Topics.hubInbox(UUID.randomUUID())).qos(MqttQos.AT_MOST_ONCE)
                .payload(randomBytes(8)).send();

        assertThat(app.awaitDisconnect(Duration.ofSeconds(10))).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void anUngrantedPublishEndsAnMqtt311Connection() throws Exception {
        PeerCredentials app = relay.app("app-" + UUID.randomUUID());
        MqttClient paho = paho(app);
        try {
            paho.publish(Topics.hubInbox(UUID.randomUUID()), randomBytes(8), 1, false);
        } catch (MqttException expectedOnClose) {
            // Paho may report the closed connection on the publish itself; either way it must be disconnected.
        }
        Awaitility.await().until(() -> !paho.isConnected());
        paho.close();
    }

    @Test
    void publishingToAnOfflineHubIsAnsweredNoMatchingSubscribers() {
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        relay.grant(appId, hubId);
        Mqtt5BlockingClient app = RelayTestKit.connect(relay, relay.app(appId));
        long before = relay.metric("ora_relay_deliveries_refused_total", "reason", "no_subscribers");
        try {
            assertThat(publishQos1(app, Topics.hubInbox(hubId), randomBytes(8)))
                    .isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
            assertThat(relay.metric("ora_relay_deliveries_refused_total", "reason", "no_subscribers"))
                    .isGreaterThan(before);
        } finally {
            app.disconnect();
        }
    }

    @Test
    void anOversizedPacketEndsAnMqtt5ConnectionWithPacketTooLarge() throws Exception {
        PeerCredentials app = relay.app("app-" + UUID.randomUUID());
        try (RawMqttClient raw = RawMqttClient.tls(app.sslContext(), relay.port())) {
            Optional<MqttMessage> connAck = raw.connect(MqttVersion.MQTT_5, app.identity().urn(), 30);
            assertThat(((MqttConnAckMessage) connAck.orElseThrow()).variableHeader().connectReturnCode())
                    .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);

            try {
                raw.send(MqttMessageBuilders.publish().topicName(Topics.hubInbox(UUID.randomUUID()))
                        .qos(MqttQoS.AT_MOST_ONCE).payload(Unpooled.wrappedBuffer(randomBytes(65 * 1024))).build());
            } catch (IOException closedWhileSending) {
                // The relay may close before the client has written the whole packet; that is the point.
            }

            // The DISCONNECT may be lost to the reset that follows the close (the EmbeddedChannel tests pin 0x95).
            List<MqttMessage> last = raw.readUntilClosed(Duration.ofSeconds(10));
            assertThat(last).allSatisfy(packet -> {
                assertThat(packet.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
                assertThat(((MqttReasonCodeAndPropertiesVariableHeader) packet.variableHeader()).reasonCode())
                        .isEqualTo((byte) 0x95);
            });
        }
        assertThat(relay.metric("ora_relay_connections_closed_total", "reason", "packet_too_large")).isPositive();
    }

    @Test
    void aNewerConnectionTakesOverTheSessionAndTheOlderIsToldSo() {
        PeerCredentials hub = relay.hub(UUID.randomUUID());
        WatchedClient first = WatchedClient.connect(relay, hub);
        Mqtt5BlockingClient second = RelayTestKit.connect(relay, hub);
        try {
            assertThat(first.awaitDisconnect(Duration.ofSeconds(10)))
                    .isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
            assertThat(second.getState()).isEqualTo(MqttClientState.CONNECTED);
        } finally {
            second.disconnect();
        }
    }

    private static void assertRefusedAtHandshake(PeerCredentials credentials, String reason) {
        long before = relay.metric("ora_relay_certificates_refused_total", "reason", reason);
        Mqtt5BlockingClient client = RelayClients.mqtt5(credentials, "127.0.0.1", relay.port()).buildBlocking();

        assertThatThrownBy(client::connect).isNotInstanceOf(Mqtt5ConnAckException.class);
        Awaitility.await().until(
                () -> relay.metric("ora_relay_certificates_refused_total", "reason", reason) > before);
    }

    private static Optional<MqttMessage> connectRaw(SSLContext context) throws Exception {
        try (RawMqttClient raw = RawMqttClient.tls(context, relay.port())) {
            return raw.connect(MqttVersion.MQTT_3_1_1, "", 30);
        } catch (SSLException refused) {
            return Optional.empty();
        }
    }

    static MqttClient paho(PeerCredentials credentials) throws MqttException {
        MqttClient paho = new MqttClient("ssl://127.0.0.1:" + relay.port(), credentials.identity().urn(),
                new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setSocketFactory(credentials.sslContext().getSocketFactory());
        options.setAutomaticReconnect(false);
        paho.connect(options);
        return paho;
    }
}
