package io.ora.hubkit.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The documented example (docs/examples/hub-config.json, with personas, shadow identities, lifecycle data and fields
 * nobody listed) projects onto exactly the documented backup (docs/examples/hub-backup.json), byte for byte: the docs
 * cannot drift from what the code keeps.
 */
class HubConfigExampleTest {

    private static final Path EXAMPLES = Path.of("..", "docs", "examples");

    @Test
    void theDocumentedConfigurationProjectsOntoTheDocumentedBackup() throws Exception {
        byte[] config = Files.readAllBytes(EXAMPLES.resolve("hub-config.json"));
        byte[] documented = Files.readAllBytes(EXAMPLES.resolve("hub-backup.json"));

        HubBackup backup = HubConfigProjection.project(config);

        assertThat(new String(backup.toJson(), StandardCharsets.UTF_8))
                .isEqualTo(new String(documented, StandardCharsets.UTF_8));
        assertThat(HubBackup.fromJson(documented)).isEqualTo(backup);
        String kept = new String(documented, StandardCharsets.UTF_8);
        for (String dropped : List.of("5b0c8a52", "ORA-HUB-000431", "Australia", "Anna", "anna.lindqvist",
                "Weekend guest", "BASE64-SHADOW-KEY", "2026-11", "installer-42", "project-7f3a", "COMPLETED",
                "owner-7", "node-added", "FABRIC-ID-SECRET", "reading lamp", "Hall switch", "lastPressedBy",
                "occupancy", "automations", "Lights off", "createdBy", "personas", "lifecycle", "hub\"")) {
            assertThat(kept).as(dropped).doesNotContain(dropped);
        }
        assertThat(kept).contains("Living room", "Ground floor", "000000000000001A", "\"vendorId\":4937");
    }
}
