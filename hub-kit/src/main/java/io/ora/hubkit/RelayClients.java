package io.ora.hubkit;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builders for MQTT clients that talk to the Ora relay the only way it accepts: TLS 1.3 with the peer's client
 * certificate, and the MQTT client id equal to the certificate's identity (DESIGN §3).
 */
public final class RelayClients {

    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private RelayClients() {
    }

    /** TLS 1.3 with the peer's certificate, trusting only the relay's CA. */
    public static MqttClientSslConfig tls(PeerCredentials credentials) {
        return MqttClientSslConfig.builder()
                .keyManagerFactory(credentials.keyManagers())
                .trustManagerFactory(credentials.trustManagers())
                .protocols(List.of("TLSv1.3"))
                .handshakeTimeout(HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .build();
    }

    /** An MQTT 5 client builder for {@code credentials}, not yet connected. */
    public static Mqtt5ClientBuilder mqtt5(PeerCredentials credentials, String host, int port) {
        return Mqtt5Client.builder()
                .identifier(credentials.identity().urn())
                .serverHost(host)
                .serverPort(port)
                .sslConfig(tls(credentials));
    }

    /** An MQTT 3.1.1 client builder for {@code credentials}, not yet connected. */
    public static Mqtt3ClientBuilder mqtt3(PeerCredentials credentials, String host, int port) {
        return Mqtt3Client.builder()
                .identifier(credentials.identity().urn())
                .serverHost(host)
                .serverPort(port)
                .sslConfig(tls(credentials));
    }
}
