package io.ora.node.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.typesafe.config.Config;
import io.sentry.EventProcessor;
import io.sentry.Hint;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.SentryOptions;
import io.sentry.logback.SentryAppender;
import java.util.Optional;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Reports the node's errors to Sentry ({@code ora.observability.sentry}): uncaught exceptions and ERROR log events,
 * each cut down by {@link EventAllowList} before it leaves the node. Off, with nothing initialised and nothing
 * attached, while the DSN is empty. There is one Sentry per JVM: a second {@link #start} replaces the first.
 *
 * <p>Sentry is initialised here, in code, and the logback appender is attached only afterwards, because the
 * appender initialises Sentry itself when it starts without one: with external configuration on, from
 * {@code SENTRY_DSN} or {@code sentry.properties}, and without this class's options or allow-list. Declared in
 * {@code logback.xml}, it would do so before the node could read its own configuration.
 */
public final class ErrorReporting implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorReporting.class);

    private static final String APPENDER = "SENTRY";

    private static final ErrorReporting OFF = new ErrorReporting(false, Optional.empty());

    private final boolean on;
    private final Optional<SentryAppender> appender;
    private boolean closed;

    private ErrorReporting(boolean on, Optional<SentryAppender> appender) {
        this.on = on;
        this.appender = appender;
    }

    /** Starts reporting as {@code config} says; with no DSN, returns reporting that is off. */
    public static ErrorReporting start(Config config) {
        Config sentry = config.getConfig("ora.observability.sentry");
        String dsn = sentry.getString("dsn");
        if (dsn.isBlank()) {
            return OFF;
        }
        try {
            Sentry.init(options(dsn, sentry.getString("release"), sentry.getString("environment")));
        } catch (IllegalArgumentException malformed) {
            // Refused rather than ignored: a deployment that set a DSN expects its errors to be seen.
            throw new IllegalArgumentException("ora.observability.sentry.dsn (ORA_SENTRY_DSN) is not a Sentry DSN",
                    malformed);
        }
        Optional<SentryAppender> appender = attachAppender();
        // The DSN names the project and its key: it stays out of the log.
        LOG.info("errors are reported to Sentry as release {} in environment {}{}", sentry.getString("release"),
                sentry.getString("environment"), appender.isPresent() ? "" : " (uncaught exceptions only: the"
                        + " logging backend is not logback, so ERROR log events are not reported)");
        return new ErrorReporting(true, appender);
    }

    /** Whether this reporting sends anything. */
    public synchronized boolean enabled() {
        return on && !closed && Sentry.isEnabled();
    }

    /** Detaches the appender, sends what is queued (within Sentry's shutdown timeout) and closes Sentry. */
    @Override
    public synchronized void close() {
        if (!on || closed) {
            return;
        }
        closed = true;
        appender.ifPresent(sentryAppender -> {
            rootLogger().ifPresent(root -> root.detachAppender(sentryAppender));
            sentryAppender.stop();
        });
        Sentry.close();
    }

    private static SentryOptions options(String dsn, String release, String environment) {
        SentryOptions options = new SentryOptions();
        options.setDsn(dsn);
        options.setRelease(release);
        options.setEnvironment(environment);
        // Only what is set here applies: no SENTRY_* variable or sentry.properties can turn on what is off below.
        options.setEnableExternalConfiguration(false);
        options.setSendDefaultPii(false);
        options.setMaxBreadcrumbs(0);
        options.setBeforeBreadcrumb((breadcrumb, hint) -> null);
        options.setBeforeSend(new EventAllowList());
        // The appender turns these MDC keys into tags (and the rest of MDC into a context the allow-list drops).
        EventAllowList.TAGS.forEach(options::addContextTag);
        options.addEventProcessor(new TracingIdsFromMdc());
        options.addInAppInclude("io.ora");
        // Not sent at all, so nothing depends on the allow-list catching them: the host name, the classpath's
        // modules, the SDK's own client reports, sessions, traces, Sentry's log and metric products.
        options.setAttachServerName(false);
        options.setSendModules(false);
        options.setSendClientReports(false);
        options.setEnableAutoSessionTracking(false);
        options.setTracesSampleRate(null);
        options.getLogs().setEnabled(false);
        // Sentry's handler replaces the JVM's default one, which printed the stack trace: keep that.
        options.setEnableUncaughtExceptionHandler(true);
        options.setPrintUncaughtStackTrace(true);
        return options;
    }

    private static Optional<SentryAppender> attachAppender() {
        Optional<ch.qos.logback.classic.Logger> root = rootLogger();
        if (root.isEmpty()) {
            return Optional.empty();
        }
        SentryAppender appender = new SentryAppender();
        appender.setName(APPENDER);
        appender.setContext(root.get().getLoggerContext());
        appender.setMinimumEventLevel(Level.ERROR);
        // Breadcrumbs are log lines of the past; none leaves the node (the options drop them too).
        appender.setMinimumBreadcrumbLevel(Level.OFF);
        appender.setMinimumLevel(Level.OFF);
        appender.start();
        root.get().addAppender(appender);
        return Optional.of(appender);
    }

    private static Optional<ch.qos.logback.classic.Logger> rootLogger() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context) {
            return Optional.of(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
        }
        return Optional.empty();
    }

    /**
     * The tracing ids of an event that did not come through the appender (an uncaught exception), from the MDC of
     * the thread that captures it: the thread that failed.
     */
    private static final class TracingIdsFromMdc implements EventProcessor {
        @Override
        public SentryEvent process(SentryEvent event, Hint hint) {
            for (String key : EventAllowList.TAGS) {
                String value = MDC.get(key);
                if (value != null && event.getTag(key) == null) {
                    event.setTag(key, value);
                }
            }
            return event;
        }
    }
}
