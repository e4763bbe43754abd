package io.ora.load.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Resident memory (VmRSS) of a local process, read from {@code /proc/<pid>/status}: how the connection-storm
 * scenario prices a connection on the server. Linux only; elsewhere it is simply unknown.
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
}
