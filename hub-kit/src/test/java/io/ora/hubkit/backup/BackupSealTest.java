package io.ora.hubkit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ora.core.backup.BackupEnvelope;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Examples of the Recovery Key's refusals, sealing and opening, and the allow-list projection; the exhaustive and
 * random checks are in {@link RecoveryKeyPropertiesTest} and {@link BackupPropertiesTest}.
 */
class BackupSealTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static RecoveryKey key;
    private static BackupKeys keys;

    @BeforeAll
    static void derive() {
        // One Argon2id derivation (256 MiB) for the whole class: it is the slow part.
        key = RecoveryKey.generate(RANDOM);
        keys = BackupKeys.derive(key);
    }

    @Test
    void wrongLengthsAndCharactersAreNamed() {
        String shown = key.display();
        RecoveryKey.Parsed.Invalid shortGroup = (RecoveryKey.Parsed.Invalid) RecoveryKey.parse(
                shown.substring(0, 13) + shown.substring(14));
        assertThat(shortGroup.reason()).isEqualTo(RecoveryKey.Reason.GROUP_LENGTH);
        assertThat(shortGroup.groups()).containsExactly(3);
        assertThat(shortGroup.message()).isEqualTo("group 3 should have 5 characters");
        assertThat(RecoveryKey.parse(key.canonical().substring(1))).isEqualTo(
                new RecoveryKey.Parsed.Invalid(RecoveryKey.Reason.LENGTH, List.of()));
        assertThat(RecoveryKey.parse("U" + key.canonical().substring(1))).isEqualTo(
                new RecoveryKey.Parsed.Invalid(RecoveryKey.Reason.CHARACTER, List.of(1)));
        assertThat(key.toString()).doesNotContain(key.canonical().substring(0, 5));
    }

    @Test
    void theDerivedValuesAreDistinct() {
        assertThat(keys.locator()).hasSize(32).isNotEqualTo(keys.writeCredential());
        assertThat(keys.locatorText()).hasSize(43);
        byte[] salt = new byte[16];
        assertThat(keys.sealingKey(salt)).isNotEqualTo(keys.locator()).isNotEqualTo(keys.writeCredential());
    }

    /** Changed bytes are BackupPropertiesTest's; these are the cut-off download and the store's size cap. */
    @Test
    void aSealedBackupOpensByteExactAndAShortOrOversizedOneIsRefused() {
        byte[] plain = "{\"format\":\"ora.hub-backup/1\"}".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = BackupSeal.seal(keys, plain, RANDOM).bytes();
        BackupSeal.Opened opened = BackupSeal.open(keys, sealed, 1 << 20);
        assertThat(opened).isInstanceOf(BackupSeal.Opened.Plaintext.class);
        assertThat(((BackupSeal.Opened.Plaintext) opened).bytes()).isEqualTo(plain);
        assertThat(BackupSeal.open(keys, Arrays.copyOf(sealed, sealed.length - 1), 1 << 20))
                .isEqualTo(new BackupSeal.Opened.Malformed(BackupEnvelope.Defect.TRUNCATED));
        assertThat(BackupSeal.open(keys, sealed, sealed.length - 1))
                .isEqualTo(new BackupSeal.Opened.Malformed(BackupEnvelope.Defect.TOO_LARGE));
    }

    @Test
    void twoSealsOfTheSameBackupShareNothingButTheHeaderShape() {
        byte[] plain = new byte[64];
        byte[] a = BackupSeal.seal(keys, plain, RANDOM).bytes();
        byte[] b = BackupSeal.seal(keys, plain, RANDOM).bytes();
        assertThat(Arrays.copyOfRange(a, 15, a.length)).isNotEqualTo(Arrays.copyOfRange(b, 15, b.length));
    }

    @Test
    void theProjectionKeepsTopologyAndRoomsAndDropsEverythingElse() throws Exception {
        String document = """
                {"schema":"ora.hub-config/1",
                 "hub":{"id":"5b0c8a52-7d4e-4a39-9d0e-3f1f6d2b9a11","serial":"SERIAL-XYZ"},
                 "personas":[{"id":"p1","name":"Persona Anna","email":"anna@example.org"}],
                 "shadowIdentities":[{"persona":"p1","label":"Shadow Phone"}],
                 "lifecycle":{"commissionedAt":"2026-11-01T10:00:00Z","commissionedBy":"installer-42",
                              "handover":{"state":"COMPLETED","homeowner":"owner-7"}},
                 "matter":{"fabricId":"FABRIC-SECRET","nodes":[{"nodeId":"1a","vendorId":4937,"productId":32769,
                   "label":"Anna's lamp","commissionedAt":"2026-11-01",
                   "endpoints":[{"endpoint":1,"deviceTypes":[{"deviceType":256,"revision":3}],
                     "serverClusters":[6,8],"clientClusters":[],"secret":"ENDPOINT-EXTRA",
                     "bindings":[{"group":5,"cluster":6,"note":"BINDING-EXTRA"}]}]}]},
                 "floors":[{"id":"f0","name":"Ground floor","level":0,"createdBy":"installer-42"}],
                 "rooms":[{"id":"r1","name":"Kitchen","floor":"f0","devices":[{"node":"1A","endpoint":1}],
                           "owner":"owner-7"}]}
                """;
        HubBackup backup = HubConfigProjection.project(document.getBytes(StandardCharsets.UTF_8));
        String json = new String(backup.toJson(), StandardCharsets.UTF_8);
        assertThat(json).contains("Kitchen", "Ground floor", "000000000000001A", "4937");
        for (String dropped : List.of("5b0c8a52", "SERIAL-XYZ", "Persona Anna", "anna@", "Shadow Phone",
                "2026-11-01", "installer-42", "COMPLETED", "owner-7", "FABRIC-SECRET", "Anna's lamp",
                "ENDPOINT-EXTRA", "BINDING-EXTRA", "personas", "lifecycle", "hub\"")) {
            assertThat(json).as(dropped).doesNotContain(dropped);
        }
        assertThat(HubBackup.fromJson(backup.toJson())).isEqualTo(backup);
        assertThatThrownBy(() -> HubBackup.fromJson(json.replace("\"format\"", "\"extra\":1,\"format\"")
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aListedFieldOutOfBoundsIsRefusedByPath() {
        String document = """
                {"schema":"ora.hub-config/1","matter":{"nodes":[{"nodeId":"1","vendorId":70000,"productId":1}]}}
                """;
        assertThatThrownBy(() -> HubConfigProjection.project(document.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(HubConfigProjection.RefusedDocumentException.class,
                        refused -> assertThat(refused.path()).isEqualTo("matter.nodes[0].vendorId"));
        String dangling = """
                {"schema":"ora.hub-config/1","rooms":[{"id":"r1","name":"Hall","devices":[{"node":"2","endpoint":1}]}]}
                """;
        assertThatThrownBy(() -> HubConfigProjection.project(dangling.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(HubConfigProjection.RefusedDocumentException.class);
    }

    /**
     * {@code matter} holds the listed {@code nodes}; of another type it must refuse the document like any listed
     * field, not read as "no nodes": a backup with an empty topology would replace the good one without a word.
     */
    @Test
    void aMatterSectionOfTheWrongTypeIsRefusedNotReadAsEmpty() {
        for (String matter : List.of("[{\"nodes\":[]}]", "\"nodes\"", "7", "true", "null")) {
            String document = "{\"schema\":\"ora.hub-config/1\",\"matter\":" + matter + "}";
            assertThatThrownBy(() -> HubConfigProjection.project(document.getBytes(StandardCharsets.UTF_8)))
                    .as(matter).isInstanceOfSatisfying(HubConfigProjection.RefusedDocumentException.class,
                            refused -> assertThat(refused.path()).isEqualTo("matter"));
        }
    }
}
