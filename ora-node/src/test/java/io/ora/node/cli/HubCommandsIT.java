package io.ora.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.ora.hubkit.backup.HubBackup;
import io.ora.hubkit.backup.HubConfigProjection;
import io.ora.hubkit.backup.RecoveryKey;
import io.ora.hubkit.backup.TestBackupServer;
import io.ora.hubkit.backup.TestBackupServer.Canned;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hub backup}, {@code hub restore} and {@code hub delete} against the wire contract's test server (hub-kit's
 * {@link TestBackupServer}, a PKI of its own per test): arguments, the emergency kit file, exit statuses, and that a
 * failed restore writes nothing. Every command runs the real Argon2id (about 1.5 s a key). The end-to-end test
 * against a running node's {@code backup} role runs the same {@link Cli} with {@code --url} at that node.
 */
class HubCommandsIT {

    private static final String CONFIG = """
            {"schema":"ora.hub-config/1","hub":{"id":"5b0c8a52-7d4e-4a39-9d0e-3f1f6d2b9a11"},
             "matter":{"nodes":[{"nodeId":"1a","vendorId":4937,"productId":32769,
               "endpoints":[{"endpoint":1,"deviceTypes":[{"deviceType":256,"revision":3}],
                 "serverClusters":[6,8],"clientClusters":[],"bindings":[]}]}]},
             "floors":[{"id":"f0","name":"Ground floor","level":0}],
             "rooms":[{"id":"r1","name":"Kitchen","floor":"f0","devices":[{"node":"1A","endpoint":1}]}]}
            """;
    private static final Pattern KIT_KEY = Pattern.compile("Recovery Key:\\s+([0-9A-Z-]{41})");

    @TempDir
    Path dir;
    private TestBackupServer server;
    private Path config;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<String> secrets = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = TestBackupServer.start(dir.resolve("server"));
        config = Files.writeString(dir.resolve("hub-config.json"), CONFIG);
    }

    @AfterEach
    void nothingSecretWasPrinted() {
        server.seen().forEach(seen -> secrets.add(seen.locator()));
        String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        for (String secret : secrets) {
            assertThat(printed).doesNotContain(secret).doesNotContain(secret.replace("-", ""));
        }
        server.close();
    }

    @Test
    void backUpWritesTheKitFirstAndRestoreWritesTheCanonicalJson() throws Exception {
        Path kit = dir.resolve("kit.txt");

        assertThat(hub("backup", "--new-recovery-key", kit.toString(), "--config", config.toString())).isZero();

        String key = keyIn(kit);
        assertThat(RecoveryKey.parse(key)).isInstanceOf(RecoveryKey.Parsed.Valid.class);
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertThat(Files.getPosixFilePermissions(kit))
                    .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("backup stored as version 1");

        Path restored = dir.resolve("restored.json");
        assertThat(hub("restore", "--recovery-key", key.toLowerCase(), "--out", restored.toString())).isZero();

        HubBackup expected = HubConfigProjection.project(CONFIG.getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readAllBytes(restored)).isEqualTo(expected.toJson());
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("restored version 1 (1 nodes, 1 floors, 1 rooms)");
        assertThat(siblingsOf(restored)).containsExactlyInAnyOrder("kit.txt", "restored.json", "hub-config.json",
                "server");
    }

    @Test
    void aLaterBackupReplacesTheNewestAndRotationMovesItToANewKey() throws Exception {
        Path kit = dir.resolve("kit.txt");
        hub("backup", "--new-recovery-key", kit.toString(), "--config", config.toString());
        String key = keyIn(kit);

        assertThat(hub("backup", "--recovery-key", key, "--config", config.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("backup stored as version 2");

        Path newKit = dir.resolve("new-kit.txt");
        assertThat(hub("backup", "--recovery-key", key, "--new-recovery-key", newKit.toString(),
                "--config", config.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("the backup under the old key is deleted");
        assertThat(server.locators()).hasSize(1);

        Path restored = dir.resolve("restored.json");
        assertThat(hub("restore", "--recovery-key", key, "--out", restored.toString()))
                .isEqualTo(HubCommands.NO_BACKUP);
        assertThat(hub("restore", "--recovery-key", keyIn(newKit), "--out", restored.toString())).isZero();
    }

    @Test
    void aRotationThatCouldNotDeleteTheOldBackupSaysHowToFinishIt() throws Exception {
        Path kit = dir.resolve("kit.txt");
        hub("backup", "--new-recovery-key", kit.toString(), "--config", config.toString());
        String key = keyIn(kit);
        server.answerNext("DELETE", Canned.problem(503, "https://ora.io/problems/backup-unavailable", "later",
                Map.of()));

        assertThat(hub("backup", "--recovery-key", key, "--new-recovery-key", dir.resolve("new-kit.txt").toString(),
                "--config", config.toString())).isEqualTo(HubCommands.OLD_BACKUP_KEPT);
        keyIn(dir.resolve("new-kit.txt"));
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("the backup under the old key is still there",
                "hub delete");
        assertThat(server.locators()).hasSize(2);

        assertThat(hub("delete", "--recovery-key", key)).isZero();
        assertThat(server.locators()).hasSize(1);
        assertThat(hub("delete", "--recovery-key", key)).isEqualTo(HubCommands.NO_BACKUP);
    }

    @Test
    void anExistingKitFileIsNeverOverwrittenAndNothingIsSent() throws IOException {
        Path kit = Files.writeString(dir.resolve("kit.txt"), "my old kit");

        assertThat(hub("backup", "--new-recovery-key", kit.toString(), "--config", config.toString()))
                .isEqualTo(Cli.USAGE);

        assertThat(Files.readString(kit)).isEqualTo("my old kit");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("exists: a new Recovery Key is never written");
        assertThat(server.seen()).isEmpty();
    }

    @Test
    void aRefusedConfigurationLeavesNoKit() throws IOException {
        Files.writeString(config, "{\"schema\":\"ora.hub-config/1\",\"matter\":{\"nodes\":[{\"nodeId\":\"zz\"}]}}");
        Path kit = dir.resolve("kit.txt");

        assertThat(hub("backup", "--new-recovery-key", kit.toString(), "--config", config.toString()))
                .isEqualTo(HubCommands.CONFIG_REFUSED);

        assertThat(kit).doesNotExist();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("matter.nodes[0].nodeId");
    }

    @Test
    void aMistypedKeyNamesItsGroupAndSendsNothing() {
        String key = RecoveryKey.generate(new SecureRandom()).display();
        secrets.add(key);
        char wrong = key.charAt(6) == '7' ? '8' : '7';
        String typo = key.substring(0, 6) + wrong + key.substring(7);
        secrets.add(typo);

        assertThat(hub("restore", "--recovery-key", typo, "--out", dir.resolve("r.json").toString()))
                .isEqualTo(HubCommands.MISTYPED_KEY);

        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .isEqualTo("error: the Recovery Key is mistyped: group 2 looks wrong");
        assertThat(server.seen()).isEmpty();
    }

    @Test
    void aFailedRestoreWritesNothingAndLeavesAnEarlierFileAlone() throws Exception {
        Path kit = dir.resolve("kit.txt");
        hub("backup", "--new-recovery-key", kit.toString(), "--config", config.toString());
        String key = keyIn(kit);
        Path restored = Files.writeString(dir.resolve("restored.json"), "earlier");

        server.tamper(envelope -> {
            envelope[envelope.length - 1] ^= 1;
            return envelope;
        });
        assertThat(hub("restore", "--recovery-key", key, "--out", restored.toString()))
                .isEqualTo(HubCommands.NOT_AUTHENTIC);
        server.tamper(envelope -> java.util.Arrays.copyOf(envelope, 40));
        assertThat(hub("restore", "--recovery-key", key, "--out", restored.toString()))
                .isEqualTo(HubCommands.NOT_A_BACKUP);
        assertThat(hub("restore", "--recovery-key", key, "--out", restored.toString(), "--version", "7"))
                .isEqualTo(HubCommands.NO_BACKUP);
        server.answerNext("GET", Canned.problem(503, "https://ora.io/problems/backup-unavailable", "later",
                Map.of("Retry-After", "30")));
        assertThat(hub("restore", "--recovery-key", key, "--out", restored.toString()))
                .isEqualTo(HubCommands.UNAVAILABLE);
        server.answerNext("GET", Canned.problem(403, "https://ora.io/problems/hub-certificate-required",
                "an app", Map.of()));
        assertThat(hub("restore", "--recovery-key", key, "--out", restored.toString()))
                .isEqualTo(HubCommands.REFUSED);

        assertThat(Files.readString(restored)).isEqualTo("earlier");
        assertThat(siblingsOf(restored)).containsExactlyInAnyOrder("kit.txt", "restored.json", "hub-config.json",
                "server");
        assertThat(err.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "error: the backup is not authentic: it was altered, or sealed under another key",
                "error: the download is not a whole backup: the envelope is shorter than its header or than the"
                        + " length it states",
                "error: no version 7 is kept under this Recovery Key",
                "error: the backup store is unavailable (HTTP 503), try again in 30 s",
                "error: the backup store refused the request: HTTP 403"
                        + " https://ora.io/problems/hub-certificate-required (an app)");
    }

    @Test
    void aServerThatCannotBeReachedIsAnIoFailure() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String key = RecoveryKey.generate(new SecureRandom()).display();
        secrets.add(key);

        assertThat(new Cli(print(out), print(err), ConfigFactory.empty()).run(List.of("hub", "delete",
                "--cert-dir", server.hubDir().toString(), "--recovery-key", key,
                "--url", "https://127.0.0.1:" + closedPort))).isEqualTo(HubCommands.IO);
        assertThat(hub("restore", "--recovery-key", key, "--out", dir.resolve("r.json").toString(),
                "--cert-dir", dir.resolve("nowhere").toString())).isEqualTo(HubCommands.IO);
        Path kit = dir.resolve("kit.txt");
        assertThat(new Cli(print(out), print(err), ConfigFactory.empty()).run(List.of("hub", "backup",
                "--cert-dir", server.hubDir().toString(), "--config", config.toString(),
                "--new-recovery-key", kit.toString(), "--url", "https://127.0.0.1:" + closedPort)))
                .isEqualTo(HubCommands.IO);
        keyIn(kit);

        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(3).allMatch(line -> line.startsWith("error: "));
        assertThat(lines.get(0)).startsWith("error: no answer from the backup store (");
        assertThat(lines.get(1)).contains("no such file", "ca.crt");
        assertThat(lines.get(2)).contains("the new Recovery Key in " + kit + " may hold no backup yet");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        String key = RecoveryKey.generate(new SecureRandom()).display();
        secrets.add(key);
        String out = dir.resolve("r.json").toString();
        List<List<String>> bad = List.of(
                List.of("hub"),
                List.of("hub", "sync"),
                List.of("hub", "backup", "--config", config.toString()),
                List.of("hub", "backup", "--cert-dir", "d", "--recovery-key", key),
                List.of("hub", "restore", "--cert-dir", "d", "--out", out),
                List.of("hub", "restore", "--cert-dir", "d", "--recovery-key", key, "--out", out, "--version", "0"),
                List.of("hub", "restore", "--cert-dir", "d", "--recovery-key", key, "--out", out, "--url",
                        "http://127.0.0.1:8443"),
                List.of("hub", "restore", "--cert-dir", "d", "--recovery-key", key, "--out",
                        dir.resolve("missing/r.json").toString()),
                List.of("hub", "restore", "--cert-dir", "d", "--recovery-key", key, "--out", out, "extra"),
                List.of("hub", "delete", "--cert-dir", "d", "--recovery-kye", key));
        for (List<String> args : bad) {
            assertThat(new Cli(print(this.out), print(err), ConfigFactory.empty()).run(args)).as("%s", args)
                    .isEqualTo(Cli.USAGE);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage:", "hub restore --cert-dir");
        assertThat(server.seen()).isEmpty();
    }

    /** Runs {@code hub <args>} as the test server's hub, at the test server. */
    private int hub(String... args) {
        List<String> all = new ArrayList<>(List.of("hub"));
        all.addAll(List.of(args));
        if (!all.contains("--cert-dir")) {
            all.addAll(List.of("--cert-dir", server.hubDir().toString()));
        }
        all.addAll(List.of("--url", server.uri().toString()));
        return new Cli(print(out), print(err), ConfigFactory.empty()).run(all);
    }

    private String keyIn(Path kit) throws IOException {
        Matcher key = KIT_KEY.matcher(Files.readString(kit));
        assertThat(key.find()).as("a Recovery Key in the kit").isTrue();
        secrets.add(key.group(1));
        return key.group(1);
    }

    private static List<String> siblingsOf(Path file) throws IOException {
        try (Stream<Path> files = Files.list(file.getParent())) {
            return files.map(path -> path.getFileName().toString()).toList();
        }
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
