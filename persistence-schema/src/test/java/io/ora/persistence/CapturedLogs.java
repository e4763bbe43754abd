package io.ora.persistence;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
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

    /** Each event's formatted message, and the message of every throwable (and cause) attached to it. */
    public synchronized List<String> texts() {
        List<String> texts = new ArrayList<>();
        for (ILoggingEvent event : List.copyOf(appender.list)) {
            texts.add(event.getFormattedMessage());
            for (IThrowableProxy thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
                texts.add(thrown.getClassName() + ": " + thrown.getMessage());
            }
        }
        return texts;
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        levels.forEach(Logger::setLevel);
    }
}
