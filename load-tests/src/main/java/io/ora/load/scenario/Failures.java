package io.ora.load.scenario;

import io.ora.load.client.MqttRefusal;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Failures counted by cause, such as {@code CONNACK NOT_AUTHORIZED} or {@code SSLHandshakeException: Received fatal
 * alert: bad_certificate}. Causes are described without per-connection detail, so that ten thousand failures of one
 * kind read as one line. Safe to add to from any thread.
 */
public final class Failures {

    private static final int MAX_MESSAGE = 100;

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /** Counts one failure with a given cause. */
    public void add(String cause) {
        counts.computeIfAbsent(cause, ignored -> new LongAdder()).increment();
    }

    /** Counts one failure, described from the exception. */
    public void add(Throwable error) {
        add(describe(error));
    }

    /** All failures counted. */
    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Counts by cause, most frequent first. */
    public Map<String, Long> snapshot() {
        Map<String, Long> ordered = new LinkedHashMap<>();
        counts.entrySet().stream()
                .map(entry -> Map.entry(entry.getKey(), entry.getValue().sum()))
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .forEach(entry -> ordered.put(entry.getKey(), entry.getValue()));
        return ordered;
    }

    /** A short, aggregatable description of why an MQTT operation failed. */
    static String describe(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof MqttRefusal refusal) {
            return refusal.getMessage();
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = cause.getClass().getSimpleName();
        if (root != cause) {
            text += " / " + root.getClass().getSimpleName();
        }
        String message = root.getMessage();
        if (message != null && !message.isBlank()) {
            text += ": " + (message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message);
        }
        return text;
    }
}
