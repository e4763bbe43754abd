package io.ora.persistence;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Every log event of this JVM, at every level, from creation until {@link #close()}: for tests proving that what must
 * never be logged (payloads, keys, personal data) is not, whichever logger would have written it.
 */
public final class CapturedLogs implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Map<Logger, Level> levels = new HashMap<>();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public CapturedLogs() {
        appender.start();
        root.addAppender(appender);
        // Every logger with a level of its own too (logback-test.xml sets some), or their debug lines would escape.
        for (Logger logger : root.getLoggerContext().getLoggerList()) {
            if (logger.getLevel() != null) {
                levels.put(logger, logger.getLevel());
                logger.setLevel(Level.ALL);
            }
        }
    }

    /**
     * One text per event: its formatted message, its MDC, and the whole of any throwable attached (messages and
     * stack traces of it and its causes).
     */
    public List<String> texts() {
        return texts(Level.ALL);
    }

    /** Like {@link #texts()}, of the events at {@code least} or above only (e.g. to prove nothing logged an ERROR). */
    public List<String> texts(Level least) {
        List<ILoggingEvent> events;
        synchronized (appender) {
            events = List.copyOf(appender.list);
        }
        List<String> texts = new ArrayList<>(events.size());
        for (ILoggingEvent event : events) {
            if (!event.getLevel().isGreaterOrEqual(least)) {
                continue;
            }
            IThrowableProxy thrown = event.getThrowableProxy();
            texts.add(event.getFormattedMessage() + " " + event.getMDCPropertyMap()
                    + (thrown == null ? "" : " " + ThrowableProxyUtil.asString(thrown)));
        }
        return texts;
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        levels.forEach(Logger::setLevel);
    }
}
