package io.ora.hubkit.ota;

import io.ora.core.firmware.FirmwareRefusal;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.InvalidDocumentException;
import io.ora.core.firmware.ReleaseMetadata;
import io.ora.core.firmware.SignedEnvelope;
import io.ora.core.firmware.TrustedRoot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a hub checks before it installs firmware (docs/ota.md, "How a hub decides to trust a release"), in this
 * order: the root chain from its pinned key, the release's signature, expiry, model, rollback and minimum version —
 * all before a byte is downloaded — and, after the download, the bytes' size and SHA-256. Each failure is its own
 * {@link FirmwareRefusal}.
 */
public final class FirmwareVerification {

    private final TrustedRoot trusted;
    private final String model;
    private final FirmwareVersion installed;

    /**
     * A hub of {@code model} running {@code installed}, trusting {@code trusted} (at first
     * {@link TrustedRoot#pinned}).
     */
    public FirmwareVerification(TrustedRoot trusted, String model, FirmwareVersion installed) {
        this.trusted = trusted;
        this.model = model;
        this.installed = installed;
    }

    /** A release the checks before download accepted, with the root they reached. */
    public record Accepted(ReleaseMetadata release, TrustedRoot root) {
    }

    /** What a check answered: accepted, or refused for one reason. */
    public record Outcome(Optional<Accepted> accepted, Optional<FirmwareRefusal> refusal) {
        static Outcome refused(FirmwareRefusal refusal) {
            return new Outcome(Optional.empty(), Optional.of(refusal));
        }

        static Outcome accepted(Accepted accepted) {
            return new Outcome(Optional.of(accepted), Optional.empty());
        }
    }

    /** The checks that need only the metadata, at {@code now}. */
    public Outcome beforeDownload(SignedEnvelope release, List<SignedEnvelope> roots, Instant now) {
        Optional<TrustedRoot> root = trusted.advance(roots, now);
        if (root.isEmpty()) {
            return Outcome.refused(FirmwareRefusal.ROOT_INVALID);
        }
        if (!root.get().signedRelease(release)) {
            return Outcome.refused(FirmwareRefusal.SIGNATURE_INVALID);
        }
        ReleaseMetadata metadata;
        try {
            metadata = ReleaseMetadata.parse(release.payload());
        } catch (InvalidDocumentException e) {
            // Signed but not a release this hub understands: no more trustworthy than an unsigned one.
            return Outcome.refused(FirmwareRefusal.SIGNATURE_INVALID);
        }
        if (!now.isBefore(metadata.expires())) {
            return Outcome.refused(FirmwareRefusal.METADATA_EXPIRED);
        }
        if (!metadata.model().equals(model)) {
            return Outcome.refused(FirmwareRefusal.WRONG_MODEL);
        }
        if (!installed.isBelow(metadata.version())) {
            return Outcome.refused(FirmwareRefusal.ROLLBACK_REFUSED);
        }
        if (installed.isBelow(metadata.minVersion())) {
            return Outcome.refused(FirmwareRefusal.MIN_VERSION);
        }
        return Outcome.accepted(new Accepted(metadata, root.get()));
    }

    /** Whether the downloaded {@code image} is exactly what {@code release} signed: its size and SHA-256. */
    public static Optional<FirmwareRefusal> afterDownload(ReleaseMetadata release, Path image) throws IOException {
        if (Files.size(image) != release.size()) {
            return Optional.of(FirmwareRefusal.HASH_MISMATCH);
        }
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
        try (InputStream in = Files.newInputStream(image)) {
            byte[] buffer = new byte[64 * 1024];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
        }
        return MessageDigest.isEqual(digest.digest(), release.sha256()) ? Optional.empty()
                : Optional.of(FirmwareRefusal.HASH_MISMATCH);
    }
}
