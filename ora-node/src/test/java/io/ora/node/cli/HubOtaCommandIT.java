package io.ora.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.ora.core.firmware.FirmwareKeys;
import io.ora.core.identity.PeerId;
import io.ora.core.pki.DevPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hub ota}'s arguments and its failures without a relay: usage errors name what is wrong and connect to
 * nothing, and a relay that cannot be reached is exit status {@value HubCommands#IO} with one {@code error:} line.
 * The check against a running node is {@code OtaCheckStoryIT}; the offer's path is hub-kit's {@code OtaDownloadIT}.
 */
class HubOtaCommandIT {

    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Path hub;
    private Path rootKey;

    @BeforeEach
    void hubAndRootKey() throws IOException {
        hub = dir.resolve("hub");
        DevPki.openOrCreate(dir.resolve("pki")).issuePeerFiles(new PeerId.Hub(UUID.randomUUID()), Duration.ofDays(1),
                hub);
        rootKey = dir.resolve("root.pub");
        FirmwareKeys.writePublic(FirmwareKeys.generate().getPublic(), rootKey);
    }

    @Test
    void aRelayThatCannotBeReachedIsAnIoFailure() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        assertThat(ota("--port", String.valueOf(closedPort))).isEqualTo(HubCommands.IO);

        assertThat(err.toString(StandardCharsets.UTF_8).lines()).singleElement().asString()
                .startsWith("error: no answer from the relay: connecting to the relay at 127.0.0.1:" + closedPort);
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aMissingCertificateDirectoryIsAnIoFailureThatNamesTheFile() {
        assertThat(ota("--cert-dir", dir.resolve("nowhere").toString())).isEqualTo(HubCommands.IO);

        assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("error: no such file: "
                + dir.resolve("nowhere").resolve("ca.crt"));
    }

    @Test
    void badArgumentsAreUsageErrors() {
        List<List<String>> bad = List.of(
                List.of("--model"),
                List.of("--model", "Ora Hub"),
                List.of("--version", "1.2"),
                List.of("--version", "01.2.0"),
                List.of("--port", "0"),
                List.of("--port", "mqtt"),
                List.of("--root-key", hub.resolve("client.crt").toString()),
                List.of("--cert-dir", dir.resolve("pki").toString(), "--url", "https://127.0.0.1:8443"),
                List.of("extra"));
        for (List<String> args : bad) {
            assertThat(ota(args.toArray(String[]::new))).as("%s", args).isEqualTo(Cli.USAGE);
        }
        assertThat(new Cli(print(out), print(err), ConfigFactory.empty()).run(List.of("hub", "ota", "--cert-dir",
                hub.toString()))).isEqualTo(Cli.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--model is lower-case letters",
                "--version is MAJOR.MINOR.PATCH", "--port is 1 to 65535", "is not a PEM Ed25519 public key",
                "usage: hub ota --cert-dir <dir>");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("connected");
    }

    /** {@code hub ota} as the test's hub with a valid set of options, {@code overrides} replacing any of them. */
    private int ota(String... overrides) {
        List<String> given = List.of(overrides);
        List<String> args = new ArrayList<>(List.of("hub", "ota"));
        String[][] defaults = {{"--cert-dir", hub.toString()}, {"--model", "ora-hub-1"}, {"--version", "1.2.0"},
            {"--root-key", rootKey.toString()}, {"--out", dir.resolve("out").toString()}};
        for (String[] option : defaults) {
            if (!given.contains(option[0])) {
                args.addAll(List.of(option));
            }
        }
        args.addAll(given);
        return new Cli(print(out), print(err), ConfigFactory.empty()).run(args);
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
