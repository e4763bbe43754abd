package io.ora.node.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sentry.Sentry;
import io.sentry.logback.SentryAppender;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;

/**
 * Error reports as a Sentry server receives them: {@link ErrorReporting} started from the node's own configuration
 * with a DSN naming {@link FakeSentry}, an error made to carry a customer's name, an email address, an AccessKey
 * code and a token in every place it can (exception message and cause, log arguments, MDC, the thread's name),
 * and the envelope that arrives read byte by byte for them.
 */
class SentryReportingIT {

    private static final String CUSTOMER = "Jane Doe-Okafor";
    private static final String EMAIL = "jane.doe@example.com";
    private static final String ACCESS_KEY = "7K3QF-9XW2D-MP4RT-VZ8NC-HJ6EB";
    private static final String TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJqYW5lIn0.c2lnbmF0dXJlLW9mLWphbmU";
    private static final List<String> SECRETS = List.of(CUSTOMER, EMAIL, ACCESS_KEY, TOKEN);

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN_ID = "00f067aa0ba902b7";

    private static final String TEMPLATE = "could not store the handover of {} with key {} (token {})";

    /** What an event may hold at its top level once the allow-list has run. */
    private static final Set<String> EVENT_FIELDS = Set.of("event_id", "timestamp", "level", "logger", "release",
            "environment", "platform", "message", "tags", "contexts", "exception", "threads");

    private static final Logger LOG = LoggerFactory.getLogger("io.ora.test.Handover");

    private FakeSentry sentry;
    private ErrorReporting reporting;

    @BeforeEach
    void startServer() throws Exception {
        sentry = new FakeSentry();
    }

    @AfterEach
    void stop() {
        if (reporting != null) {
            reporting.close();
        }
        sentry.close();
        MDC.clear();
    }

    @Test
    void anErrorLogEventArrivesWithReleaseEnvironmentAndTraceIdAndNothingElse() throws Exception {
        Config config = config(sentry.dsn(), "production");
        reporting = ErrorReporting.start(config);
        assertThat(reporting.enabled()).isTrue();

        Thread worker = new Thread(() -> {
            MDC.put("trace_id", TRACE_ID);
            MDC.put("span_id", SPAN_ID);
            // What a library might leave in MDC.
            MDC.put("customer", CUSTOMER);
            MDC.put("pekkoSource", "pekko://ora/user/handover-" + EMAIL);
            RuntimeException cause = new IllegalStateException("bearer " + TOKEN + " refused");
            SQLIntegrityConstraintViolationException failure = new SQLIntegrityConstraintViolationException(
                    "ERROR: duplicate key value violates unique constraint \"users_email_key\"\n  Detail: Key (email)=("
                            + EMAIL + ") already exists.", "23505", cause);
            LOG.error(TEMPLATE, CUSTOMER, ACCESS_KEY, TOKEN, failure);
        }, "handover-" + CUSTOMER);
        worker.start();
        worker.join();

        await().atMost(Duration.ofSeconds(20)).until(() -> !sentry.events().isEmpty());
        JsonNode event = sentry.events().get(0);
        assertThat(event.get("release").asString()).isEqualTo(config.getString("ora.node.version"))
                .doesNotContain("${").isNotBlank();
        assertThat(event.get("environment").asString()).isEqualTo("production");
        assertThat(event.get("level").asString()).isEqualTo("error");
        assertThat(event.get("logger").asString()).isEqualTo("io.ora.test.Handover");
        assertThat(event.get("tags").get("trace_id").asString()).isEqualTo(TRACE_ID);
        assertThat(event.get("tags").get("span_id").asString()).isEqualTo(SPAN_ID);
        assertThat(names(event.get("tags"))).containsExactlyInAnyOrder("trace_id", "span_id");
        assertThat(event.get("message").get("message").asString()).isEqualTo(TEMPLATE);
        assertThat(names(event.get("message"))).containsExactly("message");
        List<String> types = new ArrayList<>();
        event.get("exception").get("values").forEach(exception -> {
            types.add(exception.get("type").asString());
            assertThat(exception.has("value")).as("the exception's message").isFalse();
            assertThat(exception.get("stacktrace").get("frames")).isNotEmpty();
        });
        assertThat(types).contains("SQLIntegrityConstraintViolationException", "IllegalStateException");
        assertThat(names(event)).isSubsetOf(EVENT_FIELDS);

        FakeSentry.Request request = sentry.requests().get(0);
        assertThat(request.path()).isEqualTo(FakeSentry.ENVELOPE_PATH);
        assertThat(request.envelope().items()).extracting(FakeSentry.Envelope.Item::type).containsExactly("event");
        assertThat(request.text()).doesNotContain(SECRETS).doesNotContain("pekkoSource", "users_email_key");
    }

    @Test
    void anUncaughtExceptionOnAThreadArrivesWithItsTraceId() throws Exception {
        reporting = ErrorReporting.start(config(sentry.dsn(), "development"));

        Thread worker = new Thread(() -> {
            MDC.put("trace_id", TRACE_ID);
            throw new IllegalStateException("no access for " + EMAIL + " with " + ACCESS_KEY);
        }, "ora-test-" + CUSTOMER);
        worker.start();
        worker.join();

        await().atMost(Duration.ofSeconds(20)).until(() -> !sentry.events().isEmpty());
        JsonNode event = sentry.events().get(0);
        JsonNode exception = event.get("exception").get("values").get(0);
        assertThat(exception.get("type").asString()).isEqualTo("IllegalStateException");
        assertThat(exception.get("mechanism").get("handled").asBoolean()).as("handled").isFalse();
        assertThat(event.get("environment").asString()).isEqualTo("development");
        assertThat(event.get("tags").get("trace_id").asString()).isEqualTo(TRACE_ID);
        assertThat(sentry.requests().get(0).text()).doesNotContain(SECRETS);
    }

    @Test
    void withoutADsnNothingIsInitialisedAttachedOrSent() {
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        // Were the appender or Sentry to configure themselves from outside (as sentry-logback's appender does when
        // it starts first), this would be the DSN they found.
        System.setProperty("sentry.dsn", sentry.dsn());
        try {
            reporting = ErrorReporting.start(config("", "production"));

            LOG.error("failed for {}", EMAIL, new IllegalStateException(TOKEN));
            Sentry.flush(2_000);

            assertThat(reporting.enabled()).isFalse();
            assertThat(Sentry.isEnabled()).isFalse();
            assertThat(sentryAppenders()).isEmpty();
            assertThat(Thread.getDefaultUncaughtExceptionHandler()).isSameAs(before);
            assertThat(sentry.requests()).isEmpty();
        } finally {
            System.clearProperty("sentry.dsn");
        }
    }

    @Test
    void closingDetachesTheAppenderAndGivesTheUncaughtExceptionHandlerBack() {
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        reporting = ErrorReporting.start(config(sentry.dsn(), "production"));
        assertThat(sentryAppenders()).hasSize(1);

        reporting.close();

        assertThat(reporting.enabled()).isFalse();
        assertThat(Sentry.isEnabled()).isFalse();
        assertThat(sentryAppenders()).isEmpty();
        assertThat(Thread.getDefaultUncaughtExceptionHandler()).isSameAs(before);
    }

    @Test
    void theShippedConfigurationIsOffAndNamesTheModeAndTheBuiltVersion() {
        Config shipped = ConfigFactory.load(ConfigFactory.parseResources("application.conf"));

        assertThat(shipped.getString("ora.observability.sentry.dsn")).isEmpty();
        assertThat(shipped.getString("ora.observability.sentry.environment")).isEqualTo("development");
        assertThat(shipped.getString("ora.observability.sentry.release"))
                .isEqualTo(shipped.getString("ora.node.version")).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(config("", "production").getString("ora.observability.sentry.environment"))
                .isEqualTo("production");
    }

    @Test
    void aMalformedDsnIsRefusedAtStart() {
        assertThatThrownBy(() -> ErrorReporting.start(config("not a dsn", "production")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ORA_SENTRY_DSN");
        assertThat(Sentry.isEnabled()).isFalse();
        assertThat(sentryAppenders()).isEmpty();
    }

    /** The node's configuration (application.conf over the references), with these two settings above it. */
    private static Config config(String dsn, String mode) {
        Config overrides = ConfigFactory.parseMap(Map.of("ora.observability.sentry.dsn", dsn, "ora.node.mode", mode));
        return ConfigFactory.load(overrides.withFallback(ConfigFactory.parseResources("application.conf")));
    }

    private static List<Appender<ILoggingEvent>> sentryAppenders() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        List<Appender<ILoggingEvent>> found = new ArrayList<>();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(appender -> {
            if (appender instanceof SentryAppender) {
                found.add(appender);
            }
        });
        return found;
    }

    private static List<String> names(JsonNode node) {
        return List.copyOf(node.propertyNames());
    }
}
