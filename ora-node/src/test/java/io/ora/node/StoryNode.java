package io.ora.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.RelayClients;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.ora.persistence.Database;
import io.ora.persistence.StoredText;
import io.ora.persistence.TestDatabase;
import io.ora.persistence.TestRedis;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * One whole node for a story test, on the shared test PostgreSQL and Redis and free ports, with the MQTT clients the
 * story connects; closing it disconnects them and stops the node.
 */
final class StoryNode implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Node node;
    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();

    private StoryNode(Node node) {
        this.node = node;
    }

    static StoryNode start(Path home) throws IOException {
        return start(home, Map.of());
    }

    /** With {@code overrides} above the story's settings. */
    static StoryNode start(Path home, Map<String, Object> overrides) throws IOException {
        Config redis = TestRedis.config(ConfigFactory.empty());
        Map<String, Object> settings = NodeTestKit.config(home, TestPorts.free(), TestPorts.free());
        settings.putAll(overrides);
        settings.put("ora.redis.url", redis.getString("ora.redis.url"));
        settings.put("ora.redis.key-prefix", redis.getString("ora.redis.key-prefix"));
        return new StoryNode(Node.start(ConfigFactory.parseMap(settings), Map.of()));
    }

    Node node() {
        return node;
    }

    /** The portal's base URI. */
    String portal() {
        return "http://127.0.0.1:" + node.portal().orElseThrow().port();
    }

    int mqttPort() {
        return node.relay().orElseThrow().server().port();
    }

    /** A token from the node's development issuer, minted over its real token endpoint. */
    String token(String subject, String role, int authAgeSeconds) throws Exception {
        String form = "sub=" + subject + "&role=" + role + "&auth_age=" + authAgeSeconds;
        HttpResponse<String> minted = HTTP.send(HttpRequest.newBuilder(URI.create(portal() + "/dev-oidc/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(minted.statusCode()).isEqualTo(200);
        return JSON.readTree(minted.body()).get("access_token").asString();
    }

    /** An MQTT 5 client connected to the relay with {@code credentials}, disconnected when the story ends. */
    Mqtt5BlockingClient connect(PeerCredentials credentials) {
        Mqtt5BlockingClient client = RelayClients.mqtt5(credentials, "127.0.0.1", mqttPort()).buildBlocking();
        client.connect();
        clients.add(client);
        return client;
    }

    @Override
    public void close() {
        clients.forEach(client -> {
            if (client.getState().isConnected()) {
                client.disconnect();
            }
        });
        node.close();
    }

    /** Every text stored in any table of the test database. */
    static String storedText() throws SQLException {
        Database.Connection db = TestDatabase.connection();
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password())) {
            return StoredText.everything(c);
        }
    }

    /** Every key and value under the test prefix in the test Redis. */
    static String redisText() {
        StringBuilder all = new StringBuilder();
        RedisClient client = RedisClient.create(TestRedis.config(ConfigFactory.empty()).getString("ora.redis.url"));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            for (String key : TestRedis.keys()) {
                all.append(key).append('=');
                String type = connection.sync().type(key);
                all.append(switch (type) {
                    case "string" -> String.valueOf(connection.sync().get(key));
                    case "hash" -> String.valueOf(connection.sync().hgetall(key));
                    default -> type;
                }).append('\n');
            }
        } finally {
            client.shutdown();
        }
        return all.toString();
    }
}
