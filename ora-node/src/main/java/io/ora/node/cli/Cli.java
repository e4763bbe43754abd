package io.ora.node.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ora.core.identity.PeerId;
import io.ora.core.pki.DevPki;
import io.ora.core.pki.Pem;
import io.ora.core.pki.PeerCertificates;
import io.ora.node.RunFile;
import io.ora.persistence.Database;
import io.ora.portal.auth.OidcSettings;
import io.ora.portal.auth.Role;
import io.ora.portal.dev.DevIssuer;
import io.ora.relay.access.JdbcBindings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The node's command line (docs/cli.md). Commands act on the node's {@code ORA_HOME} and database, so they work
 * whether or not the node is running: grants made here reach a running node within its binding cache TTL, and a
 * revoked certificate is disconnected within its TLS reload interval.
 */
public final class Cli {

    /** Exit status of a usage error. */
    public static final int USAGE = 2;
    private static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);

    private final PrintStream out;
    private final PrintStream err;
    private final Config overrides;

    /**
     * @param overrides configuration above the packaged one and the {@code ORA_*} environment (tests use it to
     *                  point at their own home and database)
     */
    public Cli(PrintStream out, PrintStream err, Config overrides) {
        this.out = out;
        this.err = err;
        this.overrides = overrides;
    }

    /** Runs one command; returns the process exit status. */
    public int run(List<String> args) {
        try {
            return switch (args.get(0)) {
                case "pki" -> pki(args.subList(1, args.size()));
                case "grant" -> bindings(args.subList(1, args.size()), true);
                case "revoke" -> bindings(args.subList(1, args.size()), false);
                case "token" -> token(args.subList(1, args.size()));
                case "hub" -> new HubCommands(out, err, this::deviceListener, this::relayPort)
                        .run(args.subList(1, args.size()));
                case "firmware" -> new FirmwareCommands(out, err, Clock.systemUTC()).run(args.subList(1, args.size()));
                case "help", "--help", "-h" -> {
                    out.print(usage());
                    yield 0;
                }
                default -> usageError("unknown command '" + args.get(0) + "'");
            };
        } catch (IllegalArgumentException | IndexOutOfBoundsException bad) {
            return usageError(bad.getMessage());
        } catch (IOException | SQLException | RuntimeException failed) {
            err.println("error: " + failed.getMessage());
            return 1;
        }
    }

    private int pki(List<String> args) throws IOException {
        if (args.isEmpty()) {
            return usageError("pki needs a subcommand: hub, app or revoke-cert");
        }
        Config config = config();
        Path pkiDir = Path.of(config.getString("ora.home")).resolve("pki");
        switch (args.get(0)) {
            case "hub", "app" -> {
                Options options = Options.parse(args.subList(1, args.size()), List.of("--out", "--days"));
                if (options.positional().size() != 1 || options.value("--out").isEmpty()) {
                    return usageError("usage: pki " + args.get(0) + " <id> --out <dir> [--days N]");
                }
                String id = options.positional().get(0);
                PeerId peer = args.get(0).equals("hub") ? PeerId.Hub.parse(id) : new PeerId.App(id);
                Duration validity = options.value("--days").map(days -> Duration.ofDays(Long.parseLong(days)))
                        .orElse(DEFAULT_VALIDITY);
                Path outDir = Path.of(options.value("--out").get());
                X509Certificate certificate = DevPki.openOrCreate(pkiDir).issuePeerFiles(peer, validity, outDir);
                out.printf("issued %s (serial %s, valid until %s)%n  %s%n  %s%n  %s%n", peer.urn(),
                        PeerCertificates.serial(certificate), certificate.getNotAfter().toInstant(),
                        outDir.resolve("ca.crt"), outDir.resolve("client.crt"), outDir.resolve("client.key"));
                return 0;
            }
            case "revoke-cert" -> {
                if (args.size() != 2) {
                    return usageError("usage: pki revoke-cert <serial-or-certificate-file>");
                }
                String serial = serialOf(args.get(1));
                DevPki.open(pkiDir).revoke(serial);
                out.printf("serial %s is on the deny-list %s%n", PeerCertificates.normaliseSerial(serial),
                        pkiDir.resolve("revoked-serials"));
                return 0;
            }
            default -> {
                return usageError("unknown pki subcommand '" + args.get(0) + "'");
            }
        }
    }

    private int bindings(List<String> args, boolean grant) throws IOException, SQLException {
        Options options = Options.parse(args, List.of("--file"));
        List<String[]> pairs = new ArrayList<>();
        if (options.value("--file").isPresent()) {
            for (String line : Files.readAllLines(Path.of(options.value("--file").get()), StandardCharsets.UTF_8)) {
                String text = line.strip();
                if (!text.isEmpty() && !text.startsWith("#")) {
                    pairs.add(text.split("\\s+"));
                }
            }
        } else {
            pairs.add(options.positional().toArray(String[]::new));
        }
        List<Binding> parsed = new ArrayList<>();
        for (String[] pair : pairs) {
            if (pair.length != 2) {
                return usageError("usage: " + (grant ? "grant" : "revoke")
                        + " <app-id> <hub-uuid>  |  --file <file of 'app-id hub-uuid' lines>");
            }
            parsed.add(new Binding(new PeerId.App(pair[0]), PeerId.Hub.parse(pair[1]).uuid()));
        }
        try (Database database = CliDatabase.open(config())) {
            // No cache is wanted here: every call goes to the database, which the running node reads.
            JdbcBindings store = new JdbcBindings(database.dataSource(), Runnable::run, Duration.ofMillis(1), 1);
            for (Binding binding : parsed) {
                if (grant) {
                    store.grant(binding.app().id(), binding.hub());
                } else {
                    store.revoke(binding.app().id(), binding.hub());
                }
            }
        }
        out.printf("%s %d binding(s)%n", grant ? "granted" : "revoked", parsed.size());
        return 0;
    }

    private record Binding(PeerId.App app, UUID hub) {
    }

    private static String serialOf(String serialOrFile) throws IOException {
        Path file = Path.of(serialOrFile);
        if (Files.isRegularFile(file)) {
            List<X509Certificate> certificates = Pem.readCertificates(file);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(serialOrFile + " holds no certificate");
            }
            return PeerCertificates.serial(certificates.get(0));
        }
        return PeerCertificates.normaliseSerial(serialOrFile);
    }

    /**
     * Mints an access token from the development issuer, with the key the node uses, for the issuer URL the running
     * node recorded (or, with no node running, the one it will serve at on the configured port).
     */
    private int token(List<String> args) throws IOException {
        Options options = Options.parse(args, List.of("--sub", "--role", "--auth-age", "--acr"));
        if (!options.positional().isEmpty() || options.value("--sub").isEmpty() || options.value("--role").isEmpty()) {
            return usageError("usage: token --sub <id> --role electrician|homeowner|operator[,...] "
                    + "[--auth-age <seconds>] [--acr <value>]");
        }
        Config config = config();
        OidcSettings oidc = OidcSettings.from(config.getConfig("ora.portal.oidc"));
        if (!oidc.usesDevIssuer()) {
            err.println("error: ORA_OIDC_ISSUER is set: tokens come from that identity provider, not from this CLI");
            return 1;
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : options.value("--role").get().split(",")) {
            roles.add(Role.fromWire(name.trim()).orElseThrow(() -> new IllegalArgumentException(
                    "unknown role '" + name.trim() + "' (electrician, homeowner or operator)")));
        }
        Optional<Duration> authAge = options.value("--auth-age").map(seconds -> {
            try {
                return Duration.ofSeconds(Long.parseLong(seconds));
            } catch (NumberFormatException notANumber) {
                throw new IllegalArgumentException("--auth-age takes whole seconds");
            }
        });
        Path home = Path.of(config.getString("ora.home"));
        String issuerUrl = RunFile.issuer(home).orElseGet(() -> DevIssuer.issuerUrlFor(
                config.getString("ora.portal.http.host"), config.getInt("ora.portal.http.port"),
                oidc.devIssuer().path()));
        DevIssuer issuer = DevIssuer.loadOrCreate(oidc.devIssuer().keyDir(), issuerUrl, oidc.devIssuer().tokenTtl(),
                oidc.audience(), oidc.rolesClaim());
        String token = issuer.mint(new DevIssuer.TokenRequest(options.value("--sub").get(), roles, authAge,
                options.value("--acr"), Optional.empty(), Optional.empty()));
        out.println(token);
        return 0;
    }

    /** The device HTTPS listener of this node's configuration, on this host. */
    private URI deviceListener() {
        return URI.create("https://127.0.0.1:" + config().getInt("ora.device-https.port"));
    }

    /** The MQTT listener's port of this node's configuration. */
    private int relayPort() {
        return config().getInt("ora.relay.mqtt.port");
    }

    private Config config() {
        return ConfigFactory.load(overrides.withFallback(ConfigFactory.parseResources("application.conf")));
    }

    private int usageError(String message) {
        err.println("error: " + message);
        err.print(usage());
        return USAGE;
    }

    static String usage() {
        return """
                usage: java -jar ora-node.jar [run]                        start a node (all roles by default)
                       java -jar ora-node.jar pki hub <uuid> --out <dir> [--days N]
                       java -jar ora-node.jar pki app <app-id> --out <dir> [--days N]
                       java -jar ora-node.jar pki revoke-cert <serial-or-certificate-file>
                       java -jar ora-node.jar grant <app-id> <hub-uuid>  |  grant --file <file>
                       java -jar ora-node.jar revoke <app-id> <hub-uuid> |  revoke --file <file>
                       java -jar ora-node.jar token --sub <id> --role electrician|homeowner|operator[,...]
                                              [--auth-age <seconds>] [--acr <value>]
                       java -jar ora-node.jar hub backup --cert-dir <dir> --config <hub-config.json>
                                              (--new-recovery-key <kit-file> | --recovery-key <key> | both)
                                              [--url <https-url>]
                       java -jar ora-node.jar hub restore --cert-dir <dir> --recovery-key <key> --out <file>
                                              [--version <n>] [--url <https-url>]
                       java -jar ora-node.jar hub delete --cert-dir <dir> --recovery-key <key> [--url <https-url>]
                       java -jar ora-node.jar hub ota --cert-dir <dir> --model <model> --version <x.y.z>
                                              --root-key <root.pub> --out <dir> [--host <host>] [--port <port>]
                       java -jar ora-node.jar firmware keygen --out <dir> [--expires-in-days N]
                       java -jar ora-node.jar firmware sign --key <release.key> --image <file> --model <model>
                                              --version <x.y.z> [--min-version <x.y.z>] [--notes <text>]
                                              [--expires-in-days N] --out <release.json>
                       java -jar ora-node.jar firmware rotate --root-key <root.key> [--new-root-key <key>]
                                              --release-pub <pub> [--release-pub <pub> ...] --version <n>
                                              [--expires-in-days N] --out <root.json>
                       java -jar ora-node.jar firmware verify --root-key <root.pub> --roots <root.json>[,...]
                                              --release <release.json> [--image <file>] [--model <model>]
                                              [--installed <x.y.z>]
                       java -jar ora-node.jar help
                ORA_HOME (default ./.ora) selects the node's state: dev CA, embedded database, dev issuer key.
                hub commands act as the hub whose certificate is in --cert-dir (from pki hub) against the device
                listener at --url (default https://127.0.0.1:<ora.device-https.port>, 8443). Exit status: 0 done,
                1 failure, 2 usage error, 3 mistyped Recovery Key, 4 no backup, 5 not authentic, 6 not a backup,
                7 refused, 8 unavailable, 9 I/O, 10 configuration refused, 11 old backup kept, 12 update failed
                (docs/cli.md). hub ota talks to the relay at --host (127.0.0.1) and --port (ora.relay.mqtt.port,
                8883).
                """;
    }
}
