package io.ora.core.topic;

import io.ora.core.identity.PeerId;
import java.util.Optional;
import java.util.UUID;

/**
 * The versioned MQTT topic namespace (DESIGN §4). Phase 2 adds channels ({@code cmd}, {@code stream}) beside the
 * ones here without changing them.
 *
 * <pre>
 * ora/v1/hub/&lt;uuid&gt;/in[/...]        inbox of a hub: what apps send to it
 * ora/v1/app/&lt;app-id&gt;/in[/...]      inbox of an app: what hubs send to it
 * ora/v1/hub/&lt;uuid&gt;/telemetry       health telemetry, read by the ingest role
 * ora/v1/hub/&lt;uuid&gt;/ota             a hub's OTA status check, answered by the relay on
 * ora/v1/hub/&lt;uuid&gt;/in/ota          (a level of the hub's inbox)
 * ora/v1/hub/&lt;uuid&gt;/ota/report      a hub's report of how an offered update went
 * </pre>
 */
public final class Topics {

    /** Root of every Phase-1 topic. */
    public static final String ROOT = "ora/v1/";
    /** Longest topic the relay accepts; well below MQTT's 65,535 so one bad peer cannot make us allocate much. */
    public static final int MAX_TOPIC_LENGTH = 512;

    private Topics() {
    }

    /** The inbox topic of a peer, e.g. {@code ora/v1/hub/<uuid>/in}. */
    public static String inbox(PeerId peer) {
        return ROOT + peer.kind() + "/" + peer.topicSegment() + "/in";
    }

    /**
     * Where the relay answers a hub's OTA status check: {@code ora/v1/hub/<uuid>/in/ota}, a level of the hub's own
     * inbox, so the hub's inbox subscription receives it.
     */
    public static String otaStatus(PeerId.Hub hub) {
        return inbox(hub) + "/ota";
    }

    /** Where a hub asks for its OTA status: {@code ora/v1/hub/<uuid>/ota}. */
    public static String otaCheck(PeerId.Hub hub) {
        return ROOT + hub.kind() + "/" + hub.topicSegment() + "/ota";
    }

    /** Where a hub reports how an offered update went: {@code ora/v1/hub/<uuid>/ota/report}. */
    public static String otaReport(PeerId.Hub hub) {
        return ROOT + hub.kind() + "/" + hub.topicSegment() + "/ota/report";
    }

    /**
     * Whether {@code filter} is one the peer may subscribe to: its own inbox or anything below it. A 3.1.1
     * subscriber must use {@code <inbox>/#}, since 3.1.1 deliveries carry the sender as a topic suffix.
     */
    public static boolean maySubscribe(PeerId peer, String filter) {
        String inbox = inbox(peer);
        return filter.equals(inbox) || filter.startsWith(inbox + "/");
    }

    /**
     * Parses the topic of a PUBLISH into where it is going. Returns empty for anything outside the namespace or
     * malformed (wildcards, empty levels, a non-canonical hub uuid, a bad app id).
     */
    public static Optional<Destination> destination(String topic) {
        if (!isValidTopicName(topic) || !topic.startsWith(ROOT)) {
            return Optional.empty();
        }
        String[] levels = topic.substring(ROOT.length()).split("/", -1);
        if (levels.length < 3) {
            return Optional.empty();
        }
        Optional<PeerId> peer = peer(levels[0], levels[1]);
        if (peer.isEmpty()) {
            return Optional.empty();
        }
        String channel = levels[2];
        if (channel.equals("in")) {
            return Optional.of(new Destination.Inbox(peer.get(), topic));
        }
        if (levels.length == 4 && channel.equals("ota") && levels[3].equals("report")
                && peer.get() instanceof PeerId.Hub hub) {
            return Optional.of(new Destination.OtaReport(hub));
        }
        if (levels.length == 3 && peer.get() instanceof PeerId.Hub hub) {
            if (channel.equals("telemetry")) {
                return Optional.of(new Destination.Telemetry(hub));
            }
            if (channel.equals("ota")) {
                return Optional.of(new Destination.Ota(hub));
            }
        }
        return Optional.empty();
    }

    /**
     * MQTT topic-name rules for a PUBLISH: non-empty, bounded, no wildcards, no NUL, no empty levels (an empty
     * level is legal MQTT but never names anything of ours and would let one destination have many spellings).
     */
    public static boolean isValidTopicName(String topic) {
        if (topic == null || topic.isEmpty() || topic.length() > MAX_TOPIC_LENGTH) {
            return false;
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#' || c == '\u0000') {
                return false;
            }
        }
        return !topic.startsWith("/") && !topic.endsWith("/") && !topic.contains("//");
    }

    /**
     * MQTT topic-filter matching ({@code +} one level, {@code #} the rest including the parent level).
     * Filters are assumed to be well formed; {@link #isValidFilter} checks that.
     */
    public static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length) {
                return false;
            }
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /** MQTT topic-filter syntax: {@code #} only as the whole last level, {@code +} only as a whole level. */
    public static boolean isValidFilter(String filter) {
        if (filter == null || filter.isEmpty() || filter.length() > MAX_TOPIC_LENGTH || filter.indexOf('\u0000') >= 0) {
            return false;
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return false;
            }
            if (level.contains("+") && !level.equals("+")) {
                return false;
            }
        }
        return true;
    }

    private static Optional<PeerId> peer(String kind, String segment) {
        try {
            return switch (kind) {
                case "hub" -> Optional.of(PeerId.Hub.parse(segment));
                case "app" -> Optional.of(new PeerId.App(segment));
                default -> Optional.empty();
            };
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }

    /** Where a PUBLISH is going. */
    public sealed interface Destination {
        /** A peer's inbox; {@code topic} is the full topic as published (it may have levels below {@code in}). */
        record Inbox(PeerId peer, String topic) implements Destination {
        }

        /** A hub's telemetry channel, read by the ingest role. */
        record Telemetry(PeerId.Hub hub) implements Destination {
        }

        /**
         * A hub's OTA channel: publishing here asks the relay for the hub's OTA status, answered on
         * {@link Topics#otaStatus}. Only the hub itself may publish to it.
         */
        record Ota(PeerId.Hub hub) implements Destination {
        }

        /** A hub's report of how an offered update went (docs/ota.md, "Report"). Only the hub itself publishes. */
        record OtaReport(PeerId.Hub hub) implements Destination {
        }
    }

    /** Convenience for tests and tools: the inbox of a hub by UUID. */
    public static String hubInbox(UUID hub) {
        return inbox(new PeerId.Hub(hub));
    }
}
