package io.ora.load.identities;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Which app each hub is bound to, and so which inboxes each peer may write to. In a generated population hub
 * {@code i} is bound to app {@code i mod M}: every hub has exactly one app and every app {@code N/M} hubs (give or
 * take one).
 *
 * <p>The text form, one {@code <app-id> <hub-uuid>} per line in hub order, is what {@code ora-node grant --file}
 * reads and what the load generator reads back to pick its hubs.
 *
 * @param hubs     every hub, in a stable order
 * @param apps     every app, in a stable order (an app may have no hub)
 * @param appOfHub the one app each hub is bound to
 */
public record Bindings(List<UUID> hubs, List<String> apps, Map<UUID, String> appOfHub) {

    public Bindings {
        hubs = List.copyOf(hubs);
        apps = List.copyOf(apps);
        appOfHub = Map.copyOf(appOfHub);
        Set<String> known = new HashSet<>(apps);
        if (known.size() != apps.size() || new HashSet<>(hubs).size() != hubs.size()) {
            throw new IllegalArgumentException("hubs and apps must not repeat");
        }
        for (UUID hub : hubs) {
            String app = appOfHub.get(hub);
            if (app == null || !known.contains(app)) {
                throw new IllegalArgumentException("hub " + hub + " is not bound to a known app");
            }
        }
    }

    /** Binds hub {@code i} to app {@code i mod apps.size()}. */
    public static Bindings roundRobin(List<UUID> hubs, List<String> apps) {
        if (apps.isEmpty() && !hubs.isEmpty()) {
            throw new IllegalArgumentException("hubs need at least one app to be bound to");
        }
        Map<UUID, String> appOfHub = new LinkedHashMap<>();
        for (int i = 0; i < hubs.size(); i++) {
            appOfHub.put(hubs.get(i), apps.get(i % apps.size()));
        }
        return new Bindings(hubs, apps, appOfHub);
    }

    /**
     * Reads the text form. {@code apps} lists every app (apps without hubs do not appear in the text); blank lines
     * and {@code #} comments are skipped.
     */
    public static Bindings parse(String text, List<String> apps) {
        List<UUID> hubs = new ArrayList<>();
        Map<UUID, String> appOfHub = new LinkedHashMap<>();
        int lineNumber = 0;
        for (String line : text.split("\n")) {
            lineNumber++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] fields = trimmed.split("\\s+");
            if (fields.length != 2) {
                throw new IllegalArgumentException("line " + lineNumber + ": expected '<app-id> <hub-uuid>'");
            }
            UUID hub = UUID.fromString(fields[1]);
            if (appOfHub.put(hub, fields[0]) != null) {
                throw new IllegalArgumentException("line " + lineNumber + ": hub " + hub + " is bound twice");
            }
            hubs.add(hub);
        }
        return new Bindings(hubs, apps, appOfHub);
    }

    /** The text form: {@code <app-id> <hub-uuid>} per line, in hub order. */
    public String toText() {
        StringBuilder text = new StringBuilder();
        for (UUID hub : hubs) {
            text.append(appOfHub.get(hub)).append(' ').append(hub).append('\n');
        }
        return text.toString();
    }

    /** The hubs bound to each app, in hub order; every app is a key, possibly with no hubs. */
    public Map<String, List<UUID>> hubsByApp() {
        Map<String, List<UUID>> byApp = new LinkedHashMap<>();
        apps.forEach(app -> byApp.put(app, new ArrayList<>()));
        hubs.forEach(hub -> byApp.get(appOfHub.get(hub)).add(hub));
        return byApp;
    }

    /**
     * The first {@code appCount} apps and the first {@code hubCount} hubs bound to them: the population of one
     * benchmark run taken from a larger generated one.
     */
    public Bindings select(int hubCount, int appCount) {
        if (appCount < 0 || appCount > apps.size()) {
            throw new IllegalArgumentException("asked for " + appCount + " apps but only " + apps.size() + " exist");
        }
        List<String> chosenApps = apps.subList(0, appCount);
        Set<String> chosen = new HashSet<>(chosenApps);
        List<UUID> chosenHubs = hubs.stream().filter(hub -> chosen.contains(appOfHub.get(hub))).limit(hubCount)
                .toList();
        if (chosenHubs.size() < hubCount) {
            throw new IllegalArgumentException("asked for " + hubCount + " hubs but only " + chosenHubs.size()
                    + " are bound to the first " + appCount + " apps");
        }
        Map<UUID, String> chosenBindings = new LinkedHashMap<>();
        chosenHubs.forEach(hub -> chosenBindings.put(hub, appOfHub.get(hub)));
        return new Bindings(chosenHubs, chosenApps, chosenBindings);
    }
}
