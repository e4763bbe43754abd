package io.ora.portal.ota;

import io.ora.portal.store.Db;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each node's copies of artifacts on local disk ({@code ora.ota.cache-dir}), so downloads are served from a file:
 * fetched from PostgreSQL on the first download of a release, checked against the signed size and SHA-256 before it
 * is used, and moved into place atomically, so a half-written or wrong copy is never served. One fetch per release at
 * a time; concurrent first downloads wait for it.
 */
final class ArtifactCache {

    /** A verified copy and the release's digest (its entity tag). */
    record Artifact(Path file, long size, String sha256) {
    }

    private final Db db;
    private final Releases releases;
    private final Path dir;
    private final Map<UUID, CompletionStage<Optional<Artifact>>> fetching = new ConcurrentHashMap<>();
    private final Map<UUID, Artifact> verified = new ConcurrentHashMap<>();

    ArtifactCache(Db db, Releases releases, Path dir) {
        this.db = db;
        this.releases = releases;
        this.dir = dir;
    }

    /** The verified copy of {@code release}'s artifact, or empty when the release has none. */
    CompletionStage<Optional<Artifact>> artifact(UUID release) {
        Artifact known = verified.get(release);
        if (known != null && Files.isRegularFile(known.file())) {
            return CompletableFuture.completedFuture(Optional.of(known));
        }
        CompletableFuture<Optional<Artifact>> mine = new CompletableFuture<>();
        CompletionStage<Optional<Artifact>> running = fetching.putIfAbsent(release, mine);
        if (running != null) {
            return running;
        }
        fetch(release).whenComplete((artifact, failure) -> {
            fetching.remove(release);
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                artifact.ifPresent(found -> verified.put(release, found));
                mine.complete(artifact);
            }
        });
        return mine;
    }

    private CompletionStage<Optional<Artifact>> fetch(UUID release) {
        Path target = dir.resolve(release.toString());
        return db.read(c -> {
            Path part = null;
            try {
                Files.createDirectories(dir);
                part = Files.createTempFile(dir, release.toString(), ".part");
                MessageDigest sha = Releases.sha256();
                Optional<Releases.Release> found;
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(part), sha)) {
                    found = releases.copyArtifact(c, release, out);
                }
                if (found.isEmpty()) {
                    return Optional.<Artifact>empty();
                }
                String digest = HexFormat.of().formatHex(sha.digest());
                if (Files.size(part) != found.get().size() || !digest.equals(found.get().sha256())) {
                    throw new IllegalStateException("the stored artifact of a release is not what was signed");
                }
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return Optional.of(new Artifact(target, found.get().size(), digest));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                deleteQuietly(part);
            }
        });
    }

    private static void deleteQuietly(Path part) {
        if (part == null) {
            return;
        }
        try {
            Files.deleteIfExists(part);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
