package io.ora.load.identities;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A directory written by {@code certs}: one credentials directory per identity ({@code ca.crt}, {@code client.crt},
 * {@code client.key}, the layout {@code PeerCredentials.load} and {@code mosquitto_pub} read) and the bindings.
 *
 * <pre>
 * hubs/&lt;uuid&gt;/        a hub's credentials
 * apps/&lt;app-id&gt;/      an app's credentials
 * bindings.txt          &lt;app-id&gt; &lt;hub-uuid&gt; per line
 * mosquitto.acl/.conf   the equivalent Mosquitto 2 broker set-up
 * </pre>
 */
public record CertificateSet(Path dir, Bindings bindings) {

    /** The bindings file, read by {@code ora-node grant --file}. */
    public static final String BINDINGS_FILE = "bindings.txt";
    /** The Mosquitto ACL file. */
    public static final String ACL_FILE = "mosquitto.acl";
    /** The Mosquitto configuration file. */
    public static final String CONF_FILE = "mosquitto.conf";

    static final String HUBS_DIR = "hubs";
    static final String APPS_DIR = "apps";

    /** Orders {@code app-9999} before {@code app-10000}: shorter first, then by text. */
    static final Comparator<String> NATURAL = Comparator.comparingInt(String::length)
            .thenComparing(Comparator.naturalOrder());

    /** Opens a directory written by {@code certs}. */
    public static CertificateSet open(Path dir) throws IOException {
        Path bindingsFile = dir.resolve(BINDINGS_FILE);
        if (!Files.isRegularFile(bindingsFile)) {
            throw new IOException("no " + BINDINGS_FILE + " in " + dir + ": generate it with the certs command");
        }
        List<String> apps;
        try (Stream<Path> entries = Files.list(dir.resolve(APPS_DIR))) {
            apps = entries.filter(Files::isDirectory).map(path -> path.getFileName().toString()).sorted(NATURAL)
                    .toList();
        }
        try {
            return new CertificateSet(dir,
                    Bindings.parse(Files.readString(bindingsFile, StandardCharsets.UTF_8), apps));
        } catch (IllegalArgumentException malformed) {
            throw new IOException(bindingsFile + ": " + malformed.getMessage(), malformed);
        }
    }

    /** Credentials directory of a hub. */
    public Path hubDir(UUID hub) {
        return dir.resolve(HUBS_DIR).resolve(hub.toString());
    }

    /** Credentials directory of an app. */
    public Path appDir(String app) {
        return dir.resolve(APPS_DIR).resolve(app);
    }
}
