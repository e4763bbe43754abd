package io.ora.load.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Resident memory (VmRSS) of a local process, read from {@code /proc/<pid>/status}: how the connection-storm
 * scenario prices a connection on the server, and how the telemetry scenario shows that the server's memory stays
 * bounded under load ({@link #watch}). Linux only; elsewhere it is simply unknown.
 */
public final class ProcessMemory {

    private static final long BYTES_PER_KIB = 1024;

    private ProcessMemory() {
    }

    /** Resident bytes of process {@code pid}, or empty when the process or {@code /proc} is not there. */
    public static OptionalLong residentBytes(long pid) {
        try {
            return parseVmRss(Files.readString(Path.of("/proc", Long.toString(pid), "status"),
                    StandardCharsets.US_ASCII));
        } catch (IOException gone) {
            return OptionalLong.empty();
        }
    }

    /** The {@code VmRSS:  1234 kB} line of a status file, in bytes. */
    static OptionalLong parseVmRss(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                try {
                    return OptionalLong.of(Long.parseLong(parts[0]) * BYTES_PER_KIB);
                } catch (NumberFormatException malformed) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    /** Reads the resident memory of {@code pid} now and then every {@code period} until the watch is closed. */
    public static Watch watch(long pid, Duration period) {
        return new Watch(pid, period);
    }

    /**
     * The first, highest and last of a series of readings, in bytes.
     *
     * @param readings how many readings there were
     */
    public record Span(long first, long peak, long last, long readings) {

        /** The span of one reading. */
        public static Span of(long bytes) {
            return new Span(bytes, bytes, bytes, 1);
        }

        /** This span with a later reading. */
        public Span then(long bytes) {
            return new Span(first, Math.max(peak, bytes), bytes, readings + 1);
        }
    }

    /** Periodic readings of one process on a daemon thread; {@link #close()} takes a last one and stops. */
    public static final class Watch implements AutoCloseable {

        private final long pid;
        private final ScheduledExecutorService timer;
        private Span span;

        private Watch(long pid, Duration period) {
            this.pid = pid;
            this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "rss-watch-" + pid);
                thread.setDaemon(true);
                return thread;
            });
            timer.scheduleAtFixedRate(this::read, 0, period.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** The readings so far; empty when none succeeded (no such process, or no {@code /proc}). */
        public synchronized Optional<Span> span() {
            return Optional.ofNullable(span);
        }

        /** Takes a last reading and stops; closing again does nothing. */
        @Override
        public synchronized void close() {
            if (!timer.isShutdown()) {
                timer.shutdownNow();
                read();
            }
        }

        private synchronized void read() {
            OptionalLong bytes = residentBytes(pid);
            if (bytes.isPresent()) {
                span = span == null ? Span.of(bytes.getAsLong()) : span.then(bytes.getAsLong());
            }
        }
    }
}
