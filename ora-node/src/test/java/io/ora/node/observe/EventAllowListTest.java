package io.ora.node.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentry.Attachment;
import io.sentry.Breadcrumb;
import io.sentry.Hint;
import io.sentry.JsonSerializer;
import io.sentry.SentryEvent;
import io.sentry.SentryLevel;
import io.sentry.SentryLockReason;
import io.sentry.SentryOptions;
import io.sentry.SpanContext;
import io.sentry.protocol.DebugMeta;
import io.sentry.protocol.Mechanism;
import io.sentry.protocol.Message;
import io.sentry.protocol.OperatingSystem;
import io.sentry.protocol.Request;
import io.sentry.protocol.SdkVersion;
import io.sentry.protocol.SentryException;
import io.sentry.protocol.SentryId;
import io.sentry.protocol.SentryRuntime;
import io.sentry.protocol.SentryStackFrame;
import io.sentry.protocol.SentryStackTrace;
import io.sentry.protocol.SentryThread;
import io.sentry.protocol.User;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The allow-list on an event with every field the SDK knows set, most of them to something private: what is sent
 * (the event serialised as the SDK would) holds the allowed fields with their values, and nothing else.
 */
class EventAllowListTest {

    private static final String SECRET = "jane.doe@example.com";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void onlyAllowedFieldsSurvive() throws IOException {
        SentryEvent rich = richEvent();
        Hint hint = new Hint();
        hint.addAttachment(new Attachment(SECRET.getBytes(StandardCharsets.UTF_8), "dump.txt"));

        SentryEvent sent = new EventAllowList().execute(rich, hint);

        assertThat(hint.getAttachments()).isEmpty();
        String text = serialise(sent);
        assertThat(text).doesNotContain(SECRET, "secret", "ora-host-7", "Bearer");
        JsonNode event = JSON.readTree(text);
        assertThat(event.propertyNames()).containsExactlyInAnyOrder("event_id", "timestamp", "level", "logger",
                "release", "environment", "platform", "message", "tags", "contexts", "exception", "threads");
        assertThat(event.get("event_id").asString()).isEqualTo(rich.getEventId().toString());
        assertThat(event.get("level").asString()).isEqualTo("error");
        assertThat(event.get("logger").asString()).isEqualTo("io.ora.portal.Handover");
        assertThat(event.get("release").asString()).isEqualTo("1.4.0");
        assertThat(event.get("environment").asString()).isEqualTo("production");
        assertThat(event.get("platform").asString()).isEqualTo("java");
        assertThat(event.get("message").propertyNames()).containsExactly("message");
        assertThat(event.get("message").get("message").asString()).isEqualTo("handover of {} failed");
        assertThat(event.get("tags").propertyNames()).containsExactlyInAnyOrder("trace_id", "span_id");
        assertThat(event.get("tags").get("trace_id").asString()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(event.get("contexts").propertyNames()).containsExactly("runtime");
        assertThat(event.get("contexts").get("runtime").propertyNames()).containsExactlyInAnyOrder("name", "version");

        JsonNode exception = event.get("exception").get("values").get(0);
        assertThat(exception.propertyNames()).containsExactlyInAnyOrder("type", "module", "thread_id",
                "stacktrace", "mechanism");
        assertThat(exception.get("type").asString()).isEqualTo("PSQLException");
        assertThat(exception.get("module").asString()).isEqualTo("org.postgresql.util");
        assertThat(exception.get("mechanism").propertyNames()).containsExactlyInAnyOrder("type", "handled");
        JsonNode frame = exception.get("stacktrace").get("frames").get(0);
        assertThat(frame.propertyNames()).containsExactlyInAnyOrder("module", "function", "filename", "lineno",
                "in_app");
        assertThat(frame.get("module").asString()).isEqualTo("io.ora.portal.handover.Handovers");
        assertThat(frame.get("function").asString()).isEqualTo("claim");
        assertThat(frame.get("filename").asString()).isEqualTo("Handovers.java");
        assertThat(frame.get("lineno").asInt()).isEqualTo(212);
        assertThat(exception.get("stacktrace").propertyNames()).containsExactly("frames");

        JsonNode thread = event.get("threads").get("values").get(0);
        assertThat(thread.propertyNames()).containsExactlyInAnyOrder("id", "current", "crashed", "stacktrace");
        assertThat(thread.get("id").asLong()).isEqualTo(42);
    }

    @Test
    void aTracingIdTagOfAnotherShapeIsNotSent() throws IOException {
        SentryEvent event = new SentryEvent();
        event.setTag("trace_id", SECRET);
        event.setTag("span_id", "00f067aa0ba902b7");

        JsonNode sent = JSON.readTree(serialise(EventAllowList.allowed(event)));

        assertThat(sent.get("tags").propertyNames()).containsExactly("span_id");
    }

    @Test
    void aFormattedMessageWithoutItsTemplateIsNotSent() throws IOException {
        SentryEvent event = new SentryEvent();
        Message formatted = new Message();
        formatted.setFormatted("handover of " + SECRET + " failed");
        event.setMessage(formatted);

        String sent = serialise(EventAllowList.allowed(event));

        assertThat(sent).doesNotContain(SECRET).doesNotContain("\"message\"");
    }

    private static SentryEvent richEvent() {
        SentryEvent event = new SentryEvent(new Date());
        event.setEventId(new SentryId());
        event.setLevel(SentryLevel.ERROR);
        event.setLogger("io.ora.portal.Handover");
        event.setRelease("1.4.0");
        event.setEnvironment("production");
        event.setPlatform("java");
        event.setServerName("ora-host-7");
        event.setDist("secret-dist");
        event.setTransaction("POST /v1/handover/" + SECRET);
        event.setFingerprints(List.of(SECRET));
        event.setModules(Map.of("secret-module", "1.0"));
        event.setSdk(new SdkVersion("secret-sdk", "1.0"));
        event.setDebugMeta(new DebugMeta());
        event.setUnknown(Map.of("secret_field", SECRET));

        Message message = new Message();
        message.setMessage("handover of {} failed");
        message.setFormatted("handover of " + SECRET + " failed");
        message.setParams(List.of(SECRET));
        event.setMessage(message);

        event.setTag("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
        event.setTag("span_id", "00f067aa0ba902b7");
        event.setTag("customer", SECRET);
        event.setExtra("thread_name", "worker-" + SECRET);
        event.setExtra("marker", SECRET);

        User user = new User();
        user.setEmail(SECRET);
        user.setIpAddress("203.0.113.7");
        user.setUsername("secret-user");
        event.setUser(user);
        Request request = new Request();
        request.setUrl("https://portal/v1/users/" + SECRET);
        request.setHeaders(Map.of("Authorization", "Bearer secret-token"));
        request.setCookies("session=secret");
        request.setQueryString("email=" + SECRET);
        request.setData(SECRET);
        event.setRequest(request);
        Breadcrumb breadcrumb = new Breadcrumb("signed in " + SECRET);
        event.setBreadcrumbs(List.of(breadcrumb));

        SentryRuntime runtime = new SentryRuntime();
        runtime.setName("OpenJDK");
        runtime.setVersion("17.0.15");
        runtime.setRawDescription("secret-raw");
        event.getContexts().setRuntime(runtime);
        event.getContexts().put("MDC", Map.of("customer", SECRET, "pekkoSource", "pekko://ora/user/secret"));
        OperatingSystem os = new OperatingSystem();
        os.setName("Linux");
        os.setKernelVersion("secret-kernel");
        event.getContexts().setOperatingSystem(os);
        SpanContext trace = new SpanContext("secret-op");
        trace.setData("user", SECRET);
        event.getContexts().setTrace(trace);

        SentryStackFrame frame = new SentryStackFrame();
        frame.setModule("io.ora.portal.handover.Handovers");
        frame.setFunction("claim");
        frame.setFilename("Handovers.java");
        frame.setLineno(212);
        frame.setInApp(true);
        frame.setAbsPath("/home/secret/Handovers.java");
        frame.setContextLine("String email = \"" + SECRET + "\";");
        frame.setPreContext(List.of(SECRET));
        frame.setPostContext(List.of(SECRET));
        frame.setVars(Map.of("email", SECRET));
        frame.setPackage("secret-package");
        SentryLockReason lock = new SentryLockReason();
        lock.setAddress("secret-address");
        lock.setClassName("secret.Lock");
        frame.setLock(lock);
        SentryStackTrace stacktrace = new SentryStackTrace(List.of(frame));
        stacktrace.setRegisters(Map.of("secret-register", SECRET));

        SentryException exception = new SentryException();
        exception.setType("PSQLException");
        exception.setModule("org.postgresql.util");
        exception.setValue("ERROR: duplicate key value violates unique constraint \"users_email_key\"  Detail: Key"
                + " (email)=(" + SECRET + ") already exists.");
        exception.setThreadId(42L);
        exception.setStacktrace(stacktrace);
        Mechanism mechanism = new Mechanism();
        mechanism.setType("LogbackSentryAppender");
        mechanism.setHandled(true);
        mechanism.setDescription("secret-description");
        mechanism.setHelpLink("https://secret.example");
        mechanism.setData(Map.of("secret", SECRET));
        mechanism.setMeta(Map.of("secret", SECRET));
        exception.setMechanism(mechanism);
        event.setExceptions(List.of(exception));

        SentryThread thread = new SentryThread();
        thread.setId(42L);
        thread.setName("handover-" + SECRET);
        thread.setCurrent(true);
        thread.setCrashed(true);
        thread.setState("secret-state");
        thread.setPriority(5);
        thread.setHeldLocks(Map.of("secret-lock", lock));
        thread.setStacktrace(new SentryStackTrace(List.of(frame)));
        event.setThreads(List.of(thread));
        return event;
    }

    private static String serialise(SentryEvent event) throws IOException {
        StringWriter out = new StringWriter();
        new JsonSerializer(new SentryOptions()).serialize(event, out);
        return out.toString();
    }
}
