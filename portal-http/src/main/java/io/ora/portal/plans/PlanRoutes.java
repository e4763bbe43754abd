package io.ora.portal.plans;

import static io.ora.portal.auth.Role.ELECTRICIAN;
import static io.ora.portal.auth.Role.HOMEOWNER;

import io.ora.portal.api.ApiException;
import io.ora.portal.api.Call;
import io.ora.portal.api.DomainRefusals;
import io.ora.portal.api.Endpoint;
import io.ora.portal.api.Responses;
import io.ora.portal.api.Versions;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import tools.jackson.databind.JsonNode;

/** Floor plans and pairing plans (docs/portal.md, "Plans"): versioned, with {@code ETag}/{@code If-Match}. */
public final class PlanRoutes {

    /**
     * A file name is kept only as a label: one path segment of safe characters, so it can never name a path
     * ({@code ../}, separators, control characters and leading dots are refused).
     */
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._()-]{0,127}");

    private final Plans plans;
    private final long maxFloorPlan;
    private final long maxPairingPlan;

    public PlanRoutes(Plans plans, long maxFloorPlan, long maxPairingPlan) {
        this.plans = plans;
        this.maxFloorPlan = maxFloorPlan;
        this.maxPairingPlan = maxPairingPlan;
    }

    public List<Endpoint> endpoints() {
        return DomainRefusals.answered(List.of(
                Endpoint.put("putFloorPlan", "/v1/projects/{projectId}/floor-plan").roles(ELECTRICIAN)
                        .rate("upload").bytes(maxFloorPlan).query("fileName").handle(this::putFloorPlan),
                Endpoint.get("getFloorPlan", "/v1/projects/{projectId}/floor-plan").roles(ELECTRICIAN, HOMEOWNER)
                        .query("version").handle(this::getFloorPlan),
                Endpoint.put("putPairingPlan", "/v1/projects/{projectId}/pairing-plan").roles(ELECTRICIAN)
                        .rate("upload").json("PairingPlan", maxPairingPlan).handle(this::putPairingPlan),
                Endpoint.get("getPairingPlan", "/v1/projects/{projectId}/pairing-plan")
                        .roles(ELECTRICIAN, HOMEOWNER).query("version").handle(this::getPairingPlan)));
    }

    private CompletionStage<HttpResponse> putFloorPlan(Call call) {
        OptionalInt expected = Versions.expected(call);
        Optional<String> fileName = call.queryParam("fileName").map(PlanRoutes::fileName);
        byte[] content = call.bytes().orElseThrow();
        if (content.length == 0) {
            throw ApiException.badRequest("the floor plan is empty");
        }
        // One fixed text for every refusal: naming what was found would echo the upload back.
        FileType type = FileType.sniff(content).orElseThrow(() -> ApiException.of(
                StatusCodes.UNSUPPORTED_MEDIA_TYPE, "a floor plan must be PNG, JPEG, PDF or SVG, and an SVG must "
                        + "stay within the documented static subset; the type is read from the content"));
        return plans.saveFloorPlan(call.caller(), call.uuid("projectId"), expected, type, content, fileName)
                .thenApply(saved -> Responses.versioned(expected.orElse(-1) == 0 ? StatusCodes.CREATED
                        : StatusCodes.OK, saved, saved.version()));
    }

    private static String fileName(String name) {
        if (!FILE_NAME.matcher(name).matches() || name.contains("..")) {
            throw ApiException.badRequest("fileName must be a plain file name (letters, digits, space, . _ ( ) -; "
                    + "no path)");
        }
        return name;
    }

    private CompletionStage<HttpResponse> getFloorPlan(Call call) {
        return plans.floorPlan(call.caller(), call.uuid("projectId"), Versions.requested(call)).thenApply(found -> {
            FileType type = FileType.valueOf(extensionOf(found.plan().contentType()));
            return HttpResponse.create()
                    .withEntity(HttpEntities.create(ContentTypes.parse(found.plan().contentType()), found.content()))
                    .addHeader(ETag.create(EntityTag.create(Integer.toString(found.plan().version()), false)))
                    .addHeader(RawHeader.create("X-Content-Type-Options", "nosniff"))
                    .addHeader(RawHeader.create("Content-Security-Policy", "sandbox; default-src 'none'"))
                    .addHeader(RawHeader.create("Content-Disposition", "attachment; filename=\"floor-plan-v"
                            + found.plan().version() + "." + type.extension() + "\""));
        });
    }

    private static String extensionOf(String mediaType) {
        for (FileType type : FileType.values()) {
            if (type.mediaType().equals(mediaType)) {
                return type.name();
            }
        }
        throw new IllegalStateException("stored floor plan has a type the portal does not serve");
    }

    private CompletionStage<HttpResponse> putPairingPlan(Call call) {
        OptionalInt expected = Versions.expected(call);
        JsonNode plan = call.body();
        checkReferences(plan);
        return plans.savePairingPlan(call.caller(), call.uuid("projectId"), expected, plan)
                .thenApply(saved -> Responses.versioned(expected.orElse(-1) == 0 ? StatusCodes.CREATED
                        : StatusCodes.OK, saved, saved.version()));
    }

    /** What JSON Schema cannot say: room ids are unique, and every device sits in a room the plan declares. */
    private static void checkReferences(JsonNode plan) {
        Set<String> rooms = new HashSet<>();
        for (JsonNode room : plan.get("rooms")) {
            if (!rooms.add(room.get("id").asString())) {
                throw ApiException.badRequest("room ids must be unique");
            }
        }
        Set<String> devices = new HashSet<>();
        for (JsonNode device : plan.get("devices")) {
            if (!devices.add(device.get("id").asString())) {
                throw ApiException.badRequest("device ids must be unique");
            }
            if (!rooms.contains(device.get("room").asString())) {
                throw ApiException.badRequest("every device's room must be one of the plan's rooms");
            }
        }
    }

    private CompletionStage<HttpResponse> getPairingPlan(Call call) {
        return plans.pairingPlan(call.caller(), call.uuid("projectId"), Versions.requested(call))
                .thenApply(found -> Responses.versioned(StatusCodes.OK, found, found.version()));
    }
}
