package io.ora.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.ora.core.firmware.FirmwareKeys;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.ReleaseMetadata;
import io.ora.core.firmware.SignedEnvelope;
import io.ora.core.firmware.TrustedRoot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code firmware keygen → sign → rotate → verify} as the firmware team runs them, each file checked with ora-core's
 * own classes (what the portal and a hub run), and the refusals: a key the root does not list, another pinned key,
 * altered bytes, and key files that exist. Files only: no node, no socket.
 */
class FirmwareCommandsIT {

    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Path keys;
    private Path image;
    private byte[] imageBytes;

    @BeforeEach
    void keysAndAnImage() throws IOException {
        keys = dir.resolve("keys");
        assertThat(firmware("keygen", "--out", keys.toString())).isZero();
        imageBytes = new byte[300_000];
        new Random(7).nextBytes(imageBytes);
        image = Files.write(dir.resolve("ora-hub-1-1.4.0.bin"), imageBytes);
    }

    @Test
    void keygenWritesTheKeysAndTheFirstRootSignedByTheRootKey() throws Exception {
        assertThat(names(keys)).containsExactlyInAnyOrder("root.key", "root.pub", "release.key", "release.pub",
                "root.json");
        PublicKey root = FirmwareKeys.readPublic(keys.resolve("root.pub"));
        PublicKey release = FirmwareKeys.readPublic(keys.resolve("release.pub"));
        assertThat(FirmwareKeys.publicOf(FirmwareKeys.readPrivate(keys.resolve("root.key")))).isEqualTo(root);
        assertThat(FirmwareKeys.publicOf(FirmwareKeys.readPrivate(keys.resolve("release.key")))).isEqualTo(release);
        if (Files.getFileStore(keys).supportsFileAttributeView("posix")) {
            for (String key : List.of("root.key", "release.key")) {
                assertThat(Files.getPosixFilePermissions(keys.resolve(key))).as(key)
                        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            }
        }

        TrustedRoot trusted = TrustedRoot.pinned(root).advance(List.of(envelope(keys.resolve("root.json"))),
                Instant.now()).orElseThrow();

        assertThat(trusted.version()).isEqualTo(1);
        assertThat(trusted.rootKeys()).containsExactly(root);
        assertThat(trusted.releaseKeys()).containsExactly(release);
        assertThat(trusted.expires()).isBetween(Instant.now().plus(Duration.ofDays(364)),
                Instant.now().plus(Duration.ofDays(366)));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains(FirmwareKeys.keyId(root), FirmwareKeys.keyId(release));
        assertThat(printed).doesNotContain(pemBody(keys.resolve("root.key")), pemBody(keys.resolve("release.key")));
    }

    @Test
    void signWritesAReleaseTheFirstRootTrustsAndVerifyAcceptsIt() throws Exception {
        Path release = dir.resolve("release.json");

        assertThat(firmware("sign", "--key", keys.resolve("release.key").toString(), "--image", image.toString(),
                "--model", "ora-hub-1", "--version", "1.4.0", "--min-version", "1.2.0", "--notes", "Faster Thread",
                "--expires-in-days", "30", "--out", release.toString())).isZero();

        SignedEnvelope signed = envelope(release);
        assertThat(trustedAfter(keys.resolve("root.json")).signedRelease(signed)).isTrue();
        ReleaseMetadata metadata = ReleaseMetadata.parse(signed.payload());
        assertThat(metadata.model()).isEqualTo("ora-hub-1");
        assertThat(metadata.version()).isEqualTo(new FirmwareVersion(1, 4, 0));
        assertThat(metadata.minVersion()).isEqualTo(new FirmwareVersion(1, 2, 0));
        assertThat(metadata.notes()).isEqualTo("Faster Thread");
        assertThat(metadata.size()).isEqualTo(imageBytes.length);
        assertThat(metadata.sha256()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(imageBytes));
        assertThat(metadata.expires()).isBetween(Instant.now().plus(Duration.ofDays(29)),
                Instant.now().plus(Duration.ofDays(30)));

        assertThat(firmware("verify", "--root-key", keys.resolve("root.pub").toString(), "--roots",
                keys.resolve("root.json").toString(), "--release", release.toString(), "--image", image.toString()))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("as a hub         of model ora-hub-1 running 1.2.0",
                "the signed size and SHA-256", "ok: a hub would install it");
        assertThat(firmware("verify", "--root-key", keys.resolve("root.pub").toString(), "--roots",
                keys.resolve("root.json").toString(), "--release", release.toString(), "--installed", "1.4.0"))
                .isEqualTo(FirmwareCommands.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("refused: rollback_refused");
    }

    @Test
    void rotatingTheReleaseKeyRetiresTheOldOne() throws Exception {
        Path next = dir.resolve("next");
        assertThat(firmware("keygen", "--out", next.toString())).isZero();
        Path oldRelease = sign(keys.resolve("release.key"), "1.4.0", dir.resolve("old.json"));
        Path root2 = dir.resolve("root-2.json");

        assertThat(firmware("rotate", "--root-key", keys.resolve("root.key").toString(), "--release-pub",
                next.resolve("release.pub").toString(), "--version", "2", "--out", root2.toString())).isZero();

        TrustedRoot trusted = trustedAfter(keys.resolve("root.json"), root2);
        assertThat(trusted.version()).isEqualTo(2);
        assertThat(trusted.rootKeys()).containsExactly(FirmwareKeys.readPublic(keys.resolve("root.pub")));
        assertThat(trusted.releaseKeys()).containsExactly(FirmwareKeys.readPublic(next.resolve("release.pub")));
        assertThat(envelope(root2).signatures()).hasSize(1);

        String roots = keys.resolve("root.json") + "," + root2;
        Path newRelease = sign(next.resolve("release.key"), "1.4.0", dir.resolve("new.json"));
        assertThat(verify(roots, newRelease)).isZero();
        assertThat(verify(roots, oldRelease)).isEqualTo(FirmwareCommands.FAILED);
        assertThat(verify(keys.resolve("root.json").toString(), oldRelease)).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("refused: signature_invalid");
    }

    @Test
    void rotatingTheRootKeyNeedsBothAndThenTheNewOneAlone() throws Exception {
        Path next = dir.resolve("next");
        firmware("keygen", "--out", next.toString());
        Path root2 = dir.resolve("root-2.json");
        Path root3 = dir.resolve("root-3.json");
        Path byOldKey = dir.resolve("root-3-old.json");

        assertThat(firmware("rotate", "--root-key", keys.resolve("root.key").toString(), "--new-root-key",
                next.resolve("root.key").toString(), "--release-pub", keys.resolve("release.pub").toString(),
                "--release-pub", next.resolve("release.pub").toString(), "--version", "2", "--expires-in-days", "10",
                "--out", root2.toString())).isZero();
        assertThat(firmware("rotate", "--root-key", next.resolve("root.key").toString(), "--release-pub",
                next.resolve("release.pub").toString(), "--version", "3", "--out", root3.toString())).isZero();
        assertThat(firmware("rotate", "--root-key", keys.resolve("root.key").toString(), "--release-pub",
                next.resolve("release.pub").toString(), "--version", "3", "--out", byOldKey.toString())).isZero();

        PublicKey newRoot = FirmwareKeys.readPublic(next.resolve("root.pub"));
        assertThat(envelope(root2).signatures()).hasSize(2);
        TrustedRoot atTwo = trustedAfter(keys.resolve("root.json"), root2);
        assertThat(atTwo.rootKeys()).containsExactly(newRoot);
        assertThat(atTwo.releaseKeys()).hasSize(2);
        assertThat(trustedAfter(keys.resolve("root.json"), root2, root3).version()).isEqualTo(3);
        assertThat(TrustedRoot.pinned(FirmwareKeys.readPublic(keys.resolve("root.pub"))).advance(List.of(
                envelope(keys.resolve("root.json")), envelope(root2), envelope(byOldKey)), Instant.now()))
                .as("the old root key signs no root after the rotation").isEmpty();

        Path release = sign(next.resolve("release.key"), "2.0.0", dir.resolve("release.json"));
        assertThat(verify(keys.resolve("root.json") + "," + root2 + "," + root3, release)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("root 3           trusted; signed by "
                + FirmwareKeys.keyId(newRoot));
        assertThat(verify(keys.resolve("root.json") + "," + root2 + "," + byOldKey, release))
                .isEqualTo(FirmwareCommands.FAILED);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("refused: not signed by a root key of version 2 and one of its own");
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("refused: root_invalid");
    }

    @Test
    void aWrongKeyIsRefused() throws Exception {
        Path byRootKey = sign(keys.resolve("root.key"), "1.4.0", dir.resolve("by-root-key.json"));
        Path stranger = dir.resolve("stranger");
        firmware("keygen", "--out", stranger.toString());
        Path release = sign(keys.resolve("release.key"), "1.4.0", dir.resolve("release.json"));
        List<String> refusals = new ArrayList<>();

        assertThat(verify(keys.resolve("root.json").toString(), byRootKey)).isEqualTo(FirmwareCommands.FAILED);
        assertThat(firmware("verify", "--root-key", stranger.resolve("root.pub").toString(), "--roots",
                keys.resolve("root.json").toString(), "--release", release.toString()))
                .isEqualTo(FirmwareCommands.FAILED);
        assertThat(firmware("verify", "--root-key", keys.resolve("root.pub").toString(), "--roots",
                stranger.resolve("root.json").toString(), "--release", release.toString()))
                .isEqualTo(FirmwareCommands.FAILED);
        byte[] altered = imageBytes.clone();
        altered[1000] ^= 1;
        assertThat(firmware("verify", "--root-key", keys.resolve("root.pub").toString(), "--roots",
                keys.resolve("root.json").toString(), "--release", release.toString(), "--image",
                Files.write(dir.resolve("altered.bin"), altered).toString())).isEqualTo(FirmwareCommands.FAILED);
        err.toString(StandardCharsets.UTF_8).lines().forEach(refusals::add);

        assertThat(refusals).containsExactly("refused: signature_invalid", "refused: root_invalid",
                "refused: root_invalid", "refused: hash_mismatch");
    }

    @Test
    void existingKeyFilesAreNeverOverwritten() throws Exception {
        Map<String, byte[]> before = contents(keys);

        assertThat(firmware("keygen", "--out", keys.toString())).isEqualTo(Cli.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("exists: firmware keys and signed documents are"
                + " never written over");
        assertThat(contents(keys)).containsOnlyKeys(before.keySet()).allSatisfy((name, bytes) ->
                assertThat(bytes).as(name).isEqualTo(before.get(name)));

        Path partial = dir.resolve("partial");
        Files.createDirectories(partial);
        Files.writeString(partial.resolve("release.pub"), "someone's key");
        assertThat(firmware("keygen", "--out", partial.toString())).isEqualTo(Cli.USAGE);
        assertThat(names(partial)).containsExactly("release.pub");

        Path release = sign(keys.resolve("release.key"), "1.4.0", dir.resolve("release.json"));
        byte[] signed = Files.readAllBytes(release);
        assertThat(firmware("sign", "--key", keys.resolve("release.key").toString(), "--image", image.toString(),
                "--model", "ora-hub-1", "--version", "1.5.0", "--out", release.toString())).isEqualTo(Cli.USAGE);
        assertThat(firmware("rotate", "--root-key", keys.resolve("root.key").toString(), "--release-pub",
                keys.resolve("release.pub").toString(), "--version", "2", "--out", release.toString()))
                .isEqualTo(Cli.USAGE);
        assertThat(Files.readAllBytes(release)).isEqualTo(signed);
    }

    @Test
    void badArgumentsAreUsageErrorsAndWriteNothing() throws IOException {
        String key = keys.resolve("release.key").toString();
        String target = dir.resolve("out.json").toString();
        List<List<String>> bad = List.of(
                List.of("firmware"),
                List.of("firmware", "publish"),
                List.of("firmware", "keygen"),
                List.of("firmware", "keygen", "--out", dir.resolve("k2").toString(), "--expires-in-days", "0"),
                List.of("firmware", "sign", "--key", key, "--image", image.toString(), "--model", "Ora_Hub",
                        "--version", "1.4.0", "--out", target),
                List.of("firmware", "sign", "--key", key, "--image", image.toString(), "--model", "ora-hub-1",
                        "--version", "1.04.0", "--out", target),
                List.of("firmware", "sign", "--key", key, "--image", image.toString(), "--model", "ora-hub-1",
                        "--version", "1.4.0-rc.1", "--out", target),
                List.of("firmware", "sign", "--key", key, "--image", image.toString(), "--model", "ora-hub-1",
                        "--version", "1.4.0", "--min-version", "1.4.0", "--out", target),
                List.of("firmware", "sign", "--key", key, "--image", image.toString(), "--model", "ora-hub-1",
                        "--version", "1.4.0", "--expires-in-days", "ninety", "--out", target),
                List.of("firmware", "sign", "--key", keys.resolve("release.pub").toString(), "--image",
                        image.toString(), "--model", "ora-hub-1", "--version", "1.4.0", "--out", target),
                List.of("firmware", "sign", "--image", image.toString(), "--model", "ora-hub-1", "--version",
                        "1.4.0", "--out", target),
                List.of("firmware", "rotate", "--root-key", keys.resolve("root.key").toString(), "--version", "2",
                        "--out", target),
                List.of("firmware", "rotate", "--root-key", keys.resolve("root.key").toString(), "--release-pub",
                        keys.resolve("release.pub").toString(), "--version", "0", "--out", target),
                List.of("firmware", "rotate", "--root-key", keys.resolve("root.key").toString(), "--release-pub",
                        keys.resolve("release.pub").toString(), "--release-pub",
                        keys.resolve("release.pub").toString(), "--version", "2", "--out", target),
                List.of("firmware", "verify", "--root-key", keys.resolve("root.pub").toString(), "--release",
                        target));
        for (List<String> args : bad) {
            assertThat(cli(args)).as("%s", args).isEqualTo(Cli.USAGE);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--model is lower-case letters",
                "--version is MAJOR.MINOR.PATCH", "--min-version must be below --version",
                "--release-pub names the same key twice", "is not a PEM Ed25519 private key");
        assertThat(dir.resolve("out.json")).doesNotExist();
        assertThat(dir.resolve("k2")).doesNotExist();
    }

    @Test
    void aMissingFileIsAFailureThatNamesIt() {
        assertThat(firmware("sign", "--key", keys.resolve("release.key").toString(), "--image",
                dir.resolve("missing.bin").toString(), "--model", "ora-hub-1", "--version", "1.4.0", "--out",
                dir.resolve("out.json").toString())).isEqualTo(FirmwareCommands.FAILED);

        assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("error: no such file: "
                + dir.resolve("missing.bin"));
        assertThat(dir.resolve("out.json")).doesNotExist();
    }

    private Path sign(Path key, String version, Path target) {
        assertThat(firmware("sign", "--key", key.toString(), "--image", image.toString(), "--model", "ora-hub-1",
                "--version", version, "--min-version", "1.2.0", "--out", target.toString())).isZero();
        return target;
    }

    private int verify(String roots, Path release) {
        return firmware("verify", "--root-key", keys.resolve("root.pub").toString(), "--roots", roots, "--release",
                release.toString(), "--image", image.toString());
    }

    private TrustedRoot trustedAfter(Path... roots) throws Exception {
        List<SignedEnvelope> envelopes = new ArrayList<>();
        for (Path root : roots) {
            envelopes.add(envelope(root));
        }
        return TrustedRoot.pinned(FirmwareKeys.readPublic(keys.resolve("root.pub"))).advance(envelopes,
                Instant.now()).orElseThrow();
    }

    private static SignedEnvelope envelope(Path file) throws Exception {
        return SignedEnvelope.parse(Files.readAllBytes(file));
    }

    private int firmware(String... args) {
        List<String> all = new ArrayList<>(List.of("firmware"));
        all.addAll(Arrays.asList(args));
        return cli(all);
    }

    private int cli(List<String> args) {
        return new Cli(print(out), print(err), ConfigFactory.empty()).run(args);
    }

    private static String pemBody(Path pem) throws IOException {
        return Files.readString(pem).lines().filter(line -> !line.startsWith("-----")).findFirst().orElseThrow();
    }

    private static Map<String, byte[]> contents(Path directory) throws IOException {
        Map<String, byte[]> contents = new HashMap<>();
        for (String name : names(directory)) {
            contents.put(name, Files.readAllBytes(directory.resolve(name)));
        }
        return contents;
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).toList();
        }
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
