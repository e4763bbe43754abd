package io.ora.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.ora.core.identity.PeerId;
import io.ora.core.pki.DevPki;
import io.ora.core.pki.PeerCertificates;
import io.ora.hubkit.backup.BackupKeys;
import io.ora.hubkit.backup.RecoveryKey;
import io.ora.node.cli.Cli;
import io.ora.persistence.CapturedLogs;
import io.ora.persistence.Database;
import io.ora.persistence.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole backup story on one node over real HTTPS (docs/backup.md): a hub backs up a configuration full of
 * distinctive persona, shadow-identity, lifecycle and room strings with the CLI; then every table of PostgreSQL,
 * every Redis key and value, and every log line of the node are searched for the hub's UUID, its certificate's
 * serial, the Recovery Key, the locator, the write credential and each of those strings — none may be there, room
 * names included (they are inside the sealed envelope only). A replacement hub, with a certificate of its own, then
 * restores the rooms and topology with the Recovery Key alone, and none of the dropped data comes back.
 */
class BackupStoryIT {

    private static final Pattern KIT_KEY = Pattern.compile("Recovery Key:\\s+(\\S+)");

    @TempDir
    Path home;

    @TempDir
    Path work;

    private StoryNode story;

    @AfterEach
    void stop() {
        if (story != null) {
            story.close();
        }
    }

    @Test
    void theCloudHoldsASealedBackupItCannotLinkToAHubAndAReplacementHubRestoresItWithTheKeyAlone() throws Exception {
        story = StoryNode.start(home);
        String url = "https://127.0.0.1:" + story.node().deviceHttps().orElseThrow().port();
        String m = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        UUID hub = UUID.randomUUID();
        X509Certificate certificate = DevPki.open(home.resolve("pki"))
                .issuePeerFiles(new PeerId.Hub(hub), Duration.ofDays(1), work.resolve("old-hub"));
        Path config = work.resolve("hub-config.json");
        Files.writeString(config, configuration(hub, m));
        List<String> dropped = List.of("Persona" + m, "persona" + m + "@example.org", "Shadow" + m,
                "installer" + m, "owner" + m, "project" + m, "HANDOVER" + m, "Label" + m, "Fabric" + m,
                "Extra" + m);
        List<String> sealed = List.of("Room" + m, "Floor" + m);

        String key;
        String locator;
        String credential;
        List<String> logs;
        try (CapturedLogs captured = new CapturedLogs()) {
            Path kit = work.resolve("kit.txt");
            assertThat(cli("hub", "backup", "--cert-dir", work.resolve("old-hub").toString(), "--config",
                    config.toString(), "--new-recovery-key", kit.toString(), "--url", url)).isZero();
            Matcher typed = KIT_KEY.matcher(Files.readString(kit));
            assertThat(typed.find()).isTrue();
            key = typed.group(1);
            BackupKeys keys = derive(key);
            locator = keys.locatorText();
            credential = keys.writeCredentialText();
            keys.destroy();
            // The backup is there, under the hash of its locator: the searches below are not of an empty store.
            assertThat(storedVersions(locator)).isEqualTo(1);
            logs = captured.texts();
        }

        String database = StoryNode.storedText();
        String redis = StoryNode.redisText();
        assertThat(database).as("the envelope is in the text searched").contains("ORABAK");
        List<String> needles = new ArrayList<>(List.of(hub.toString(), hub.toString().replace("-", ""),
                PeerCertificates.serial(certificate), certificate.getSerialNumber().toString(), key,
                RecoveryKey.parse(key) instanceof RecoveryKey.Parsed.Valid valid ? valid.key().canonical() : key,
                locator, credential));
        needles.addAll(dropped);
        needles.addAll(sealed);
        for (String needle : needles) {
            assertThat(database).as("PostgreSQL holds %s", needle).doesNotContainIgnoringCase(needle);
            assertThat(redis).as("Redis holds %s", needle).doesNotContainIgnoringCase(needle);
            assertThat(logs).as("the log holds %s", needle).noneMatch(line -> line.toLowerCase()
                    .contains(needle.toLowerCase()));
        }

        // A replacement hub: new hardware, its own certificate, the Recovery Key typed in (lower case, spaced).
        DevPki.open(home.resolve("pki")).issuePeerFiles(new PeerId.Hub(UUID.randomUUID()), Duration.ofDays(1),
                work.resolve("new-hub"));
        Path restored = work.resolve("restored.json");
        String typedByAPerson = key.toLowerCase().replace("-", " ");
        assertThat(cli("hub", "restore", "--cert-dir", work.resolve("new-hub").toString(), "--recovery-key",
                typedByAPerson, "--out", restored.toString(), "--url", url)).isZero();
        String backup = Files.readString(restored);
        assertThat(backup).contains("\"name\":\"Room" + m + "\"", "\"name\":\"Floor" + m + "\"",
                "\"nodeId\":\"00000000000000C1\"", "\"vendorId\":4937", "\"productId\":32769",
                "\"deviceTypes\":[{\"id\":257,\"revision\":3}]", "\"serverClusters\":[3,4,6,8]");
        for (String gone : dropped) {
            assertThat(backup).as(gone).doesNotContain(gone);
        }
        assertThat(backup).doesNotContain(hub.toString());
    }

    private static String configuration(UUID hub, String m) {
        return """
                {"schema":"ora.hub-config/1",
                 "hub":{"id":"%1$s","label":"Label%2$s"},
                 "personas":[{"id":"p1","name":"Persona%2$s","email":"persona%2$s@example.org"}],
                 "shadowIdentities":[{"persona":"p1","label":"Shadow%2$s"}],
                 "lifecycle":{"commissionedBy":"installer%2$s","project":"project%2$s",
                              "handover":{"state":"HANDOVER%2$s","homeowner":"owner%2$s"}},
                 "matter":{"fabricId":"Fabric%2$s","nodes":[{"nodeId":"c1","vendorId":4937,"productId":32769,
                   "label":"Label%2$s","endpoints":[{"endpoint":1,"deviceTypes":[{"deviceType":257,"revision":3}],
                   "serverClusters":[3,4,6,8],"clientClusters":[],"note":"Extra%2$s"}]}]},
                 "floors":[{"id":"f0","name":"Floor%2$s","level":0,"createdBy":"installer%2$s"}],
                 "rooms":[{"id":"r1","name":"Room%2$s","floor":"f0","devices":[{"node":"C1","endpoint":1}],
                           "owner":"owner%2$s"}]}
                """.formatted(hub, m);
    }

    private static BackupKeys derive(String key) {
        return BackupKeys.derive(((RecoveryKey.Parsed.Valid) RecoveryKey.parse(key)).key());
    }

    /** How many versions the store keeps under the hash of {@code locator}. */
    private static int storedVersions(String locator) throws Exception {
        byte[] id = MessageDigest.getInstance("SHA-256").digest(Base64.getUrlDecoder().decode(locator));
        Database.Connection db = TestDatabase.connection();
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
             PreparedStatement select = c.prepareStatement("SELECT count(*) FROM backup_version WHERE id = ?")) {
            select.setBytes(1, id);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    private static int cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), ConfigFactory.empty()).run(List.of(args));
        assertThat(status).as("exit status; stderr: %s", err.toString(StandardCharsets.UTF_8)).isZero();
        return status;
    }
}
