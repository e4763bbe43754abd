package io.ora.node.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Parsed {@code --name value} options and positional arguments. */
record Options(Map<String, String> values, List<String> positional) {
    static Options parse(List<String> args, List<String> known) {
        Map<String, String> values = new HashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--")) {
                if (!known.contains(arg) || i + 1 >= args.size()) {
                    throw new IllegalArgumentException("unknown option or missing value: " + arg);
                }
                values.put(arg, args.get(++i));
            } else {
                positional.add(arg);
            }
        }
        return new Options(values, positional);
    }

    Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }
}
