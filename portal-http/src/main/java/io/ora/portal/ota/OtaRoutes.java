package io.ora.portal.ota;

import static io.ora.portal.auth.Role.OPERATOR;

import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.SignedEnvelope;
import io.ora.portal.api.ApiException;
import io.ora.portal.api.Call;
import io.ora.portal.api.Endpoint;
import io.ora.portal.api.Page;
import io.ora.portal.api.Responses;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.StreamConverters;
import tools.jackson.databind.JsonNode;

/**
 * The operators' OTA API (docs/ota.md, "Operators: releases and rollouts"): roots, releases and their artifacts,
 * rollouts and their moves, and the OTA audit log. Operator role only; every change is audited by the domain in the
 * transaction that makes it.
 */
public final class OtaRoutes {

    /** How long an artifact upload may go without a byte before it is abandoned (and nothing kept). */
    private static final Duration UPLOAD_IDLE = Duration.ofSeconds(60);

    private final Releases releases;
    private final Rollouts rollouts;
    private final long maxArtifactBytes;
    private final Materializer materializer;
    private final Runnable rolloutsChanged;

    /**
     * The endpoints; {@code rolloutsChanged} runs after a rollout is created or moved, so this node answers checks
     * from the change at once (the others within their refresh interval).
     */
    OtaRoutes(Releases releases, Rollouts rollouts, long maxArtifactBytes, Materializer materializer,
              Runnable rolloutsChanged) {
        this.releases = releases;
        this.rollouts = rollouts;
        this.rolloutsChanged = rolloutsChanged;
        this.maxArtifactBytes = maxArtifactBytes;
        this.materializer = materializer;
    }

    public List<Endpoint> endpoints() {
        return List.of(
                Endpoint.post("uploadOtaRoot", "/v1/ota/roots").roles(OPERATOR).rate("sensitive")
                        .bytes(SignedEnvelope.MAX_BYTES).handle(this::uploadRoot),
                Endpoint.get("listOtaRoots", "/v1/ota/roots").roles(OPERATOR).rate("read").handle(call ->
                        releases.roots().thenApply(roots -> Responses.ok(Map.of("items", roots)))),
                Endpoint.post("registerRelease", "/v1/ota/releases").roles(OPERATOR).rate("write")
                        .bytes(SignedEnvelope.MAX_BYTES).handle(this::register),
                Endpoint.get("listReleases", "/v1/ota/releases").roles(OPERATOR).rate("read")
                        .query("limit", "cursor").handle(call -> releases.list(Page.Request.of(call))
                                .thenApply(Responses::ok)),
                Endpoint.get("getRelease", "/v1/ota/releases/{releaseId}").roles(OPERATOR).rate("read")
                        .handle(call -> releases.get(call.uuid("releaseId")).thenApply(found -> Responses.ok(
                                OtaViews.ReleaseView.of(found.orElseThrow(() -> ApiException.notFound("release")))))),
                Endpoint.put("uploadArtifact", "/v1/ota/releases/{releaseId}/artifact").roles(OPERATOR)
                        .rate("upload").stream(maxArtifactBytes).handle(this::uploadArtifact),
                Endpoint.post("createRollout", "/v1/ota/rollouts").roles(OPERATOR).rate("write")
                        .json("RolloutCreate", 16 * 1024).handle(this::createRollout),
                Endpoint.get("listRollouts", "/v1/ota/rollouts").roles(OPERATOR).rate("read")
                        .query("limit", "cursor").handle(call -> rollouts.list(Page.Request.of(call))
                                .thenApply(Responses::ok)),
                Endpoint.get("getRollout", "/v1/ota/rollouts/{rolloutId}").roles(OPERATOR).rate("read")
                        .handle(call -> rollouts.progress(call.uuid("rolloutId")).thenApply(found -> {
                            Rollouts.Progress progress = found.orElseThrow(() -> ApiException.notFound("rollout"));
                            return Responses.ok(OtaViews.RolloutView.of(progress.rollout(),
                                    Optional.of(progress.stages())));
                        })),
                move("pauseRollout", "pause", "write", RolloutStatus.Move.PAUSE),
                move("resumeRollout", "resume", "write", RolloutStatus.Move.RESUME),
                move("abortRollout", "abort", "sensitive", RolloutStatus.Move.ABORT),
                Endpoint.get("listOtaAudit", "/v1/ota/audit").roles(OPERATOR).rate("read")
                        .query("limit", "cursor").handle(call -> rollouts.audit(Page.Request.of(call))
                                .thenApply(Responses::ok)));
    }

    private Endpoint move(String operationId, String verb, String rate, RolloutStatus.Move move) {
        return Endpoint.post(operationId, "/v1/ota/rollouts/{rolloutId}/" + verb).roles(OPERATOR).rate(rate)
                .handle(call -> rollouts.move(call.caller().userId(), call.uuid("rolloutId"), move)
                        .whenComplete((moved, failure) -> rolloutsChanged.run())
                        .thenApply(r -> Responses.ok(OtaViews.RolloutView.of(r, Optional.empty()))));
    }

    private CompletionStage<HttpResponse> uploadRoot(Call call) {
        json(call);
        return releases.addRoot(call.caller().userId(), call.bytes().orElseThrow())
                .thenApply(root -> Responses.json(StatusCodes.CREATED, root));
    }

    private CompletionStage<HttpResponse> register(Call call) {
        json(call);
        return releases.register(call.caller().userId(), call.bytes().orElseThrow())
                .thenApply(release -> Responses.json(StatusCodes.CREATED, OtaViews.ReleaseView.of(release)));
    }

    private CompletionStage<HttpResponse> uploadArtifact(Call call) {
        if (!call.request().entity().getContentType().mediaType().equals(MediaTypes.APPLICATION_OCTET_STREAM)) {
            call.request().discardEntityBytes(materializer);
            throw ApiException.of(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "an artifact is sent as "
                    + MediaTypes.APPLICATION_OCTET_STREAM);
        }
        UUID release = call.uuid("releaseId");
        java.io.InputStream image = call.stream().runWith(StreamConverters.asInputStream(UPLOAD_IDLE), materializer);
        return releases.uploadArtifact(call.caller().userId(), release, call.contentLength(), image)
                .thenApply(uploaded -> Responses.ok(OtaViews.ReleaseView.of(uploaded)));
    }

    private CompletionStage<HttpResponse> createRollout(Call call) {
        JsonNode body = call.body();
        UUID release = uuid(body.get("releaseId"), "releaseId");
        JsonNode from = body.get("fromVersions");
        Optional<FirmwareVersion> fromMin = version(from == null ? null : from.get("min"), "fromVersions.min");
        Optional<FirmwareVersion> fromBelow = version(from == null ? null : from.get("below"), "fromVersions.below");
        List<RolloutPlan.Stage> stages;
        try {
            if (body.has("stages") == body.has("ramp")) {
                throw ApiException.badRequest("give either stages or ramp");
            }
            if (body.has("stages")) {
                stages = new java.util.ArrayList<>();
                for (JsonNode stage : body.get("stages")) {
                    stages.add(new RolloutPlan.Stage(stage.get("percent").doubleValue(),
                            Duration.ofMinutes(stage.get("soakMinutes").longValue())));
                }
            } else {
                JsonNode ramp = body.get("ramp");
                stages = RolloutPlan.ramp(ramp.get("initialPercent").doubleValue(), ramp.get("factor").doubleValue(),
                        Duration.ofMinutes(ramp.get("stepMinutes").longValue()));
            }
            // The plan's own rules (strictly increasing, at most 20) are checked here, before the transaction.
            new RolloutPlan(UUID.randomUUID(), "m", new FirmwareVersion(1, 0, 0), FirmwareVersion.ZERO, fromMin,
                    fromBelow, stages, body.get("maxOffersPerMinute").intValue(), OptionalInt.empty(),
                    OptionalDouble.empty());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        JsonNode pause = body.get("autoPause");
        OptionalInt failures = pause != null && pause.has("failures") ? OptionalInt.of(pause.get("failures").intValue())
                : OptionalInt.empty();
        OptionalDouble percent = pause != null && pause.has("failurePercent")
                ? OptionalDouble.of(pause.get("failurePercent").doubleValue()) : OptionalDouble.empty();
        return rollouts.create(call.caller().userId(), new Rollouts.Request(release, fromMin, fromBelow, stages,
                        body.get("maxOffersPerMinute").intValue(), failures, percent))
                .whenComplete((created, failure) -> rolloutsChanged.run())
                .thenApply(rollout -> Responses.json(StatusCodes.CREATED,
                        OtaViews.RolloutView.of(rollout, Optional.empty())));
    }

    private static void json(Call call) {
        if (!call.request().entity().getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
            throw ApiException.of(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "signed metadata is sent as "
                    + MediaTypes.APPLICATION_JSON);
        }
    }

    private static UUID uuid(JsonNode node, String field) {
        try {
            return UUID.fromString(node.stringValue());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ApiException.badRequest(field + " is a UUID");
        }
    }

    private static Optional<FirmwareVersion> version(JsonNode node, String field) {
        if (node == null) {
            return Optional.empty();
        }
        return Optional.of(FirmwareVersion.parse(node.stringValue()).orElseThrow(() ->
                ApiException.badRequest(field + " is MAJOR.MINOR.PATCH")));
    }
}
