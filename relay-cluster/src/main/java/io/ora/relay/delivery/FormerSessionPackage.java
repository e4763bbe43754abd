package io.ora.relay.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads the messages of this package that a node of an earlier release sends, when the package was still called
 * {@code io.ora.relay.session}: Jackson CBOR names a message by its class, so during a rolling upgrade a
 * connection actor here would otherwise not understand an older entity's {@code Attached} or {@code Deliver}. The
 * content is unchanged; only the name moves (registered under each old name in {@code reference.conf}).
 *
 * <p>It cannot help the other way: an older node does not know the new names, so until every node runs this release
 * what a newer node's entity sends to an older node's connection is not read there.
 */
public final class FormerSessionPackage extends JacksonMigration {

    static final String FORMER = "io.ora.relay.session.";
    static final String CURRENT = "io.ora.relay.delivery.";

    @Override
    public int currentVersion() {
        // Above the version an old node's messages carry (1, for a class that had no migration): so Pekko asks
        // transformClassName for them. This release's own messages carry their new name and no version.
        return 2;
    }

    @Override
    public String transformClassName(int fromVersion, String className) {
        return className.startsWith(FORMER) ? CURRENT + className.substring(FORMER.length()) : className;
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
        return json;
    }
}
