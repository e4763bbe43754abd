package io.ora.hubkit.ota;

import io.ora.core.firmware.FirmwareKeys;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.ReleaseMetadata;
import io.ora.core.firmware.RootMetadata;
import io.ora.core.firmware.SignedEnvelope;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;

/**
 * Signed firmware documents for tests, from keys made per instance: a root key, a release key the first root names,
 * and helpers for roots and releases signed by whichever key a test needs. For hub-kit's tests and, through the
 * test jar, the node's (an offer a test server or portal hands out).
 */
public final class TestFirmware {

    /** The pinned root key. */
    public final KeyPair root = FirmwareKeys.generate();
    /** The release key root version 1 names. */
    public final KeyPair release = FirmwareKeys.generate();

    /** Root metadata version 1: {@link #root} signs the next root, {@link #release} signs releases. */
    public SignedEnvelope rootV1(Instant expires) {
        return root(1, expires, root, release, root.getPrivate());
    }

    /** Root metadata {@code version} naming {@code rootKey} and {@code releaseKey}, signed by {@code signers}. */
    public static SignedEnvelope root(int version, Instant expires, KeyPair rootKey, KeyPair releaseKey,
                                      PrivateKey... signers) {
        byte[] payload = new RootMetadata(version, expires, List.of(rootKey.getPublic()),
                List.of(releaseKey.getPublic())).toJson();
        return SignedEnvelope.sign(SignedEnvelope.ROOT_TYPE, payload, List.of(signers));
    }

    /** Release metadata describing {@code image}. */
    public static ReleaseMetadata metadata(String model, String version, String minVersion, byte[] image,
                                           Instant expires) {
        return new ReleaseMetadata(model, FirmwareVersion.parse(version).orElseThrow(),
                FirmwareVersion.parse(minVersion).orElseThrow(), image.length, sha256(image), "test release",
                expires);
    }

    /** {@code metadata} signed by {@code signer}. */
    public static SignedEnvelope sign(ReleaseMetadata metadata, KeyPair signer) {
        return SignedEnvelope.sign(SignedEnvelope.RELEASE_TYPE, metadata.toJson(), List.of(signer.getPrivate()));
    }

    /** SHA-256 of {@code bytes}. */
    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
