package io.ora.hubkit.ota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ora.core.firmware.FirmwareRefusal;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.ReleaseMetadata;
import io.ora.core.firmware.SignedEnvelope;
import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.ota.TestArtifactServer.Misbehaviour;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub's download and install against {@link TestArtifactServer} (real HTTPS, the hub's certificate): resuming
 * with {@code Range}/{@code If-Range} from a part file or a body that broke off or stalled, starting again on a 200
 * or a 416, giving up at once on a refusal and after the attempts on unavailability, never writing past the signed
 * size; and {@link OtaClient#handle}, which carries an offer to {@code installed} or to the one {@code failed}
 * report that says why.
 */
class OtaDownloadIT {

    private static final Pattern RESUMED_AT = Pattern.compile("resuming .* at byte (\\d+) ");

    @TempDir
    Path dir;
    private final TestFirmware firmware = new TestFirmware();
    private final byte[] image = new byte[1024 * 1024 + 7];
    private final List<String> steps = Collections.synchronizedList(new ArrayList<>());
    private final List<String> reports = new ArrayList<>();
    private ReleaseMetadata metadata;
    private TestArtifactServer server;
    private Path out;
    private Path part;

    @BeforeEach
    void start() throws IOException {
        new Random(11).nextBytes(image);
        metadata = TestFirmware.metadata("ora-hub-1", "1.4.0", "1.2.0", image, Instant.now().plus(Duration.ofDays(1)));
        server = TestArtifactServer.start(dir.resolve("server"), image);
        out = Files.createDirectories(dir.resolve("out"));
        part = out.resolve("ora-hub-1-1.4.0.bin.part");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aFreshDownloadIsTheWholeArtifactOverTheHubsCertificate() throws IOException {
        Path downloaded = client("1.2.0").download(server.url(), metadata, out);

        assertThat(downloaded).isEqualTo(part);
        assertThat(Files.readAllBytes(part)).isEqualTo(image);
        assertThat(server.seen()).containsExactly(new TestArtifactServer.Seen(Optional.empty(), Optional.empty(),
                true));
    }

    @Test
    void aPartFileIsResumedWithRangeAndTheSignedHashAsIfRange() throws IOException {
        Files.write(part, Arrays.copyOf(image, 1000));

        client("1.2.0").download(server.url(), metadata, out);

        assertThat(Files.readAllBytes(part)).isEqualTo(image);
        assertThat(server.seen()).containsExactly(new TestArtifactServer.Seen(Optional.of("bytes=1000-"),
                Optional.of("\"" + metadata.sha256Hex() + "\""), true));
    }

    @Test
    void aBodyThatBreaksOffIsResumedWhereItStopped() throws IOException {
        server.next(new Misbehaviour.BreakOffAfter(300_000));

        client("1.2.0").download(server.url(), metadata, out);

        assertThat(Files.readAllBytes(part)).isEqualTo(image);
        long resumedAt = resumedAt();
        assertThat(resumedAt).isBetween(1L, 300_000L);
        assertThat(server.seen()).hasSize(2);
        assertThat(server.seen().get(0).range()).isEmpty();
        assertThat(server.seen().get(1).range()).contains("bytes=" + resumedAt + "-");
    }

    @Test
    void aStalledBodyIsAbandonedAfterTheIdleTimeoutAndResumed() throws IOException {
        server.next(new Misbehaviour.StallAfter(200_000));

        client("1.2.0").download(server.url(), metadata, out);

        assertThat(Files.readAllBytes(part)).isEqualTo(image);
        assertThat(steps).anyMatch(line -> line.contains("no byte for"));
        assertThat(resumedAt()).isBetween(1L, 200_000L);
    }

    @Test
    void aServerThatIgnoresTheRangeIsReadFromZeroNotAppended() throws IOException {
        Files.write(part, Arrays.copyOf(image, 1000));
        server.next(new Misbehaviour.IgnoreRange());

        client("1.2.0").download(server.url(), metadata, out);

        assertThat(Files.readAllBytes(part)).isEqualTo(image);
        assertThat(server.seen()).hasSize(1);
    }

    @Test
    void aPartLongerThanTheSignedSizeIsStartedAgain() throws IOException {
        Files.write(part, new byte[image.length + 10]);

        client("1.2.0").download(server.url(), metadata, out);

        assertThat(Files.readAllBytes(part)).isEqualTo(image);
        assertThat(server.seen()).singleElement().satisfies(seen -> assertThat(seen.range()).isEmpty());
    }

    @Test
    void a416StartsAgainFromZero() throws IOException {
        Files.write(part, Arrays.copyOf(image, 1000));
        server.next(new Misbehaviour.Status(416, Map.of("Content-Range", "bytes */" + image.length)));

        client("1.2.0").download(server.url(), metadata, out);

        assertThat(Files.readAllBytes(part)).isEqualTo(image);
        assertThat(server.seen()).extracting(TestArtifactServer.Seen::range)
                .containsExactly(Optional.of("bytes=1000-"), Optional.empty());
    }

    @Test
    void aRefusalForGoodIsNotRetried() {
        server.next(new Misbehaviour.Status(404, Map.of()));

        assertThatThrownBy(() -> client("1.2.0").download(server.url(), metadata, out))
                .isInstanceOf(OtaClient.DownloadFailedException.class).hasMessage("HTTP 404");
        assertThat(server.seen()).hasSize(1);
    }

    @Test
    void unavailabilityIsRetriedUpToTheAttemptsAndWhatCameIsKept() throws IOException {
        Files.write(part, Arrays.copyOf(image, 1000));
        for (int i = 0; i < 3; i++) {
            server.next(new Misbehaviour.Status(503, Map.of("Retry-After", "0")));
        }

        assertThatThrownBy(() -> client("1.2.0").download(server.url(), metadata, out))
                .isInstanceOf(OtaClient.DownloadFailedException.class).hasMessage("gave up after 3 attempts: HTTP 503");

        assertThat(server.seen()).hasSize(3);
        assertThat(Files.readAllBytes(part)).isEqualTo(Arrays.copyOf(image, 1000));
        client("1.2.0").download(server.url(), metadata, out);
        assertThat(Files.readAllBytes(part)).isEqualTo(image);
    }

    @Test
    void nothingPastTheSignedSizeIsWritten() throws IOException {
        byte[] longer = Arrays.copyOf(image, image.length + 4096);
        server.next(new Misbehaviour.Body(longer));

        client("1.2.0").download(server.url(), metadata, out);

        assertThat(Files.size(part)).isEqualTo(image.length);
        assertThat(Files.readAllBytes(part)).isEqualTo(image);
    }

    @Test
    void anAcceptedOfferIsDownloadedVerifiedAndInstalled() throws IOException {
        OtaClient.Result result = client("1.2.0").handle(offer(), this::record);

        Path installed = out.resolve("ora-hub-1-1.4.0.bin");
        assertThat(result.installed()).contains(installed);
        assertThat(result.failure()).isEmpty();
        assertThat(Files.readAllBytes(installed)).isEqualTo(image);
        assertThat(part).doesNotExist();
        assertThat(reports).containsExactly("downloading", "verified", "installed");
    }

    @Test
    void bytesThatAreNotTheSignedOnesAreDeletedAndReportedAsAHashMismatch() throws IOException {
        byte[] tampered = image.clone();
        tampered[image.length / 2] ^= 1;
        server.next(new Misbehaviour.Body(tampered));

        OtaClient.Result result = client("1.2.0").handle(offer(), this::record);

        assertThat(result.refusal()).contains(FirmwareRefusal.HASH_MISMATCH);
        assertThat(result.installed()).isEmpty();
        assertThat(reports).containsExactly("downloading", "failed hash_mismatch");
        assertThat(files(out)).isEmpty();
    }

    @Test
    void aReleaseRefusedBeforeDownloadIsNeverFetched() throws IOException {
        OtaClient.Result result = client("1.4.0").handle(offer(), this::record);

        assertThat(result.failure()).contains("rollback_refused");
        assertThat(reports).containsExactly("failed rollback_refused");
        assertThat(server.seen()).isEmpty();
    }

    @Test
    void anOfferWhoseDocumentsDoNotParseIsRefusedForTheirReason() throws IOException {
        OtaAnswer.Offer offer = offer();
        client("1.2.0").handle(new OtaAnswer.Offer(offer.rollout(), offer.release(), Optional.empty(),
                offer.download()), this::record);
        client("1.2.0").handle(new OtaAnswer.Offer(offer.rollout(), Optional.empty(), offer.roots(),
                offer.download()), this::record);
        client("1.2.0").handle(new OtaAnswer.Offer(offer.rollout(), offer.release(), offer.roots(),
                Optional.empty()), this::record);

        assertThat(reports).containsExactly("failed root_invalid", "failed signature_invalid", "downloading",
                "failed download_failed");
        assertThat(server.seen()).isEmpty();
    }

    @Test
    void aDownloadThatFailsIsReportedAsDownloadFailed() throws IOException {
        server.next(new Misbehaviour.Status(403, Map.of()));

        OtaClient.Result result = client("1.2.0").handle(offer(), this::record);

        assertThat(result.failure()).contains("download_failed");
        assertThat(reports).containsExactly("downloading", "failed download_failed");
    }

    private OtaClient client(String installed) throws IOException {
        OtaClient.Settings settings = OtaClient.Settings.of("ora-hub-1", FirmwareVersion.parse(installed)
                        .orElseThrow(), firmware.root.getPublic(), out)
                .downloads(3, Duration.ZERO)
                .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(300))
                .steps(steps::add);
        return new OtaClient(PeerCredentials.load(server.hubDir()), settings);
    }

    private OtaAnswer.Offer offer() {
        SignedEnvelope release = TestFirmware.sign(metadata, firmware.release);
        return new OtaAnswer.Offer(UUID.randomUUID(), Optional.of(release),
                Optional.of(List.of(firmware.rootV1(Instant.now().plus(Duration.ofDays(1))))),
                Optional.of(new OtaAnswer.Download(server.url(), image.length, metadata.sha256Hex())));
    }

    private void record(UUID rollout, String status, Optional<String> reason) {
        reports.add(status + reason.map(why -> " " + why).orElse(""));
    }

    private long resumedAt() {
        return steps.stream().map(RESUMED_AT::matcher).filter(Matcher::find).findFirst()
                .map(found -> Long.parseLong(found.group(1))).orElseThrow();
    }

    private static List<Path> files(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        }
    }
}
