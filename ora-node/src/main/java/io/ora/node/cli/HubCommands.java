package io.ora.node.cli;

import io.ora.core.firmware.FirmwareKeys;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.ReleaseMetadata;
import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.backup.BackupClient;
import io.ora.hubkit.backup.BackupFlows;
import io.ora.hubkit.backup.BackupKeys;
import io.ora.hubkit.backup.HubBackup;
import io.ora.hubkit.backup.HubConfigProjection;
import io.ora.hubkit.backup.RecoveryKey;
import io.ora.hubkit.ota.OtaAnswer;
import io.ora.hubkit.ota.OtaClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * {@code hub backup}, {@code hub restore} and {@code hub delete}: what a hub does with its configuration backup
 * (docs/backup.md, "Flows"), and {@code hub ota}: a hub's firmware update check, download and install
 * (docs/ota.md, "The hub's side"), run from the command line with a hub certificate from {@code pki hub}
 * (docs/cli.md). Each failure is one line on stderr and its own exit status; no output ever holds the Recovery Key
 * (except the emergency kit file), the locator, the write credential or a private key. A usage error is thrown as an
 * {@link IllegalArgumentException}, which {@link Cli} turns into status {@value Cli#USAGE} and the usage text.
 */
final class HubCommands {

    /** The Recovery Key as typed is not one; the message names the group. */
    static final int MISTYPED_KEY = 3;
    /** No backup under this key (or the version asked for is not kept). */
    static final int NO_BACKUP = 4;
    /** The backup fails authentication: altered, or sealed under another key. */
    static final int NOT_AUTHENTIC = 5;
    /** The download is not a backup this version can read (not a whole envelope, unknown version, not a backup). */
    static final int NOT_A_BACKUP = 6;
    /** The store refused the request (a problem other than the above). */
    static final int REFUSED = 7;
    /** The store is unavailable or rate-limited (429, 503): try again. */
    static final int UNAVAILABLE = 8;
    /** No answer: the server could not be reached, TLS failed, or a local file could not be read or written. */
    static final int IO = 9;
    /** The hub configuration document is refused (the message names the field's path). */
    static final int CONFIG_REFUSED = 10;
    /** A rotation stored the new backup but could not delete the old one. */
    static final int OLD_BACKUP_KEPT = 11;
    /** {@code hub ota}: the offered update was refused by the hub's checks, or its download or install failed. */
    static final int OTA_FAILED = 12;

    static final String BACKUP_USAGE = "usage: hub backup --cert-dir <dir> --config <hub-config.json>"
            + " (--new-recovery-key <kit-file> | --recovery-key <key> | both, to rotate) [--url <https-url>]";
    static final String RESTORE_USAGE = "usage: hub restore --cert-dir <dir> --recovery-key <key> --out <file>"
            + " [--version <n>] [--url <https-url>]";
    static final String DELETE_USAGE = "usage: hub delete --cert-dir <dir> --recovery-key <key> [--url <https-url>]";
    static final String OTA_USAGE = "usage: hub ota --cert-dir <dir> --model <model> --version <x.y.z>"
            + " --root-key <root.pub> --out <dir> [--host <relay host>] [--port <relay port>]";

    private final PrintStream out;
    private final PrintStream err;
    private final Supplier<URI> defaultUrl;
    private final IntSupplier defaultRelayPort;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param defaultUrl       the device listener of this node's configuration, when {@code --url} is not given
     * @param defaultRelayPort the MQTT listener's port of this node's configuration, when {@code --port} is not
     */
    HubCommands(PrintStream out, PrintStream err, Supplier<URI> defaultUrl, IntSupplier defaultRelayPort) {
        this.out = out;
        this.err = err;
        this.defaultUrl = defaultUrl;
        this.defaultRelayPort = defaultRelayPort;
    }

    int run(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("hub needs a subcommand: backup, restore, delete or ota");
        }
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.get(0)) {
                case "backup" -> backup(rest);
                case "restore" -> restore(rest);
                case "delete" -> delete(rest);
                case "ota" -> ota(rest);
                default -> throw new IllegalArgumentException("unknown hub subcommand '" + args.get(0) + "'");
            };
        } catch (NoSuchFileException missing) {
            return fail(IO, "no such file: " + missing.getFile());
        } catch (AccessDeniedException denied) {
            return fail(IO, "permission denied: " + denied.getFile());
        } catch (IOException failed) {
            // Paths and the HTTP stack's words only: BackupClient scrubs the locator and credential from these.
            return fail(IO, failed.getMessage());
        }
    }

    private int backup(List<String> args) throws IOException {
        Options options = Options.parse(args, List.of("--cert-dir", "--config", "--new-recovery-key",
                "--recovery-key", "--url"));
        Optional<String> typed = options.value("--recovery-key");
        Optional<Path> kit = options.value("--new-recovery-key").map(Path::of);
        if (!options.positional().isEmpty() || options.value("--cert-dir").isEmpty()
                || options.value("--config").isEmpty() || typed.isEmpty() && kit.isEmpty()) {
            throw new IllegalArgumentException(BACKUP_USAGE);
        }
        URI url = url(options);
        if (kit.isPresent()) {
            checkNewFile(kit.get());
        }
        Optional<RecoveryKey.Parsed> parsed = typed.map(RecoveryKey::parse);
        if (parsed.isPresent() && parsed.get() instanceof RecoveryKey.Parsed.Invalid invalid) {
            return mistyped(invalid);
        }
        Optional<RecoveryKey> old = parsed.map(valid -> ((RecoveryKey.Parsed.Valid) valid).key());
        Path configFile = Path.of(options.value("--config").get());
        if (Files.size(configFile) > HubConfigProjection.MAX_DOCUMENT_BYTES) {
            return fail(CONFIG_REFUSED, "the hub configuration is refused: larger than "
                    + HubConfigProjection.MAX_DOCUMENT_BYTES + " bytes");
        }
        byte[] config = Files.readAllBytes(configFile);
        try {
            // Before a key is made: a configuration that cannot be backed up must not leave a kit behind.
            HubConfigProjection.project(config);
        } catch (HubConfigProjection.RefusedDocumentException refused) {
            return fail(CONFIG_REFUSED, "the hub configuration is refused at " + refused.getMessage());
        }
        BackupFlows flows = flows(options, url);
        if (kit.isEmpty()) {
            return reportBackUp(flows.backUp(config, old.get(), new BackupFlows.Previous.Unknown()), "");
        }
        RecoveryKey fresh = RecoveryKey.generate(random);
        writeKit(kit.get(), fresh);
        try {
            return backUpUnderNewKey(flows, config, old, fresh, kit.get());
        } catch (IOException noAnswer) {
            // The write may or may not have been stored; either way the same command with the kit's key completes it.
            return fail(IO, noAnswer.getMessage() + unbacked(kit.get(), "may hold"));
        }
    }

    private int backUpUnderNewKey(BackupFlows flows, byte[] config, Optional<RecoveryKey> old, RecoveryKey fresh,
                                  Path kit) throws IOException {
        String unbacked = unbacked(kit, "holds");
        if (old.isEmpty()) {
            int status = reportBackUp(flows.backUp(config, fresh, new BackupFlows.Previous.First()), unbacked);
            if (status == 0) {
                out.println("the Recovery Key is in " + kit + ": print it or write it down, then delete the file");
            }
            return status;
        }
        BackupFlows.Rotate rotated = flows.rotate(config, old.get(), fresh);
        if (rotated instanceof BackupFlows.Rotated done) {
            out.printf("backup stored under the new Recovery Key (in %s) as version %d; the backup under the old key"
                    + " is deleted%n", kit, done.version());
            return 0;
        }
        if (rotated instanceof BackupFlows.OldKept kept) {
            return fail(OLD_BACKUP_KEPT, "backup stored under the new Recovery Key (in " + kit + ") as version "
                    + kept.version() + ", but the backup under the old key is still there (" + describe(kept.failure())
                    + "): delete it with hub delete --recovery-key and the old key");
        }
        return reportBackUp((BackupFlows.BackUp) rotated, "; the backup under the old key is unchanged" + unbacked);
    }

    private static String unbacked(Path kit, String verb) {
        return "; the new Recovery Key in " + kit + " " + verb + " no backup yet: run hub backup again with"
                + " --recovery-key and that key";
    }

    private int reportBackUp(BackupFlows.BackUp outcome, String afterFailure) {
        if (outcome instanceof BackupFlows.BackedUp done) {
            out.printf("backup stored as version %d%n", done.version());
            return 0;
        }
        if (outcome instanceof BackupFlows.ConfigRefused refused) {
            return fail(CONFIG_REFUSED, "the hub configuration is refused at " + refused.reason() + afterFailure);
        }
        if (outcome instanceof BackupFlows.Taken) {
            return fail(REFUSED, "a backup under this Recovery Key exists already" + afterFailure);
        }
        if (outcome instanceof BackupFlows.Contended contended) {
            return fail(REFUSED, "another writer replaced the backup meanwhile (its newest version is "
                    + contended.current() + ")" + afterFailure);
        }
        return failed(((BackupFlows.Failed) outcome).failure(), afterFailure);
    }

    private int restore(List<String> args) throws IOException {
        Options options = Options.parse(args, List.of("--cert-dir", "--recovery-key", "--out", "--version",
                "--url"));
        if (!options.positional().isEmpty() || options.value("--cert-dir").isEmpty()
                || options.value("--recovery-key").isEmpty() || options.value("--out").isEmpty()) {
            throw new IllegalArgumentException(RESTORE_USAGE);
        }
        URI url = url(options);
        OptionalLong version = options.value("--version").map(HubCommands::version)
                .orElse(OptionalLong.empty());
        Path target = Path.of(options.value("--out").get()).toAbsolutePath();
        if (!Files.isDirectory(target.getParent()) || Files.isDirectory(target)) {
            throw new IllegalArgumentException("--out names a file in an existing directory");
        }
        RecoveryKey.Parsed parsed = RecoveryKey.parse(options.value("--recovery-key").get());
        if (parsed instanceof RecoveryKey.Parsed.Invalid invalid) {
            return mistyped(invalid);
        }
        BackupFlows.Restore outcome = flows(options, url).restore(((RecoveryKey.Parsed.Valid) parsed).key(),
                version);
        if (outcome instanceof BackupFlows.Restored restored) {
            writeAtomically(target, restored.backup().toJson());
            HubBackup backup = restored.backup();
            out.printf("restored version %d (%d nodes, %d floors, %d rooms) to %s%n", restored.version(),
                    backup.topology().nodes().size(), backup.layout().floors().size(),
                    backup.layout().rooms().size(), target);
            return 0;
        }
        if (outcome instanceof BackupFlows.MistypedKey mistyped) {
            return mistyped(mistyped.why());
        }
        if (outcome instanceof BackupFlows.NoBackup) {
            return fail(NO_BACKUP, version.isPresent() ? "no version " + version.getAsLong() + " is kept under this"
                    + " Recovery Key" : "no backup under this Recovery Key (another key, or it expired)");
        }
        if (outcome instanceof BackupFlows.NotAuthentic) {
            return fail(NOT_AUTHENTIC, "the backup is not authentic: it was altered, or sealed under another key");
        }
        if (outcome instanceof BackupFlows.NotAnEnvelope notAnEnvelope) {
            return fail(NOT_A_BACKUP, "the download is not a whole backup: " + notAnEnvelope.defect().message());
        }
        if (outcome instanceof BackupFlows.UnknownVersion) {
            return fail(NOT_A_BACKUP, "the backup is in a format version this release does not know");
        }
        if (outcome instanceof BackupFlows.NotABackup) {
            return fail(NOT_A_BACKUP, "the backup opened, but holds no " + HubBackup.FORMAT + " backup");
        }
        return failed(((BackupFlows.Failed) outcome).failure(), "");
    }

    private int delete(List<String> args) throws IOException {
        Options options = Options.parse(args, List.of("--cert-dir", "--recovery-key", "--url"));
        if (!options.positional().isEmpty() || options.value("--cert-dir").isEmpty()
                || options.value("--recovery-key").isEmpty()) {
            throw new IllegalArgumentException(DELETE_USAGE);
        }
        URI url = url(options);
        RecoveryKey.Parsed parsed = RecoveryKey.parse(options.value("--recovery-key").get());
        if (parsed instanceof RecoveryKey.Parsed.Invalid invalid) {
            return mistyped(invalid);
        }
        BackupClient client = BackupClient.of(PeerCredentials.load(Path.of(options.value("--cert-dir").get())), url);
        BackupKeys keys = BackupKeys.derive(((RecoveryKey.Parsed.Valid) parsed).key());
        try {
            BackupClient.Deletion deletion = client.delete(keys);
            if (deletion instanceof BackupClient.Deleted) {
                out.println("the backup under this Recovery Key is deleted, with every kept version");
                return 0;
            }
            if (deletion instanceof BackupClient.NotFound) {
                return fail(NO_BACKUP, "no backup under this Recovery Key (another key, or it is deleted already)");
            }
            return failed((BackupClient.Failure) deletion, "");
        } finally {
            keys.destroy();
        }
    }

    /**
     * One check as the hub in {@code --cert-dir} running {@code --version} of {@code --model}, and an offer carried
     * to installed (the verified image kept in {@code --out}) or to the one failed report that says why.
     */
    private int ota(List<String> args) throws IOException {
        Options options = Options.parse(args, List.of("--cert-dir", "--model", "--version", "--root-key", "--out",
                "--host", "--port"));
        if (!options.positional().isEmpty() || options.value("--cert-dir").isEmpty()
                || options.value("--model").isEmpty() || options.value("--version").isEmpty()
                || options.value("--root-key").isEmpty() || options.value("--out").isEmpty()) {
            throw new IllegalArgumentException(OTA_USAGE);
        }
        String model = options.value("--model").get();
        if (!ReleaseMetadata.MODEL.matcher(model).matches()) {
            throw new IllegalArgumentException("--model is lower-case letters, digits and '-', 1 to 63 characters,"
                    + " starting with a letter or digit");
        }
        FirmwareVersion installed = FirmwareVersion.parse(options.value("--version").get()).orElseThrow(() ->
                new IllegalArgumentException("--version is MAJOR.MINOR.PATCH, each at most nine digits without"
                        + " leading zeros (no suffix)"));
        String host = options.value("--host").orElse("127.0.0.1");
        int port = options.value("--port").map(HubCommands::port).orElseGet(defaultRelayPort::getAsInt);
        Path rootKeyFile = Path.of(options.value("--root-key").get());
        PublicKey rootKey;
        try {
            rootKey = FirmwareKeys.readPublic(rootKeyFile);
        } catch (IllegalArgumentException notAKey) {
            throw new IllegalArgumentException("--root-key: " + rootKeyFile + " is not a PEM Ed25519 public key");
        }
        PeerCredentials credentials = PeerCredentials.load(Path.of(options.value("--cert-dir").get()));
        OtaClient.Settings settings = OtaClient.Settings.of(model, installed, rootKey,
                Path.of(options.value("--out").get())).relay(host, port).steps(line -> out.println(oneLine(line)));
        OtaClient.Result result;
        try {
            result = new OtaClient(credentials, settings).run();
        } catch (OtaClient.NoAnswerException noAnswer) {
            return fail(IO, "no answer from the relay: " + noAnswer.getMessage());
        }
        if (result.failure().isPresent()) {
            return fail(OTA_FAILED, "the offered update failed: " + result.failure().get() + " (reported)");
        }
        out.println(result.installed().map(image -> "outcome: installed " + image)
                .orElse("outcome: " + result.kind() + reason(result.answer())));
        return 0;
    }

    private static String reason(OtaAnswer answer) {
        if (answer instanceof OtaAnswer.Wait wait) {
            return " (" + wait.reason() + "): check again later";
        }
        if (answer instanceof OtaAnswer.None none) {
            return none.reason().map(why -> " (" + why + ")").orElse(": nothing is offered to this hub now");
        }
        return "";
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException notANumber) {
            // Refused below, like 0.
        }
        throw new IllegalArgumentException("--port is 1 to 65535");
    }

    private BackupFlows flows(Options options, URI url) throws IOException {
        PeerCredentials credentials = PeerCredentials.load(Path.of(options.value("--cert-dir").get()));
        return new BackupFlows(BackupClient.of(credentials, url), random);
    }

    private int failed(BackupClient.Failure failure, String afterFailure) {
        return fail(failure instanceof BackupClient.Unavailable ? UNAVAILABLE : REFUSED,
                describe(failure) + afterFailure);
    }

    private static String describe(BackupClient.Failure failure) {
        if (failure instanceof BackupClient.Unavailable unavailable) {
            return "the backup store is unavailable (HTTP " + unavailable.status() + ")" + unavailable.retryAfter()
                    .map(after -> ", try again in " + after.toSeconds() + " s").orElse(", try again later");
        }
        BackupClient.Refused refused = (BackupClient.Refused) failure;
        return "the backup store refused the request: HTTP " + refused.status() + " " + refused.problemType()
                + refused.detail().map(detail -> " (" + oneLine(detail) + ")").orElse("");
    }

    /** RecoveryKey's own sentence: it names the groups, never a character typed. */
    private int mistyped(RecoveryKey.Parsed.Invalid invalid) {
        return fail(MISTYPED_KEY, "the Recovery Key is mistyped: " + invalid.message());
    }

    private int fail(int status, String message) {
        err.println("error: " + oneLine(String.valueOf(message)));
        return status;
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\p{Cntrl}", " ").strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    private URI url(Options options) {
        if (options.value("--url").isEmpty()) {
            return defaultUrl.get();
        }
        try {
            URI url = new URI(options.value("--url").get());
            if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("--url is https://host[:port]");
            }
            return url;
        } catch (URISyntaxException notAUri) {
            throw new IllegalArgumentException("--url is https://host[:port]");
        }
    }

    private static OptionalLong version(String text) {
        try {
            long version = Long.parseLong(text);
            if (version >= 1) {
                return OptionalLong.of(version);
            }
        } catch (NumberFormatException notANumber) {
            // Refused below, like zero.
        }
        throw new IllegalArgumentException("--version is a version number, 1 or more");
    }

    private static void checkNewFile(Path kit) {
        Path parent = kit.toAbsolutePath().getParent();
        if (Files.exists(kit, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(kit + " exists: a new Recovery Key is never written over a file");
        }
        if (!Files.isDirectory(parent)) {
            throw new IllegalArgumentException("--new-recovery-key names a file in an existing directory");
        }
    }

    /**
     * The emergency kit, created new (never over an existing file), readable by its owner only where the file system
     * has POSIX permissions, and forced to disk before anything is uploaded under its key.
     */
    static void writeKit(Path kit, RecoveryKey key) throws IOException {
        String text = """
                Ora emergency kit

                Recovery Key:  %s

                This key restores your home's setup (devices, floors and rooms) onto a replacement hub.
                Ora keeps no copy of it and cannot recover it for you. Whoever has it can read and delete
                the backup: print it or write it down, keep it safe and away from the hub, then delete
                this file.

                Restore: java -jar ora-node.jar hub restore --cert-dir <dir> --recovery-key <key> --out <file>
                """.formatted(key.display());
        Path parent = kit.toAbsolutePath().getParent();
        FileAttribute<?>[] ownerOnly = Files.getFileStore(parent).supportsFileAttributeView(
                PosixFileAttributeView.class)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                        "rw-------"))}
                : new FileAttribute<?>[0];
        try (FileChannel channel = FileChannel.open(kit, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), ownerOnly)) {
            writeDurably(channel, text.getBytes(StandardCharsets.UTF_8));
        } catch (FileAlreadyExistsException raced) {
            throw new IllegalArgumentException(kit + " exists: a new Recovery Key is never written over a file");
        }
    }

    /** Writes {@code bytes} to a temporary file beside {@code target}, then moves it over in one step. */
    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temporary = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                writeDurably(channel, bytes);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void writeDurably(FileChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        channel.force(true);
    }
}
