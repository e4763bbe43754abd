package io.ora.core.identity;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The identity of a relay peer, as written in its X.509 certificate: {@code urn:ora:hub:<uuid>} for a Hub and
 * {@code urn:ora:app:<app-id>} for an app install.
 *
 * <p>Identities are only ever taken from a verified certificate, never from what a client claims (DESIGN §3).
 * The URN form is canonical: parsing and printing round-trip exactly.
 */
public sealed interface PeerId permits PeerId.Hub, PeerId.App {

    /** Prefix shared by every Ora identity URN. */
    String URN_PREFIX = "urn:ora:";

    /** The canonical URN, e.g. {@code urn:ora:hub:3f1c...}. */
    String urn();

    /** {@code hub} or {@code app}: the word used in URNs and topic names. */
    String kind();

    /** The segment used in topic names: the UUID for a hub, the app id for an app. */
    String topicSegment();

    /** A Hub, identified by the UUID it was provisioned with. */
    record Hub(UUID uuid) implements PeerId {
        public Hub {
            if (uuid == null) {
                throw new IllegalArgumentException("hub uuid is required");
            }
        }

        /** Parses the canonical lower-case UUID form, refusing anything else. */
        public static Hub parse(String uuid) {
            return new Hub(parseUuid(uuid));
        }

        @Override
        public String urn() {
            return URN_PREFIX + kind() + ":" + uuid;
        }

        @Override
        public String kind() {
            return "hub";
        }

        @Override
        public String topicSegment() {
            return uuid.toString();
        }

        @Override
        public String toString() {
            return urn();
        }
    }

    /**
     * An app install. The id is one or two segments ({@code <user-id>:<install-id>} once the portal issues app
     * certificates) of letters, digits, {@code .}, {@code _} and {@code -}; it never holds MQTT topic syntax.
     */
    record App(String id) implements PeerId {
        private static final Pattern ID =
                Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}(:[A-Za-z0-9][A-Za-z0-9._-]{0,63})?");

        public App {
            if (id == null || !ID.matcher(id).matches()) {
                throw new IllegalArgumentException("app id must be 1-64 letters, digits, '.', '_' or '-'"
                        + " (optionally two such parts joined by ':')");
            }
        }

        @Override
        public String urn() {
            return URN_PREFIX + kind() + ":" + id;
        }

        @Override
        public String kind() {
            return "app";
        }

        @Override
        public String topicSegment() {
            return id;
        }

        @Override
        public String toString() {
            return urn();
        }
    }

    /** Parses a URN, or returns empty when it is not a well-formed Ora identity. */
    static Optional<PeerId> fromUrn(String urn) {
        if (urn == null || !urn.startsWith(URN_PREFIX)) {
            return Optional.empty();
        }
        String rest = urn.substring(URN_PREFIX.length());
        try {
            if (rest.startsWith("hub:")) {
                return Optional.of(Hub.parse(rest.substring(4)));
            }
            if (rest.startsWith("app:")) {
                return Optional.of(new App(rest.substring(4)));
            }
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static UUID parseUuid(String text) {
        UUID uuid = UUID.fromString(text);
        // UUID.fromString accepts short and upper-case forms; only the canonical form may name a hub, so that one
        // hub has exactly one topic and one entity id.
        if (!uuid.toString().equals(text.toLowerCase(Locale.ROOT)) || !text.equals(text.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("hub uuid must be in canonical lower-case form");
        }
        return uuid;
    }
}
