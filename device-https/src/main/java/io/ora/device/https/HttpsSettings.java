package io.ora.device.https;

import com.typesafe.config.Config;
import io.ora.core.pki.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code ora.device-https} configuration section, read once. Defaults live in {@code reference.conf}, never here;
 * what a route takes (its body limit, its rate) is the route's own configuration.
 *
 * @param enabled     whether the node opens the listener (when a role of it mounts routes; see {@link DeviceHttps})
 * @param iface       the interface to bind
 * @param port        the port to bind; 0 for any free one
 * @param bodyTimeout how long a client may take to send its body
 */
record HttpsSettings(boolean enabled, String iface, int port, Duration bodyTimeout, Tls tls) {

    /** Where the file-reading reloads run. */
    static final String BLOCKING_DISPATCHER = "ora.device-https.blocking-dispatcher";

    /** The device CA, the server's chain and key, the serial deny-list, and how often they are checked. */
    record Tls(TlsFiles files, Duration reloadInterval) {
    }

    /** Reads {@code ora.device-https} from a resolved config. */
    static HttpsSettings from(Config root) {
        Config c = root.getConfig("ora.device-https");
        Config t = c.getConfig("tls");
        return new HttpsSettings(c.getBoolean("enabled"), c.getString("interface"), c.getInt("port"),
                c.getDuration("body-timeout"),
                new Tls(new TlsFiles(Path.of(t.getString("ca")), Path.of(t.getString("certificate")),
                        Path.of(t.getString("key")), Path.of(t.getString("revoked-serials"))),
                        t.getDuration("reload-interval")));
    }
}
