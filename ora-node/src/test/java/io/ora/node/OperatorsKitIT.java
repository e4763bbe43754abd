package io.ora.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.ora.persistence.TestRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The operators' kit in {@code ops/} holds together: the Grafana dashboard is a dashboard whose every panel queries
 * something, the alert rules are rules with an expression, a duration, a severity and a summary, and every metric
 * either names is on a running node's {@code /metrics} (a renamed metric would otherwise leave a panel empty and an
 * alert silent, unnoticed until it was needed).
 */
class OperatorsKitIT {

    private static final Path OPS = Path.of("..", "ops");
    private static final Pattern METRIC = Pattern.compile("\\b((?:ora|jvm|process|system)_[a-z0-9_]+)\\b");
    private static final Pattern HISTOGRAM_PART = Pattern.compile("(.+_seconds)_(bucket|count|sum)");

    @TempDir
    Path home;

    @Test
    void theDashboardIsADashboardThatQueriesSomethingInEveryPanel() throws Exception {
        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(OPS.resolve(
                "grafana/ora-node.json")));
        assertThat(dashboard.get("uid").asString()).isEqualTo("ora-node");
        int panels = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            if (panel.get("type").asString().equals("row")) {
                continue;
            }
            panels++;
            assertThat(panel.get("targets")).as(panel.get("title").asString()).isNotEmpty();
            panel.get("targets").forEach(target -> assertThat(target.get("expr").asString()).isNotBlank());
        }
        assertThat(panels).isGreaterThanOrEqualTo(15);
    }

    @Test
    void everyAlertRuleIsComplete() throws Exception {
        JsonNode rules = new YAMLMapper().readTree(Files.readString(OPS.resolve("prometheus/ora-alerts.yml")));
        List<String> names = new ArrayList<>();
        for (JsonNode group : rules.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                names.add(rule.get("alert").asString());
                assertThat(rule.get("expr").asString()).isNotBlank();
                assertThat(rule.get("for").asString()).matches("[0-9]+[smh]");
                assertThat(rule.get("labels").get("severity").asString()).isIn("warning", "critical");
                assertThat(rule.get("annotations").get("summary").asString()).isNotBlank();
            }
        }
        assertThat(names).doesNotHaveDuplicates().contains("OraNodeDown", "OraHandshakeFailures",
                "OraConnectionRefusalBurst", "OraIngestBacklog", "OraDatabaseUnavailable", "OraRedisUnavailable");
    }

    @Test
    void everyMetricTheKitNamesIsOnARunningNode() throws Exception {
        Set<String> named = new TreeSet<>();
        named.addAll(metrics(Files.readString(OPS.resolve("grafana/ora-node.json"))));
        named.addAll(metrics(Files.readString(OPS.resolve("prometheus/ora-alerts.yml"))));
        assertThat(named).hasSizeGreaterThan(30);

        Map<String, Object> settings = NodeTestKit.config(home, TestPorts.free(), TestPorts.free());
        settings.put("ora.redis.url", TestRedis.config(ConfigFactory.empty()).getString("ora.redis.url"));
        settings.put("ora.redis.key-prefix", TestRedis.config(ConfigFactory.empty()).getString("ora.redis.key-prefix"));
        try (Node node = Node.start(ConfigFactory.parseMap(settings), Map.of())) {
            HttpClient http = HttpClient.newHttpClient();
            // A portal request: its latency series are made per route, on first use.
            URI portalHealth = URI.create("http://127.0.0.1:" + node.portal().orElseThrow().port() + "/v1/health");
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(portalHealth).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            // GC pauses are recorded from the first collection on.
            System.gc();
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String exposed = NodeTestKit.get(http, node.managementUri() + "/metrics").body();
                assertThat(named).allSatisfy(metric -> assertThat(exposed).as(metric).containsPattern(
                        "(?m)^" + Pattern.quote(exposed(metric)) + "[{ ]"));
            });
        }
    }

    private static Set<String> metrics(String text) {
        Set<String> found = new TreeSet<>();
        Matcher matcher = METRIC.matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    /** The series that proves a metric is there: a timer's count for any of its parts (the JVM's have no buckets). */
    private static String exposed(String metric) {
        Matcher part = HISTOGRAM_PART.matcher(metric);
        return part.matches() ? part.group(1) + "_count" : metric;
    }
}
