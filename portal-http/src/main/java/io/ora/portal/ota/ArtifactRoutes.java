package io.ora.portal.ota;

import io.ora.core.identity.PeerId;
import io.ora.device.https.DeviceRequests;
import io.ora.device.https.DeviceRoutes;
import io.ora.device.https.Problem;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.DateTime;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * Artifact downloads on the device listener (docs/ota.md, "Download"): {@code GET
 * /ota/v1/releases/{releaseId}/artifact} for hub certificates, served from the node's verified copy with Pekko HTTP's
 * range support (one range: 206; past the end: 416) and its conditional requests on the SHA-256 as the entity tag
 * ({@code If-Range} resumes only the same bytes). At most {@code ora.ota.max-downloads} at once per node, held until
 * the response's last byte is sent.
 */
final class ArtifactRoutes implements DeviceRoutes {

    /** When an artifact's copy is said to be modified: never changes, since artifacts never do. */
    private static final DateTime IMMUTABLE = DateTime.create(2026, 1, 1, 0, 0, 0);

    /** How long a response's body may wait to be sent before its permit is given back anyway. */
    private static final Duration UNSTARTED = Duration.ofSeconds(30);

    private final ArtifactCache cache;
    private final Semaphore downloads;

    ArtifactRoutes(ArtifactCache cache, int maxDownloads) {
        this.cache = cache;
        this.downloads = new Semaphore(maxDownloads);
    }

    @Override
    public long maxBodyBytes() {
        return 0;
    }

    @Override
    public Route route(DeviceRequests requests) {
        return Directives.pathPrefix(PathMatchers.segment("ota").slash("v1").slash("releases")
                .slash(PathMatchers.segment()), release -> Directives.path("artifact", () ->
                requests.route("/ota/v1/releases/{releaseId}/artifact", () -> Directives.get(() ->
                        requests.peer(peer -> {
                            if (!(peer.id() instanceof PeerId.Hub)) {
                                return Directives.complete(Problem.typed("hub-certificate-required",
                                        "Hub certificate required", StatusCodes.FORBIDDEN,
                                        "only a hub's device certificate may download firmware").toResponse());
                            }
                            Optional<UUID> id = uuid(release);
                            return id.isEmpty() ? notFound() : bounded(id.get());
                        })))));
    }

    private Route bounded(UUID release) {
        if (!downloads.tryAcquire()) {
            return Directives.complete(Problem.typed("ota-busy", "Too many downloads",
                    StatusCodes.SERVICE_UNAVAILABLE, "this node is serving as many downloads as it takes; retry later")
                    .toResponse().addHeader(RetryAfter.create(30L)));
        }
        AtomicBoolean freed = new AtomicBoolean();
        Runnable free = () -> {
            if (freed.compareAndSet(false, true)) {
                downloads.release();
            }
        };
        return Directives.mapResponse(response -> held(response, free), () ->
                Directives.onComplete(cache.artifact(release), found -> {
                    if (found.isFailure()) {
                        return Directives.failWith(found.failed().get());
                    }
                    if (found.get().isEmpty()) {
                        return notFound();
                    }
                    ArtifactCache.Artifact artifact = found.get().get();
                    return Directives.respondWithHeader(RawHeader.create("Cache-Control", "private, immutable"), () ->
                            Directives.conditional(EntityTag.create(artifact.sha256(), false), IMMUTABLE, () ->
                                    Directives.withRangeSupport(() -> Directives.complete(HttpResponse.create()
                                            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM,
                                                    artifact.file()))))));
                }));
    }

    /**
     * The response, keeping the download's permit until its body has been sent (or failed); a response without a
     * streamed body (a refusal, 304, 416) frees it at once.
     */
    private static HttpResponse held(HttpResponse response, Runnable free) {
        if (response.entity().isStrict() || response.entity().isKnownEmpty()) {
            free.run();
            return response;
        }
        AtomicBoolean started = new AtomicBoolean();
        // A body that is never run (the connection closed before the response went out) would hold its permit
        // for good: one not started within UNSTARTED is given back.
        CompletableFuture.delayedExecutor(UNSTARTED.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (!started.get()) {
                free.run();
            }
        });
        return response.transformEntityDataBytes(Flow.<ByteString>create().watchTermination((unused, done) -> {
            started.set(true);
            done.whenComplete((ok, failure) -> free.run());
            return unused;
        }));
    }

    private static Optional<UUID> uuid(String text) {
        try {
            UUID id = UUID.fromString(text);
            return id.toString().equals(text) ? Optional.of(id) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Route notFound() {
        return Directives.complete(Problem.typed("release-not-found", "Release not found", StatusCodes.NOT_FOUND,
                "no release with this id has an artifact").toResponse());
    }
}
