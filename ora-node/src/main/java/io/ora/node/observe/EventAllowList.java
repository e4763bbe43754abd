package io.ora.node.observe;

import io.sentry.Hint;
import io.sentry.SentryEvent;
import io.sentry.SentryOptions;
import io.sentry.protocol.Contexts;
import io.sentry.protocol.Mechanism;
import io.sentry.protocol.Message;
import io.sentry.protocol.SentryException;
import io.sentry.protocol.SentryRuntime;
import io.sentry.protocol.SentryStackFrame;
import io.sentry.protocol.SentryStackTrace;
import io.sentry.protocol.SentryThread;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The last step before an error report leaves the node ({@code beforeSend}): it builds a new event holding only the
 * fields known to be safe, copied from the one the SDK assembled. Whatever is not named here (a field a later SDK
 * version adds included) is not sent. The list, and why each item is on it, is in docs/operations.md, "Errors
 * (Sentry)".
 *
 * <p>Kept: event id, timestamp, level, logger name, release, environment, platform; the log message's template
 * (the text with its {@code {}} placeholders, never the arguments nor the formatted text); the tags
 * {@code trace_id} and {@code span_id} when they look like tracing ids; the JVM's name and version; each exception's
 * type, package and stack frames (class, method, file name, line, whether it is ours), and the mechanism that
 * caught it; threads by number with their stack frames.
 *
 * <p>Dropped, among everything else: exception messages (a database's "Key (email)=(…) already exists"), the
 * formatted message and its arguments, user, request, breadcrumbs, extra (where the appender puts the thread name
 * and marker), every other context (the rest of MDC among them), the server name, modules, attachments.
 *
 * <p>Thread names are dropped: they are chosen at run time by whichever library made the thread and any code can
 * rename one (some name a worker after what it serves), so the node cannot vouch for them; the logger name and the
 * frames already say where an error happened.
 */
final class EventAllowList implements SentryOptions.BeforeSendCallback {

    /** The tags that may leave: the tracing ids, as the tracing code puts them in MDC. */
    static final List<String> TAGS = List.of("trace_id", "span_id");

    /** What a tracing id looks like (W3C hex ids, or a UUID): a tag of another shape is not one, and is not sent. */
    private static final Pattern TRACING_ID = Pattern.compile("[0-9a-fA-F-]{1,64}");

    @Override
    public SentryEvent execute(SentryEvent event, Hint hint) {
        // Attachments travel beside the event, in the same envelope: none is on the list.
        hint.clearAttachments();
        return allowed(event);
    }

    /** A new event with only the allowed fields of {@code event}. */
    static SentryEvent allowed(SentryEvent event) {
        SentryEvent safe = new SentryEvent(event.getTimestamp());
        safe.setEventId(event.getEventId());
        safe.setLevel(event.getLevel());
        safe.setLogger(event.getLogger());
        safe.setRelease(event.getRelease());
        safe.setEnvironment(event.getEnvironment());
        safe.setPlatform(event.getPlatform());
        if (event.getMessage() != null && event.getMessage().getMessage() != null) {
            Message template = new Message();
            template.setMessage(event.getMessage().getMessage());
            safe.setMessage(template);
        }
        Map<String, String> tags = event.getTags();
        if (tags != null) {
            for (String key : TAGS) {
                String value = tags.get(key);
                if (value != null && TRACING_ID.matcher(value).matches()) {
                    safe.setTag(key, value);
                }
            }
        }
        SentryRuntime runtime = event.getContexts().getRuntime();
        if (runtime != null) {
            SentryRuntime jvm = new SentryRuntime();
            jvm.setName(runtime.getName());
            jvm.setVersion(runtime.getVersion());
            Contexts contexts = safe.getContexts();
            contexts.setRuntime(jvm);
        }
        if (event.getExceptions() != null) {
            safe.setExceptions(event.getExceptions().stream().map(EventAllowList::exception).toList());
        }
        if (event.getThreads() != null) {
            safe.setThreads(event.getThreads().stream().map(EventAllowList::thread).toList());
        }
        return safe;
    }

    private static SentryException exception(SentryException exception) {
        SentryException safe = new SentryException();
        safe.setType(exception.getType());
        safe.setModule(exception.getModule());
        safe.setThreadId(exception.getThreadId());
        safe.setStacktrace(stacktrace(exception.getStacktrace()));
        Mechanism mechanism = exception.getMechanism();
        if (mechanism != null) {
            // What caught it (the appender, the uncaught-exception handler) and how causes nest: the SDK's own
            // words and numbers. Its description and data are not.
            Mechanism how = new Mechanism();
            how.setType(mechanism.getType());
            how.setHandled(mechanism.isHandled());
            how.setSynthetic(mechanism.getSynthetic());
            how.setExceptionId(mechanism.getExceptionId());
            how.setParentId(mechanism.getParentId());
            how.setExceptionGroup(mechanism.isExceptionGroup());
            safe.setMechanism(how);
        }
        return safe;
    }

    private static SentryThread thread(SentryThread thread) {
        SentryThread safe = new SentryThread();
        safe.setId(thread.getId());
        safe.setCurrent(thread.isCurrent());
        safe.setCrashed(thread.isCrashed());
        safe.setMain(thread.isMain());
        safe.setDaemon(thread.isDaemon());
        safe.setStacktrace(stacktrace(thread.getStacktrace()));
        return safe;
    }

    private static SentryStackTrace stacktrace(SentryStackTrace stacktrace) {
        if (stacktrace == null || stacktrace.getFrames() == null) {
            return null;
        }
        SentryStackTrace safe = new SentryStackTrace(stacktrace.getFrames().stream().map(EventAllowList::frame)
                .toList());
        safe.setSnapshot(stacktrace.getSnapshot());
        return safe;
    }

    /** Where in the code: class, method, file name and line. Never source lines, variables or locks. */
    private static SentryStackFrame frame(SentryStackFrame frame) {
        SentryStackFrame safe = new SentryStackFrame();
        safe.setModule(frame.getModule());
        safe.setFunction(frame.getFunction());
        safe.setFilename(frame.getFilename());
        safe.setLineno(frame.getLineno());
        safe.setInApp(frame.isInApp());
        safe.setNative(frame.isNative());
        return safe;
    }
}
