package io.ora.node;

import static io.ora.node.NodeTestKit.config;
import static io.ora.node.NodeTestKit.credentials;
import static io.ora.node.NodeTestKit.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.typesafe.config.ConfigFactory;
import io.ora.core.identity.PeerId;
import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.RelayClients;
import io.ora.node.cli.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole node as {@code java -jar ora-node.jar} starts it, in this JVM. */
class NodeIT {

    @TempDir
    Path home;

    @Test
    void startsServesAndStopsCleanlyWithinTenSeconds() throws Exception {
        Node node = Node.start(ConfigFactory.parseMap(config(home, TestPorts.free(), TestPorts.free())), Map.of());
        int mqttPort = node.relay().orElseThrow().server().port();
        assertThat(Files.exists(home.resolve("pki/ca.crt"))).as("dev CA generated on first start").isTrue();

        HttpClient http = HttpClient.newHttpClient();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> get(http, node.managementUri() + "/ready")
                .statusCode() == 200);
        assertThat(get(http, node.managementUri() + "/alive").statusCode()).isEqualTo(200);
        assertThat(get(http, node.managementUri() + "/cluster/members").body()).contains("\"status\":\"Up\"");
        assertThat(get(http, node.managementUri() + "/cluster/shards/Hub").statusCode()).isEqualTo(200);
        assertThat(get(http, "http://127.0.0.1:" + node.portal().orElseThrow().port() + "/v1/health").body())
                .contains("\"up\"");

        // The CLI mints with the node's development issuer (key and URL from this home); the node accepts it.
        String portal = "http://127.0.0.1:" + node.portal().orElseThrow().port();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Cli cli = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), System.err,
                ConfigFactory.parseMap(config(home, 0, 0)));
        assertThat(cli.run(List.of("token", "--sub", "sparky-1", "--role", "electrician,operator", "--auth-age",
                "600", "--acr", "urn:voltex:mfa"))).isZero();
        String token = out.toString(StandardCharsets.UTF_8).trim();
        HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create(portal + "/v1/me"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.body()).contains("\"electrician\"").contains("\"operator\"");
        String claims = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        long authTime = Long.parseLong(claims.replaceAll(".*\"auth_time\":(\\d+).*", "$1"));
        assertThat(Instant.now().getEpochSecond() - authTime).isBetween(595L, 660L);
        assertThat(claims).contains("\"acr\":\"urn:voltex:mfa\"").contains("\"sub\":\"sparky-1\"");
        assertThat(cli.run(List.of("token", "--sub", "x", "--role", "king"))).isEqualTo(Cli.USAGE);

        PeerCredentials hub = credentials(home, new PeerId.Hub(UUID.randomUUID()));
        AtomicReference<Throwable> cause = new AtomicReference<>();
        Mqtt5BlockingClient client = RelayClients.mqtt5(hub, "127.0.0.1", mqttPort)
                .addDisconnectedListener(context -> cause.set(context.getCause())).buildBlocking();
        client.connect();
        Awaitility.await().until(() -> get(http, node.managementUri() + "/metrics").body()
                .contains("ora_relay_connections 1"));

        long stopping = System.nanoTime();
        node.close();
        long stopMillis = (System.nanoTime() - stopping) / 1_000_000;

        assertThat(stopMillis).isLessThan(10_000);
        Awaitility.await().until(() -> cause.get() != null);
        assertThat(((Mqtt5DisconnectException) cause.get()).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.SERVER_SHUTTING_DOWN);
        assertThat(node.system().whenTerminated().isCompleted()).isTrue();
    }
}
