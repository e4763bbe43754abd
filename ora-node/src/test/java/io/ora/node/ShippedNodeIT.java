package io.ora.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ora.persistence.Database;
import io.ora.persistence.RawHttp;
import io.ora.persistence.ServerRefusal;
import io.ora.persistence.TestDatabase;
import io.ora.persistence.TestRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shipped artifact, running: {@code java -jar ora-node.jar} in its own process on the test PostgreSQL and Redis,
 * with its shipped configuration and nothing but ports, stores and one lowered limit set from outside. What module
 * tests cannot show is checked here: that the portal's per-address limits are per address (clients on 127.0.0.2 and
 * 127.0.0.3), that the server's own refusals are problems, and that the jar exports traces and metrics over OTLP
 * (everything the exporters need at run time is in it, which a module's test classpath cannot prove).
 */
class ShippedNodeIT {

    /** Lowered so the test spends a budget in a few requests; the keying under test is the shipped code's. */
    private static final int SENSITIVE_PER_ADDRESS = 3;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Path home;
    private static Path log;
    private static Process node;
    private static int http;
    private static OtlpReceiver otlp;

    @BeforeAll
    static void startTheJar() throws IOException {
        home = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "shipped-node");
        log = home.resolve("node.log");
        http = TestPorts.free();
        otlp = new OtlpReceiver();
        Database.Connection db = TestDatabase.connection();
        Config redis = TestRedis.config(ConfigFactory.empty());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx384m",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Dora.portal.rate-limits.classes.sensitive.per-ip.capacity=" + SENSITIVE_PER_ADDRESS,
                "-Dora.portal.rate-limits.classes.sensitive.per-ip.period=1h",
                "-jar", System.getProperty("ora.test.node-jar")));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("ORA_HOME", home.resolve("home").toString());
        env.put("ORA_DB_URL", db.url());
        env.put("ORA_DB_USER", db.user());
        env.put("ORA_DB_PASSWORD", db.password());
        env.put("ORA_DB_POOL_SIZE", "3");
        env.put("ORA_REDIS_URL", redis.getString("ora.redis.url"));
        env.put("ORA_REDIS_KEY_PREFIX", redis.getString("ora.redis.key-prefix"));
        env.put("ORA_HTTP_HOST", "127.0.0.1");
        env.put("ORA_HTTP_PORT", String.valueOf(http));
        env.put("ORA_DEVICE_HTTPS_PORT", String.valueOf(TestPorts.free()));
        env.put("ORA_MQTT_HOST", "127.0.0.1");
        env.put("ORA_MQTT_PORT", String.valueOf(TestPorts.free()));
        env.put("ORA_CLUSTER_PORT", String.valueOf(TestPorts.free()));
        env.put("ORA_MANAGEMENT_PORT", String.valueOf(TestPorts.free()));
        env.put("ORA_OTLP_ENDPOINT", otlp.endpoint());
        env.put("ORA_OTLP_METRICS_STEP", "1s");
        env.put("ORA_TRACE_SAMPLER", "always");
        node = builder.start();
        // The banner is printed once every role of the node is serving.
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> {
            assertThat(node.isAlive()).as("the node is running (see %s)", log).isTrue();
            return Files.readString(log, StandardCharsets.UTF_8).contains("Ora node up");
        });
    }

    @AfterAll
    static void stopTheJar() throws InterruptedException {
        if (node != null) {
            node.destroy();
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (otlp != null) {
            otlp.close();
        }
    }

    @Test
    void theJarExportsTracesAndMetrics() throws Exception {
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http
                + "/v1/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(otlp.spans()).anyMatch(span -> span.name().equals("GET /v1/health"));
            assertThat(otlp.metricNames()).contains("ora_relay_connections", "jvm.memory.used");
        });
    }

    @Test
    void perAddressLimitsArePerAddress() {
        String path = "/v1/projects/" + UUID.randomUUID() + "/project-key";
        for (int i = 0; i < SENSITIVE_PER_ADDRESS; i++) {
            // A new account each time: only the address's bucket empties.
            assertThat(get("127.0.0.2", path, token()).status()).as("request %s", i).isEqualTo(404);
        }
        assertThat(get("127.0.0.2", path, token()).status()).isEqualTo(429);
        assertThat(get("127.0.0.3", path, token()).status()).as("another address").isEqualTo(404);
    }

    @Test
    void theServersOwnRefusalsAreProblems() {
        for (ServerRefusal refusal : ServerRefusal.to("/v1/projects")) {
            RawHttp.Response answer = RawHttp.exchange(http, refusal.head());
            assertThat(answer.status()).as(refusal.name()).isEqualTo(refusal.status());
            assertThat(answer.contentType()).as(refusal.name()).startsWith("application/problem+json");
            assertThat(answer.text()).as(refusal.name()).doesNotContain(ServerRefusal.MARKER);
        }
    }

    /** A homeowner token from the node's development issuer. */
    private static String token() {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/dev-oidc/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("sub=owner-" + UUID.randomUUID() + "&role=homeowner"))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return JSON.readTree(response.body()).get("access_token").asString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A GET from {@code localAddress} over a socket bound to it. */
    private static RawHttp.Response get(String localAddress, String path, String token) {
        String head = "GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                + "\r\nConnection: close\r\n";
        return RawHttp.exchange(RawHttp.connectFrom(localAddress, http), head.getBytes(StandardCharsets.ISO_8859_1),
                new byte[0]);
    }
}
