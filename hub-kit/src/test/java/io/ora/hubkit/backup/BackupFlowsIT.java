package io.ora.hubkit.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.core.backup.BackupEnvelope;
import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.backup.BackupFlows.Previous;
import io.ora.hubkit.backup.TestBackupServer.Canned;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Back up, restore and rotate against the wire contract's test server; each restore failure is its own outcome. */
class BackupFlowsIT {

    /** A hub configuration document with a node, a floor and a room (and fields a backup must drop). */
    public static final String CONFIG = """
            {"schema":"ora.hub-config/1","hub":{"id":"5b0c8a52-7d4e-4a39-9d0e-3f1f6d2b9a11"},
             "matter":{"nodes":[{"nodeId":"1a","vendorId":4937,"productId":32769,"label":"Anna's lamp",
               "endpoints":[{"endpoint":1,"deviceTypes":[{"deviceType":256,"revision":3}],
                 "serverClusters":[6,8],"clientClusters":[],"bindings":[{"group":5,"cluster":6}]}]}]},
             "floors":[{"id":"f0","name":"Ground floor","level":0}],
             "rooms":[{"id":"r1","name":"Kitchen","floor":"f0","devices":[{"node":"1A","endpoint":1}]}]}
            """;
    private static final byte[] CONFIG_BYTES = CONFIG.getBytes(StandardCharsets.UTF_8);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static RecoveryKey key;
    private static RecoveryKey otherKey;
    private static BackupKeys keys;
    private static BackupKeys otherKeys;

    @TempDir
    Path dir;
    private TestBackupServer server;
    private BackupFlows flows;

    @BeforeAll
    static void derive() {
        key = RecoveryKey.generate(RANDOM);
        otherKey = RecoveryKey.generate(RANDOM);
        keys = BackupKeys.derive(key);
        otherKeys = BackupKeys.derive(otherKey);
    }

    @BeforeEach
    void start() throws IOException {
        server = TestBackupServer.start(dir);
        // Each key is derived once for the class (Argon2id, 256 MiB): the flows get copies they may destroy.
        Map<RecoveryKey, BackupKeys> derived = Map.of(key, keys, otherKey, otherKeys);
        flows = new BackupFlows(BackupClient.of(PeerCredentials.load(server.hubDir()), server.uri()), RANDOM,
                recoveryKey -> derived.get(recoveryKey).copy());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aBackupRestoresAsTheProjectionOfTheConfiguration() throws Exception {
        assertThat(flows.backUp(CONFIG_BYTES, key, new Previous.First())).isEqualTo(new BackupFlows.BackedUp(1));

        BackupFlows.Restore restored = flows.restore(key.display().toLowerCase().replace('-', ' '),
                OptionalLong.empty());

        assertThat(restored).isEqualTo(new BackupFlows.Restored(HubConfigProjection.project(CONFIG_BYTES), 1));
        assertThat(server.locators()).containsExactly(keys.locatorText());
    }

    @Test
    void laterBackupsReplaceTheNewestAndRetryOnceAfterAConflict() throws IOException {
        assertThat(flows.backUp(CONFIG_BYTES, key, new Previous.Unknown())).isEqualTo(new BackupFlows.BackedUp(1));
        assertThat(flows.backUp(CONFIG_BYTES, key, new Previous.Unknown())).isEqualTo(new BackupFlows.BackedUp(2));
        assertThat(flows.backUp(CONFIG_BYTES, key, new Previous.Written(1))).isEqualTo(new BackupFlows.BackedUp(3));
        assertThat(flows.backUp(CONFIG_BYTES, key, new Previous.First())).isEqualTo(new BackupFlows.Taken());

        assertThat(server.seen()).extracting(TestBackupServer.Seen::ifMatch).containsExactly(
                Optional.of("*"), Optional.empty(), Optional.of("*"), Optional.of("\"1\""), Optional.of("\"2\""),
                Optional.empty());
    }

    @Test
    void aRefusedConfigurationSendsNothing() throws IOException {
        byte[] dangling = """
                {"schema":"ora.hub-config/1","rooms":[{"id":"r1","name":"Hall","floor":"f9","devices":[]}]}
                """.getBytes(StandardCharsets.UTF_8);

        assertThat(flows.backUp(dangling, key, new Previous.First())).isInstanceOfSatisfying(
                BackupFlows.ConfigRefused.class, refused -> assertThat(refused.path()).isEqualTo("$"));
        assertThat(server.seen()).isEmpty();
    }

    @Test
    void aMistypedKeyIsNamedBeforeAnythingIsSent() throws IOException {
        String typed = key.display();
        char wrong = typed.charAt(12) == '7' ? '8' : '7';
        String typo = typed.substring(0, 12) + wrong + typed.substring(13);

        BackupFlows.Restore restored = flows.restore(typo, OptionalLong.empty());

        assertThat(restored).isInstanceOfSatisfying(BackupFlows.MistypedKey.class,
                mistyped -> assertThat(mistyped.why().message()).isEqualTo("group 3 looks wrong"));
        assertThat(server.seen()).isEmpty();
    }

    @Test
    void eachBrokenDownloadIsItsOwnOutcome() throws Exception {
        assertThat(flows.restore(key, OptionalLong.empty())).isEqualTo(new BackupFlows.NoBackup());
        flows.backUp(CONFIG_BYTES, key, new Previous.First());
        assertThat(flows.restore(key, OptionalLong.of(2))).isEqualTo(new BackupFlows.NoBackup());

        byte[] good = ((BackupClient.Fetched) BackupClient.of(PeerCredentials.load(server.hubDir()), server.uri())
                .download(keys, OptionalLong.empty())).envelope();
        byte[] altered = good.clone();
        altered[altered.length - 1] ^= 1;
        byte[] newer = good.clone();
        newer[6] = 2;
        byte[] underAnotherKey = BackupSeal.seal(otherKeys, HubConfigProjection.project(CONFIG_BYTES).toJson(),
                RANDOM).bytes();
        byte[] authenticNonsense = BackupSeal.seal(keys, "{\"format\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                RANDOM).bytes();
        for (byte[] body : List.of(altered, Arrays.copyOf(good, good.length - 3), newer, underAnotherKey,
                authenticNonsense)) {
            server.answerNext("GET", Canned.envelope(1, body, false));
        }
        server.answerNext("GET", Canned.problem(503, "https://ora.io/problems/backup-unavailable", "later",
                Map.of("Retry-After", "30")));

        assertThat(flows.restore(key, OptionalLong.empty())).isEqualTo(new BackupFlows.NotAuthentic());
        assertThat(flows.restore(key, OptionalLong.empty()))
                .isEqualTo(new BackupFlows.NotAnEnvelope(BackupEnvelope.Defect.TRUNCATED));
        assertThat(flows.restore(key, OptionalLong.empty())).isEqualTo(new BackupFlows.UnknownVersion());
        assertThat(flows.restore(key, OptionalLong.empty())).isEqualTo(new BackupFlows.NotAuthentic());
        assertThat(flows.restore(key, OptionalLong.empty())).isEqualTo(new BackupFlows.NotABackup());
        assertThat(flows.restore(key, OptionalLong.empty())).isEqualTo(new BackupFlows.Failed(
                new BackupClient.Unavailable(503, Optional.of(Duration.ofSeconds(30)))));
    }

    @Test
    void rotationCreatesUnderTheNewKeyBeforeItDeletesTheOld() throws IOException {
        flows.backUp(CONFIG_BYTES, key, new Previous.First());

        assertThat(flows.rotate(CONFIG_BYTES, key, otherKey)).isEqualTo(new BackupFlows.Rotated(1));

        assertThat(server.locators()).containsExactly(otherKeys.locatorText());
        List<TestBackupServer.Seen> seen = server.seen();
        assertThat(seen.get(1)).isEqualTo(new TestBackupServer.Seen("PUT", otherKeys.locatorText(), Optional.empty(),
                Optional.of("*")));
        assertThat(seen.get(2)).isEqualTo(new TestBackupServer.Seen("DELETE", keys.locatorText(), Optional.empty(),
                Optional.empty()));
        assertThat(flows.restore(otherKey, OptionalLong.empty())).isInstanceOf(BackupFlows.Restored.class);
    }

    @Test
    void aRotationThatCouldNotDeleteTheOldBackupSaysSoAndCanBeRepeated() throws IOException {
        flows.backUp(CONFIG_BYTES, key, new Previous.First());
        server.answerNext("DELETE", Canned.problem(503, "https://ora.io/problems/backup-unavailable", "later",
                Map.of()));

        assertThat(flows.rotate(CONFIG_BYTES, key, otherKey)).isEqualTo(new BackupFlows.OldKept(1,
                new BackupClient.Unavailable(503, Optional.empty())));
        assertThat(server.locators()).containsExactlyInAnyOrder(keys.locatorText(), otherKeys.locatorText());

        assertThat(flows.rotate(CONFIG_BYTES, key, otherKey)).isEqualTo(new BackupFlows.Rotated(2));
        assertThat(server.locators()).containsExactly(otherKeys.locatorText());
    }

    @Test
    void aCreateThatFailsDeletesNothing() throws IOException {
        flows.backUp(CONFIG_BYTES, key, new Previous.First());
        server.answerNext("PUT", Canned.problem(429, "https://ora.io/problems/rate-limited", "slow down", Map.of()));

        assertThat(flows.rotate(CONFIG_BYTES, key, otherKey)).isEqualTo(new BackupFlows.Failed(
                new BackupClient.Unavailable(429, Optional.empty())));
        assertThat(server.seen()).extracting(TestBackupServer.Seen::method).doesNotContain("DELETE");
        assertThat(server.locators()).containsExactly(keys.locatorText());
    }
}
