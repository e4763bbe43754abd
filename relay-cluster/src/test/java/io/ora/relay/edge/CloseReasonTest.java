package io.ora.relay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every way the relay closes a connection is counted under a label operators know and told to MQTT 5 peers with a
 * code the specification allows there.
 */
class CloseReasonTest {

    /** MQTT 5.0, 3.2.2.2: the CONNACK reason codes that refuse a CONNECT. */
    private static final Set<Integer> CONNACK_REFUSALS = Set.of(0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
            0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F);
    /** MQTT 5.0, 3.14.2.1: the DISCONNECT reason codes a server may send (0x04, with will, is the client's only). */
    private static final Set<Integer> SERVER_DISCONNECTS = Set.of(0x00, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B,
            0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0,
            0xA1, 0xA2);

    @Test
    void everyLabelIsOneTheOperationsGuideListsAndEveryListedLabelHasAReason() throws IOException {
        Set<String> documented = documentedLabels();
        assertThat(documented).isNotEmpty();
        assertThat(CloseReason.labels()).allSatisfy(label -> assertThat(documented).contains(label));
        assertThat(CloseReason.labels()).containsExactlyInAnyOrderElementsOf(documented);
    }

    @Test
    void everyReasonCodeIsOneMqtt5AllowsWhereItIsSent() {
        for (CloseReason reason : CloseReason.values()) {
            switch (reason.ending()) {
                case CONNACK -> assertThat(CONNACK_REFUSALS).as(reason.name())
                        .contains(reason.reasonCode() & 0xFF);
                case DISCONNECT -> assertThat(SERVER_DISCONNECTS).as(reason.name())
                        .contains(reason.reasonCode() & 0xFF);
                case SOCKET -> assertThat(reason.label()).as(reason.name() + " is counted").isPresent();
                default -> throw new AssertionError(reason.ending());
            }
        }
    }

    @Test
    void refusalsHaveAnMqtt311ReturnCodeToo() {
        Arrays.stream(CloseReason.values()).filter(reason -> reason.ending() == CloseReason.Ending.CONNACK)
                .forEach(reason -> assertThat(reason.legacyRefusal().byteValue()).as(reason.name())
                        .isBetween((byte) 1, (byte) 5));
    }

    /** The {@code reason} values docs/operations.md gives for {@code ora_relay_connections_closed_total}. */
    private static Set<String> documentedLabels() throws IOException {
        String row = Files.readAllLines(Path.of("..", "docs", "operations.md")).stream()
                .filter(line -> line.startsWith("| `ora_relay_connections_closed_total`"))
                .findFirst().orElseThrow();
        String labels = row.split("\\|")[2];
        Matcher values = Pattern.compile("`([a-z_]+)`").matcher(labels.substring(labels.indexOf(':') + 1));
        Set<String> found = new LinkedHashSet<>();
        while (values.find()) {
            found.add(values.group(1));
        }
        return found;
    }
}
