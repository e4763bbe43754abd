package io.ora.hubkit.ota;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.core.firmware.FirmwareKeys;
import io.ora.core.firmware.FirmwareRefusal;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.ReleaseMetadata;
import io.ora.core.firmware.SignedEnvelope;
import io.ora.core.firmware.TrustedRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every refusal of docs/ota.md's table, each provoked by changing one thing of an otherwise accepted release (a hub
 * of {@code ora-hub-1} running 1.2.0, offered 1.4.0 that upgrades from 1.2.0), and the accepted case itself.
 */
class FirmwareVerificationTest {

    private static final String MODEL = "ora-hub-1";
    private static final Instant NOW = Instant.parse("2027-01-01T00:00:00Z");
    private static final Instant NEXT_YEAR = NOW.plus(Duration.ofDays(365));

    @TempDir
    Path dir;

    private final TestFirmware firmware = new TestFirmware();
    private final byte[] image = image(4096 + 17);
    private final List<SignedEnvelope> roots = List.of(firmware.rootV1(NEXT_YEAR));
    private final ReleaseMetadata metadata = TestFirmware.metadata(MODEL, "1.4.0", "1.2.0", image, NEXT_YEAR);

    @Test
    void aSignedReleaseForThisHubIsAcceptedAndItsImageMatches() throws IOException {
        FirmwareVerification.Outcome outcome = hubAt("1.2.0").beforeDownload(signed(metadata), roots, NOW);

        assertThat(outcome.refusal()).isEmpty();
        assertThat(outcome.accepted()).hasValueSatisfying(accepted -> {
            assertThat(accepted.release().version()).isEqualTo(new FirmwareVersion(1, 4, 0));
            assertThat(accepted.release().sha256()).isEqualTo(metadata.sha256());
            assertThat(accepted.root().version()).isEqualTo(1);
        });
        assertThat(FirmwareVerification.afterDownload(outcome.accepted().get().release(), write(image))).isEmpty();
    }

    @Test
    void anImageOfAnotherSizeIsAHashMismatch() throws IOException {
        assertThat(FirmwareVerification.afterDownload(metadata, write(Arrays.copyOf(image, image.length + 1))))
                .contains(FirmwareRefusal.HASH_MISMATCH);
        assertThat(FirmwareVerification.afterDownload(metadata, write(Arrays.copyOf(image, image.length - 1))))
                .contains(FirmwareRefusal.HASH_MISMATCH);
        assertThat(FirmwareVerification.afterDownload(metadata, write(new byte[0])))
                .contains(FirmwareRefusal.HASH_MISMATCH);
    }

    @Test
    void anImageOfTheSameSizeWithOtherBytesIsAHashMismatch() throws IOException {
        for (int at : new int[] {0, image.length / 2, image.length - 1}) {
            byte[] changed = image.clone();
            changed[at] ^= 1;
            assertThat(FirmwareVerification.afterDownload(metadata, write(changed))).as("byte %d", at)
                    .contains(FirmwareRefusal.HASH_MISMATCH);
        }
    }

    @Test
    void metadataChangedAfterSigningIsAnInvalidSignature() {
        SignedEnvelope genuine = signed(metadata);
        String json = new String(genuine.payload(), StandardCharsets.UTF_8);
        byte[] otherImage = TestFirmware.sha256("not the signed image".getBytes(StandardCharsets.UTF_8));
        String changed = json.replace(metadata.sha256Hex(), HexFormat.of().formatHex(otherImage));
        assertThat(changed).isNotEqualTo(json);

        SignedEnvelope tampered = new SignedEnvelope(genuine.payloadType(), changed.getBytes(StandardCharsets.UTF_8),
                genuine.signatures());

        assertRefused(hubAt("1.2.0").beforeDownload(tampered, roots, NOW), FirmwareRefusal.SIGNATURE_INVALID);
    }

    @Test
    void aReleaseSignedByAKeyTheRootDoesNotListIsAnInvalidSignature() {
        KeyPair stranger = FirmwareKeys.generate();

        assertRefused(hubAt("1.2.0").beforeDownload(TestFirmware.sign(metadata, stranger), roots, NOW),
                FirmwareRefusal.SIGNATURE_INVALID);
        assertRefused(hubAt("1.2.0").beforeDownload(TestFirmware.sign(metadata, firmware.root), roots, NOW),
                FirmwareRefusal.SIGNATURE_INVALID);
    }

    @Test
    void aSignedDocumentThatIsNotAReleaseIsAnInvalidSignature() {
        SignedEnvelope notARelease = SignedEnvelope.sign(SignedEnvelope.RELEASE_TYPE,
                "{\"spec\":1,\"model\":\"ora-hub-1\"}".getBytes(StandardCharsets.UTF_8),
                List.of(firmware.release.getPrivate()));
        SignedEnvelope asRoot = SignedEnvelope.sign(SignedEnvelope.ROOT_TYPE, metadata.toJson(),
                List.of(firmware.release.getPrivate()));

        assertRefused(hubAt("1.2.0").beforeDownload(notARelease, roots, NOW), FirmwareRefusal.SIGNATURE_INVALID);
        assertRefused(hubAt("1.2.0").beforeDownload(asRoot, roots, NOW), FirmwareRefusal.SIGNATURE_INVALID);
    }

    @Test
    void expiredMetadataIsRefused() {
        ReleaseMetadata expired = TestFirmware.metadata(MODEL, "1.4.0", "1.2.0", image, NOW);

        assertRefused(hubAt("1.2.0").beforeDownload(signed(expired), roots, NOW), FirmwareRefusal.METADATA_EXPIRED);
        assertThat(hubAt("1.2.0").beforeDownload(signed(expired), roots, NOW.minusSeconds(1)).refusal()).isEmpty();
    }

    @Test
    void anEqualOrLowerVersionIsARollbackEvenWhenValidlySigned() {
        assertRefused(hubAt("1.4.0").beforeDownload(signed(metadata), roots, NOW), FirmwareRefusal.ROLLBACK_REFUSED);
        assertRefused(hubAt("1.4.1").beforeDownload(signed(metadata), roots, NOW), FirmwareRefusal.ROLLBACK_REFUSED);
        assertRefused(hubAt("2.0.0").beforeDownload(signed(metadata), roots, NOW), FirmwareRefusal.ROLLBACK_REFUSED);
        assertThat(hubAt("1.3.999").beforeDownload(signed(metadata), roots, NOW).refusal()).isEmpty();
    }

    @Test
    void anotherModelsReleaseIsRefused() {
        ReleaseMetadata other = TestFirmware.metadata("ora-hub-2", "1.4.0", "1.2.0", image, NEXT_YEAR);

        assertRefused(hubAt("1.2.0").beforeDownload(signed(other), roots, NOW), FirmwareRefusal.WRONG_MODEL);
    }

    @Test
    void anInstalledVersionBelowTheMinimumIsRefused() {
        assertRefused(hubAt("1.1.9").beforeDownload(signed(metadata), roots, NOW), FirmwareRefusal.MIN_VERSION);
        assertThat(hubAt("1.2.0").beforeDownload(signed(metadata), roots, NOW).refusal())
                .as("minVersion is inclusive").isEmpty();
    }

    @Test
    void aBadRootChainIsRefusedBeforeTheReleaseIsLookedAt() {
        KeyPair stranger = FirmwareKeys.generate();
        SignedEnvelope v2 = TestFirmware.root(2, NEXT_YEAR, firmware.root, firmware.release,
                firmware.root.getPrivate());
        SignedEnvelope v3 = TestFirmware.root(3, NEXT_YEAR, firmware.root, firmware.release,
                firmware.root.getPrivate());
        List<List<SignedEnvelope>> badChains = List.of(
                List.of(),
                List.of(TestFirmware.root(1, NEXT_YEAR, firmware.root, firmware.release, stranger.getPrivate())),
                List.of(roots.get(0), v3),
                List.of(firmware.rootV1(NOW)),
                List.of(roots.get(0), v2, TestFirmware.root(3, NOW, firmware.root, firmware.release,
                        firmware.root.getPrivate())));

        for (List<SignedEnvelope> chain : badChains) {
            assertRefused(hubAt("1.2.0").beforeDownload(signed(metadata), chain, NOW), FirmwareRefusal.ROOT_INVALID);
        }
        assertThat(hubAt("1.2.0").beforeDownload(signed(metadata), List.of(roots.get(0), v2, v3), NOW).refusal())
                .isEmpty();
    }

    @Test
    void aHubThatTrustsALaterRootIsNotTakenBackByAnOfferOfOlderOnes() {
        KeyPair newRelease = FirmwareKeys.generate();
        SignedEnvelope v2 = TestFirmware.root(2, NEXT_YEAR, firmware.root, newRelease, firmware.root.getPrivate());
        TrustedRoot atTwo = TrustedRoot.pinned(firmware.root.getPublic()).advance(List.of(roots.get(0), v2), NOW)
                .orElseThrow();
        FirmwareVerification hub = new FirmwareVerification(atTwo, MODEL, FirmwareVersion.parse("1.2.0").get());

        assertRefused(hub.beforeDownload(signed(metadata), roots, NOW), FirmwareRefusal.SIGNATURE_INVALID);
        assertThat(hub.beforeDownload(TestFirmware.sign(metadata, newRelease), roots, NOW).refusal()).isEmpty();
    }

    private FirmwareVerification hubAt(String installed) {
        return new FirmwareVerification(TrustedRoot.pinned(firmware.root.getPublic()), MODEL,
                FirmwareVersion.parse(installed).orElseThrow());
    }

    private SignedEnvelope signed(ReleaseMetadata release) {
        return TestFirmware.sign(release, firmware.release);
    }

    private Path write(byte[] bytes) throws IOException {
        return Files.write(Files.createTempFile(dir, "image", ".bin"), bytes);
    }

    private static void assertRefused(FirmwareVerification.Outcome outcome, FirmwareRefusal refusal) {
        assertThat(outcome.refusal()).contains(refusal);
        assertThat(outcome.accepted()).isEmpty();
    }

    private static byte[] image(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
