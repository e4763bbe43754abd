package io.ora.core.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The walk from the pinned root key (docs/ota.md, "How a hub decides to trust a release", and "Rotating keys"). */
class TrustedRootTest {

    private static final Instant NOW = Instant.parse("2027-01-01T00:00:00Z");
    private static final Instant LATER = NOW.plus(Duration.ofDays(365));

    private static final KeyPair ROOT = FirmwareKeys.generate();
    private static final KeyPair NEW_ROOT = FirmwareKeys.generate();
    private static final KeyPair RELEASE_1 = FirmwareKeys.generate();
    private static final KeyPair RELEASE_2 = FirmwareKeys.generate();

    private static final TrustedRoot PINNED = TrustedRoot.pinned(ROOT.getPublic());
    private static final SignedEnvelope V1 = root(1, LATER, ROOT, RELEASE_1, ROOT.getPrivate());

    @Test
    void theFirstRootSignedByThePinnedKeyNamesTheReleaseKeys() {
        TrustedRoot trusted = PINNED.advance(List.of(V1), NOW).orElseThrow();

        assertThat(trusted.version()).isEqualTo(1);
        assertThat(trusted.expires()).isEqualTo(LATER);
        assertThat(trusted.rootKeys()).containsExactly(ROOT.getPublic());
        assertThat(trusted.releaseKeys()).containsExactly(RELEASE_1.getPublic());
        assertThat(trusted.signedRelease(release(RELEASE_1))).isTrue();
        assertThat(trusted.signedRelease(release(RELEASE_2))).isFalse();
    }

    @Test
    void aReleaseKeyIsRotatedByTheNextVersionSignedByTheRootKey() {
        SignedEnvelope v2 = root(2, LATER, ROOT, RELEASE_2, ROOT.getPrivate());

        TrustedRoot trusted = PINNED.advance(List.of(V1, v2), NOW).orElseThrow();

        assertThat(trusted.version()).isEqualTo(2);
        assertThat(trusted.signedRelease(release(RELEASE_2))).isTrue();
        assertThat(trusted.signedRelease(release(RELEASE_1))).as("the replaced key signs nothing any more").isFalse();
    }

    @Test
    void aRootKeyIsRotatedOnlyWithTheOldAndTheNewRootSignatures() {
        SignedEnvelope both = root(2, LATER, NEW_ROOT, RELEASE_1, ROOT.getPrivate(), NEW_ROOT.getPrivate());
        SignedEnvelope oldOnly = root(2, LATER, NEW_ROOT, RELEASE_1, ROOT.getPrivate());
        SignedEnvelope newOnly = root(2, LATER, NEW_ROOT, RELEASE_1, NEW_ROOT.getPrivate());

        TrustedRoot rotated = PINNED.advance(List.of(V1, both), NOW).orElseThrow();
        assertThat(rotated.rootKeys()).containsExactly(NEW_ROOT.getPublic());
        assertThat(PINNED.advance(List.of(V1, oldOnly), NOW)).as("not signed by a key it names").isEmpty();
        assertThat(PINNED.advance(List.of(V1, newOnly), NOW)).as("not signed by the trusted root key").isEmpty();

        SignedEnvelope v3ByNew = root(3, LATER, NEW_ROOT, RELEASE_2, NEW_ROOT.getPrivate());
        SignedEnvelope v3ByOld = root(3, LATER, NEW_ROOT, RELEASE_2, ROOT.getPrivate());
        assertThat(PINNED.advance(List.of(V1, both, v3ByNew), NOW)).hasValueSatisfying(root ->
                assertThat(root.version()).isEqualTo(3));
        assertThat(PINNED.advance(List.of(V1, both, v3ByOld), NOW)).as("the old root key is retired").isEmpty();
    }

    @Test
    void aSkippedVersionIsRefused() {
        SignedEnvelope v3 = root(3, LATER, ROOT, RELEASE_2, ROOT.getPrivate());

        assertThat(PINNED.advance(List.of(V1, v3), NOW)).isEmpty();
        assertThat(PINNED.advance(List.of(root(2, LATER, ROOT, RELEASE_1, ROOT.getPrivate())), NOW)).isEmpty();
    }

    @Test
    void aTamperedRootIsRefused() {
        String json = new String(V1.payload(), StandardCharsets.UTF_8);
        String theirs = Base64.getEncoder().encodeToString(RELEASE_2.getPublic().getEncoded());
        String changed = json.replace(Base64.getEncoder().encodeToString(RELEASE_1.getPublic().getEncoded()), theirs)
                .replace(FirmwareKeys.keyId(RELEASE_1.getPublic()), FirmwareKeys.keyId(RELEASE_2.getPublic()));
        assertThat(changed).isNotEqualTo(json);
        SignedEnvelope tampered = new SignedEnvelope(V1.payloadType(), changed.getBytes(StandardCharsets.UTF_8),
                V1.signatures());

        assertThat(PINNED.advance(List.of(tampered), NOW)).isEmpty();
        assertThat(PINNED.advance(List.of(root(1, LATER, ROOT, RELEASE_1, NEW_ROOT.getPrivate())), NOW))
                .as("signed by a key that is not pinned").isEmpty();
    }

    @Test
    void anExpiredNewestRootIsRefusedButAnExpiredOlderOneIsWalkedThrough() {
        SignedEnvelope expiredV1 = root(1, NOW.minusSeconds(1), ROOT, RELEASE_1, ROOT.getPrivate());
        SignedEnvelope v2 = root(2, LATER, ROOT, RELEASE_2, ROOT.getPrivate());

        assertThat(PINNED.advance(List.of(expiredV1), NOW)).isEmpty();
        assertThat(PINNED.advance(List.of(root(1, NOW, ROOT, RELEASE_1, ROOT.getPrivate())), NOW))
                .as("expires is the first instant it is no longer trusted").isEmpty();
        assertThat(PINNED.advance(List.of(expiredV1, v2), NOW)).hasValueSatisfying(root ->
                assertThat(root.version()).isEqualTo(2));
    }

    @Test
    void noRootAtAllIsRefused() {
        assertThat(PINNED.advance(List.of(), NOW)).isEmpty();
    }

    @Test
    void olderAndRepeatedVersionsArePassedOver() {
        SignedEnvelope v2 = root(2, LATER, ROOT, RELEASE_2, ROOT.getPrivate());
        TrustedRoot atTwo = PINNED.advance(List.of(V1, v2), NOW).orElseThrow();

        assertThat(PINNED.advance(List.of(V1, V1, v2, v2, V1), NOW)).contains(atTwo);
        assertThat(atTwo.advance(List.of(V1, v2), NOW)).contains(atTwo);
        assertThat(atTwo.advance(List.of(), NOW)).contains(atTwo);
        assertThat(atTwo.next(V1)).contains(atTwo);
    }

    @Test
    void onlyRootEnvelopesAreRoots() {
        SignedEnvelope asRelease = new SignedEnvelope(SignedEnvelope.RELEASE_TYPE, V1.payload(), V1.signatures());
        SignedEnvelope notRootJson = SignedEnvelope.sign(SignedEnvelope.ROOT_TYPE,
                "{\"spec\":1}".getBytes(StandardCharsets.UTF_8), List.of(ROOT.getPrivate()));

        assertThat(PINNED.advance(List.of(asRelease), NOW)).isEmpty();
        assertThat(PINNED.advance(List.of(notRootJson), NOW)).isEmpty();
        TrustedRoot trusted = PINNED.advance(List.of(V1), NOW).orElseThrow();
        assertThat(trusted.signedRelease(new SignedEnvelope(SignedEnvelope.ROOT_TYPE, release(RELEASE_1).payload(),
                release(RELEASE_1).signatures()))).as("a release is a release envelope").isFalse();
    }

    @Test
    void rootMetadataRoundTripsThroughItsJson() throws InvalidDocumentException {
        RootMetadata metadata = new RootMetadata(4, LATER, List.of(ROOT.getPublic(), NEW_ROOT.getPublic()),
                List.of(RELEASE_1.getPublic()));

        RootMetadata parsed = RootMetadata.parse(metadata.toJson());

        assertThat(parsed.version()).isEqualTo(4);
        assertThat(parsed.expires()).isEqualTo(LATER);
        assertThat(parsed.rootKeys()).containsExactly(ROOT.getPublic(), NEW_ROOT.getPublic());
        assertThat(parsed.releaseKeys()).containsExactly(RELEASE_1.getPublic());
    }

    private static SignedEnvelope root(int version, Instant expires, KeyPair rootKey, KeyPair releaseKey,
                                       PrivateKey... signers) {
        List<PublicKey> rootKeys = List.of(rootKey.getPublic());
        byte[] payload = new RootMetadata(version, expires, rootKeys, List.of(releaseKey.getPublic())).toJson();
        return SignedEnvelope.sign(SignedEnvelope.ROOT_TYPE, payload, List.of(signers));
    }

    private static SignedEnvelope release(KeyPair signer) {
        byte[] payload = new ReleaseMetadata("ora-hub-1", new FirmwareVersion(1, 4, 0), FirmwareVersion.ZERO, 1,
                new byte[32], "", LATER).toJson();
        return SignedEnvelope.sign(SignedEnvelope.RELEASE_TYPE, payload, List.of(signer.getPrivate()));
    }
}
