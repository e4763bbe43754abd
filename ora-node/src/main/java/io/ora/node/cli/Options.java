package io.ora.node.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Parsed {@code --name value} options (an option may be repeated: its values in order) and positional arguments. */
record Options(Map<String, List<String>> values, List<String> positional) {
    static Options parse(List<String> args, List<String> known) {
        Map<String, List<String>> values = new HashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--")) {
                if (!known.contains(arg) || i + 1 >= args.size()) {
                    throw new IllegalArgumentException("unknown option or missing value: " + arg);
                }
                values.computeIfAbsent(arg, name -> new ArrayList<>()).add(args.get(++i));
            } else {
                positional.add(arg);
            }
        }
        return new Options(values, positional);
    }

    /** The option's value; when it was given more than once, the last (as shells and most tools read it). */
    Optional<String> value(String name) {
        List<String> given = values.get(name);
        return given == null ? Optional.empty() : Optional.of(given.get(given.size() - 1));
    }

    /** Every value the option was given, in order; empty when it was not. */
    List<String> all(String name) {
        return List.copyOf(values.getOrDefault(name, List.of()));
    }
}
