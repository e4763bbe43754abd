package io.ora.core.firmware;

import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The root a hub (or the portal, checking uploads) trusts, and the walk that moves it forward (docs/ota.md, "How a
 * hub decides to trust a release"). It starts pinned: version 0, the pinned key as the only root key, no release
 * keys. Each next root metadata must be exactly one version on, signed by a root key of the trusted version and by
 * one of its own; older or repeated versions are passed over. Immutable: {@link #advance} answers the new root.
 *
 * @param version     the trusted version (0: only the pinned key)
 * @param expires     when it stops being trusted (never, for the pinned state)
 * @param rootKeys    keys that sign the next version
 * @param releaseKeys keys that sign releases
 */
public record TrustedRoot(int version, Instant expires, List<PublicKey> rootKeys, List<PublicKey> releaseKeys) {

    public TrustedRoot {
        rootKeys = List.copyOf(rootKeys);
        releaseKeys = List.copyOf(releaseKeys);
    }

    /** The state a hub leaves the factory with. */
    public static TrustedRoot pinned(PublicKey rootKey) {
        return new TrustedRoot(0, Instant.MAX, List.of(rootKey), List.of());
    }

    /**
     * Walks {@code roots} (oldest first) from this root. Answers the newest root reached, or empty when one that
     * should be next does not verify, a version is skipped, a document is malformed, or the root reached has
     * expired by {@code now} or names no release key yet.
     */
    public Optional<TrustedRoot> advance(List<SignedEnvelope> roots, Instant now) {
        TrustedRoot trusted = this;
        for (SignedEnvelope envelope : roots) {
            Optional<TrustedRoot> next = trusted.next(envelope);
            if (next.isEmpty()) {
                return Optional.empty();
            }
            trusted = next.get();
        }
        if (trusted.version == 0 || !now.isBefore(trusted.expires)) {
            return Optional.empty();
        }
        return Optional.of(trusted);
    }

    /**
     * This root moved on by one envelope: itself for an older or repeated version, the envelope's root when it is
     * exactly the next version and signed as it must be, empty otherwise.
     */
    public Optional<TrustedRoot> next(SignedEnvelope envelope) {
        if (!envelope.payloadType().equals(SignedEnvelope.ROOT_TYPE)) {
            return Optional.empty();
        }
        RootMetadata root;
        try {
            root = RootMetadata.parse(envelope.payload());
        } catch (InvalidDocumentException e) {
            return Optional.empty();
        }
        if (root.version() <= version) {
            return Optional.of(this);
        }
        if (root.version() != version + 1 || !envelope.signedByAny(rootKeys)
                || !envelope.signedByAny(root.rootKeys())) {
            return Optional.empty();
        }
        return Optional.of(new TrustedRoot(root.version(), root.expires(), root.rootKeys(), root.releaseKeys()));
    }

    /** Whether {@code release} is a release envelope signed by one of this root's release keys. */
    public boolean signedRelease(SignedEnvelope release) {
        return release.payloadType().equals(SignedEnvelope.RELEASE_TYPE) && release.signedByAny(releaseKeys);
    }
}
