package io.ora.node.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shipped {@code logback.xml}, configured into a logger context of its own with the properties the node would
 * see (context properties, which logback looks up before system properties and the environment) and its one
 * console appender writing into a buffer: which format each mode and {@code ORA_LOG_FORMAT} give, and that only
 * the tracing ids of MDC reach a line.
 */
class LogFormatTest {

    private static final URL SHIPPED = LogFormatTest.class.getResource("/logback.xml");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What LogstashEncoder writes besides MDC, with caller data and context properties off. */
    private static final Set<String> JSON_FIELDS = Set.of("@timestamp", "@version", "message", "logger_name",
            "thread_name", "level", "level_value", "stack_trace");

    private final List<LoggerContext> contexts = new ArrayList<>();

    @AfterEach
    void stop() {
        contexts.forEach(LoggerContext::stop);
        MDC.clear();
    }

    @ParameterizedTest(name = "ORA_MODE={0} ORA_LOG_FORMAT={1} -> {2}")
    @CsvSource({
        "development, '', text",
        "production, '', json",
        "production, text, text",
        "development, json, json",
        "'', '', json",
        // An unknown format falls back to JSON rather than to no appender, which would lose every line.
        "development, yaml, json",
    })
    void theFormatFollowsTheModeUnlessNamed(String mode, String format, String expected) throws JoranException {
        Map<String, String> properties = new HashMap<>();
        properties.put("ORA_MODE", mode);
        properties.put("ORA_LOG_FORMAT", format);

        Console console = configure(properties);

        assertThat(console.appender().getEncoder()).isInstanceOf(expected.equals("json") ? LogstashEncoder.class
                : PatternLayoutEncoder.class);
    }

    @Test
    void productionWritesJsonLinesWithTheTracingIdsAndNoOtherMdc() throws JoranException {
        Console console = configure(Map.of("ORA_MODE", "production", "ORA_LOG_FORMAT", ""));
        MDC.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
        MDC.put("span_id", "00f067aa0ba902b7");
        // What a library might put there: Pekko's own keys, and worse.
        MDC.put("pekkoSource", "pekko://ora/user/hub-1");
        MDC.put("user_email", "jane.doe@example.com");

        console.logger().info("hub {} attached", "h-1");

        List<String> lines = console.lines();
        assertThat(lines).hasSize(1);
        JsonNode line = JSON.readTree(lines.get(0));
        assertThat(line.get("message").asString()).isEqualTo("hub h-1 attached");
        assertThat(line.get("level").asString()).isEqualTo("INFO");
        assertThat(line.get("trace_id").asString()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(line.get("span_id").asString()).isEqualTo("00f067aa0ba902b7");
        List<String> fields = new ArrayList<>(line.propertyNames());
        assertThat(fields).as("fields of the JSON line").contains("trace_id", "span_id")
                .allSatisfy(field -> assertThat(JSON_FIELDS.contains(field) || field.equals("trace_id")
                        || field.equals("span_id")).as(field).isTrue());
        assertThat(lines.get(0)).doesNotContain("pekkoSource", "jane.doe", "user_email");
    }

    @Test
    void productionLeavesTheIdsOutWhenTheyAreNotSet() throws JoranException {
        Console console = configure(Map.of("ORA_MODE", "production", "ORA_LOG_FORMAT", ""));
        MDC.put("pekkoSource", "pekko://ora/user/hub-1");

        console.logger().warn("no trace here");

        JsonNode line = JSON.readTree(console.lines().get(0));
        assertThat(line.has("trace_id")).isFalse();
        assertThat(line.has("span_id")).isFalse();
        assertThat(line.has("pekkoSource")).isFalse();
    }

    @Test
    void developmentWritesTextWithTheTracingIdsCompactlyAndOnlyWhenSet() throws JoranException {
        Console console = configure(Map.of("ORA_MODE", "development", "ORA_LOG_FORMAT", ""));
        MDC.put("pekkoSource", "pekko://ora/user/hub-1");

        console.logger().info("outside a trace");
        MDC.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
        MDC.put("span_id", "00f067aa0ba902b7");
        console.logger().info("inside a trace");

        List<String> lines = console.lines();
        assertThat(lines).hasSize(2);
        String time = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}";
        assertThat(lines.get(0)).matches(time + " INFO  \\[[^]]+\\] io\\.ora\\.test\\.Format - outside a trace");
        assertThat(lines.get(1)).matches(time + " INFO  \\[[^]]+\\] io\\.ora\\.test\\.Format"
                + " trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 - inside a trace");
        assertThat(String.join("\n", lines)).doesNotContain("pekko://");
    }

    @Test
    void theShippedLevelIsInfo() throws JoranException {
        Console console = configure(Map.of("ORA_MODE", "production", "ORA_LOG_FORMAT", ""));

        console.logger().debug("not shipped");

        assertThat(console.logger().getLoggerContext().getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel())
                .hasToString("INFO");
        assertThat(console.lines()).isEmpty();
    }

    private Console configure(Map<String, String> properties) throws JoranException {
        LoggerContext context = new LoggerContext();
        contexts.add(context);
        // The context SLF4J's MDC writes to, as the node's default context has it.
        context.setMDCAdapter(MDC.getMDCAdapter());
        properties.forEach(context::putProperty);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(SHIPPED);
        List<Status> problems = context.getStatusManager().getCopyOfStatusList().stream()
                .filter(status -> status.getLevel() >= Status.WARN).toList();
        assertThat(problems).as("logback's warnings and errors configuring the shipped file").isEmpty();

        List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
        Iterator<Appender<ILoggingEvent>> attached = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                .iteratorForAppenders();
        attached.forEachRemaining(appenders::add);
        assertThat(appenders).as("appenders of the root logger").hasSize(1);
        OutputStreamAppender<ILoggingEvent> appender = (OutputStreamAppender<ILoggingEvent>) appenders.get(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        appender.setOutputStream(out);
        return new Console(appender, context.getLogger("io.ora.test.Format"), out);
    }

    private record Console(OutputStreamAppender<ILoggingEvent> appender, Logger logger, ByteArrayOutputStream out) {
        List<String> lines() {
            String text = out.toString(StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : List.of(text.split("\n"));
        }
    }
}
