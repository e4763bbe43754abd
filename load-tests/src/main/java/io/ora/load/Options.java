package io.ora.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of one subcommand: {@code --name value} (or {@code --name=value}) and bare {@code --flag}s. Unknown or
 * repeated options are refused, so a typo fails at once instead of running a different benchmark than intended.
 */
public record Options(Map<String, String> values, Set<String> flags) {

    public Options {
        values = Map.copyOf(values);
        flags = Set.copyOf(flags);
    }

    /** Parses {@code args}, accepting only the given value options and flags (names without the dashes). */
    public static Options parse(List<String> args, Set<String> valueOptions, Set<String> flagOptions) {
        Map<String, String> values = new LinkedHashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value = null;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            if (value == null && flagOptions.contains(name)) {
                flags.add(name);
                continue;
            }
            if (!valueOptions.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (values.put(name, value) != null) {
                throw new IllegalArgumentException("--" + name + " given twice");
            }
        }
        return new Options(values, flags);
    }

    /** Whether a bare flag was given. */
    public boolean flag(String name) {
        return flags.contains(name);
    }

    /** Whether a value option was given. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** A required text option. */
    public String text(String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    /** A text option with a fallback. */
    public String text(String name, String fallback) {
        return has(name) ? text(name) : fallback;
    }

    /** A required path option. */
    public Path path(String name) {
        return Path.of(text(name));
    }

    /** A whole number within {@code min..max}, required when {@code fallback} is null. */
    public long whole(String name, Long fallback, long min, long max) {
        if (!has(name) && fallback != null) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(text(name).strip());
        } catch (NumberFormatException malformed) {
            throw new IllegalArgumentException("--" + name + " must be a whole number");
        }
        return within(name, value, min, max);
    }

    /** An int within {@code min..max}, required when {@code fallback} is null. */
    public int integer(String name, Integer fallback, int min, int max) {
        return (int) whole(name, fallback == null ? null : fallback.longValue(), min, max);
    }

    /** A number within {@code min..max}, required when {@code fallback} is null. */
    public double number(String name, Double fallback, double min, double max) {
        if (!has(name) && fallback != null) {
            return fallback;
        }
        double value;
        try {
            value = Double.parseDouble(text(name).strip());
        } catch (NumberFormatException malformed) {
            throw new IllegalArgumentException("--" + name + " must be a number");
        }
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException("--" + name + " must be within " + min + ".." + max);
        }
        return value;
    }

    /** A duration given in (possibly fractional) seconds, within {@code 0..maxSeconds}. */
    public Duration seconds(String name, double fallbackSeconds, double maxSeconds) {
        double seconds = number(name, fallbackSeconds, 0, maxSeconds);
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    private static long within(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("--" + name + " must be within " + min + ".." + max);
        }
        return value;
    }
}
