package io.ora.load.measure;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * CPU time of the generator itself and of the server under test over a measured window, with the generator's GC
 * pauses: the figures that tell whether a run measured the server or the generator. Both processes are read the
 * same way, utime + stime from {@code /proc/<pid>/stat} (the generator as {@code self}), in clock ticks of 10 ms
 * (USER_HZ is 100 on Linux), so over a window of 10 s or more the error is a fraction of a percent. Where
 * {@code /proc} is missing the CPU figures are unknown ({@code n/a}).
 *
 * @param wallNanos         length of the window
 * @param generatorCpuNanos the generator's CPU time in the window, when {@code /proc/self/stat} could be read
 * @param serverCpuNanos    the server's, when its pid was given and its {@code stat} could be read
 * @param gcPauses          the generator's collections in the window (stop-the-world, or a concurrent
 *                          collector's pauses)
 * @param gcMillis          the time they took
 */
public record CpuUse(long wallNanos, OptionalLong generatorCpuNanos, OptionalLong serverCpuNanos, long gcPauses,
                     long gcMillis) {

    /** Linux reports process times in USER_HZ ticks, which is 100 on every architecture the JDK runs on. */
    static final long NANOS_PER_TICK = 10_000_000;
    /** {@code comm} (field 2) may hold spaces and parentheses; fields after the last ')' start with field 3. */
    private static final int UTIME_AFTER_COMM = 11;
    private static final int STIME_AFTER_COMM = 12;

    /** The readings at one moment, to be compared with a later one ({@link #until}). */
    public record Mark(long wallNanos, OptionalLong generatorCpuNanos, OptionalLong serverCpuNanos, long gcPauses,
                       long gcMillis) {

        /** Reads now; {@code serverPid} empty for no server. */
        public static Mark now(OptionalLong serverPid) {
            return now(serverPid.isPresent() ? List.of(serverPid.getAsLong()) : List.of());
        }

        /**
         * Reads now, the server being all of {@code serverPids} together (the nodes of a cluster on this machine);
         * empty for no server. The server's CPU is unknown when any of them cannot be read.
         */
        public static Mark now(List<Long> serverPids) {
            long pauses = 0;
            long millis = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                // ZGC's "Cycles" bean counts concurrent work; its "Pauses" bean counts what stops the application.
                if (!gc.getName().endsWith("Cycles")) {
                    pauses += Math.max(0, gc.getCollectionCount());
                    millis += Math.max(0, gc.getCollectionTime());
                }
            }
            return new Mark(System.nanoTime(), cpuNanos("self"), sum(serverPids), pauses, millis);
        }

        /** The use from this mark to {@code end}. */
        public CpuUse until(Mark end) {
            return new CpuUse(end.wallNanos - wallNanos, difference(generatorCpuNanos, end.generatorCpuNanos),
                    difference(serverCpuNanos, end.serverCpuNanos), end.gcPauses - gcPauses,
                    end.gcMillis - gcMillis);
        }

        private static OptionalLong sum(List<Long> pids) {
            if (pids.isEmpty()) {
                return OptionalLong.empty();
            }
            long total = 0;
            for (long pid : pids) {
                OptionalLong cpu = cpuNanos(Long.toString(pid));
                if (cpu.isEmpty()) {
                    return OptionalLong.empty();
                }
                total += cpu.getAsLong();
            }
            return OptionalLong.of(total);
        }

        private static OptionalLong difference(OptionalLong from, OptionalLong to) {
            return from.isPresent() && to.isPresent() ? OptionalLong.of(to.getAsLong() - from.getAsLong())
                    : OptionalLong.empty();
        }
    }

    /** CPU time of process {@code pid} ({@code self} for this one), or empty when it cannot be read. */
    static OptionalLong cpuNanos(String pid) {
        try {
            return parseStat(Files.readString(Path.of("/proc", pid, "stat"), StandardCharsets.US_ASCII));
        } catch (IOException gone) {
            return OptionalLong.empty();
        }
    }

    /** utime + stime of a {@code /proc/<pid>/stat} line, in nanoseconds; empty when the line is not one. */
    static OptionalLong parseStat(String stat) {
        int end = stat.lastIndexOf(')');
        if (end < 0) {
            return OptionalLong.empty();
        }
        String[] fields = stat.substring(end + 1).trim().split("\\s+");
        if (fields.length <= STIME_AFTER_COMM) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of((Long.parseLong(fields[UTIME_AFTER_COMM]) + Long.parseLong(fields[STIME_AFTER_COMM]))
                    * NANOS_PER_TICK);
        } catch (NumberFormatException malformed) {
            return OptionalLong.empty();
        }
    }

    /** The generator's CPU in % of one core over the window. */
    public OptionalDouble generatorPercent() {
        return percentOfCore(generatorCpuNanos);
    }

    /** The server's CPU in % of one core over the window. */
    public OptionalDouble serverPercent() {
        return percentOfCore(serverCpuNanos);
    }

    /** {@code gen_cpu_pct=… gen_us_per_msg=… server_cpu_pct=… server_us_per_msg=… gc_count=… gc_ms=…}. */
    public String resultFields(long messages, String unit) {
        return String.format(Locale.ROOT, "gen_cpu_pct=%s gen_us_per_%s=%s server_cpu_pct=%s server_us_per_%s=%s"
                        + " gc_count=%d gc_ms=%d", percent(generatorCpuNanos), unit,
                perItem(generatorCpuNanos, messages), percent(serverCpuNanos), unit,
                perItem(serverCpuNanos, messages), gcPauses, gcMillis);
    }

    /** One line for people: both processes in % of a core and µs per item, and the GC pauses. */
    public String line(long items, String unit) {
        return String.format(Locale.ROOT, "CPU over the measured %.2f s: generator %s %% of a core (%s µs/%s),"
                        + " server %s %% (%s µs/%s); generator GC %d pauses, %d ms", wallNanos / 1e9,
                percent(generatorCpuNanos), perItem(generatorCpuNanos, items), unit, percent(serverCpuNanos),
                perItem(serverCpuNanos, items), unit, gcPauses, gcMillis);
    }

    private OptionalDouble percentOfCore(OptionalLong cpu) {
        return cpu.isPresent() && wallNanos > 0 ? OptionalDouble.of(100.0 * cpu.getAsLong() / wallNanos)
                : OptionalDouble.empty();
    }

    private String percent(OptionalLong cpu) {
        OptionalDouble percent = percentOfCore(cpu);
        return percent.isPresent() ? String.format(Locale.ROOT, "%.1f", percent.getAsDouble()) : "n/a";
    }

    private static String perItem(OptionalLong cpu, long items) {
        return cpu.isPresent() && items > 0 ? String.format(Locale.ROOT, "%.1f", cpu.getAsLong() / 1e3 / items)
                : "n/a";
    }
}
