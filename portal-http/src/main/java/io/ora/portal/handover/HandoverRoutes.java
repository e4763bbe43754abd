package io.ora.portal.handover;

import static io.ora.portal.auth.Role.ELECTRICIAN;
import static io.ora.portal.auth.Role.HOMEOWNER;

import io.ora.portal.api.ApiException;
import io.ora.portal.api.Call;
import io.ora.portal.api.DomainRefusals;
import io.ora.portal.api.Endpoint;
import io.ora.portal.api.Responses;
import io.ora.portal.api.Versions;
import io.ora.portal.projects.Projects;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import tools.jackson.databind.JsonNode;

/** AccessKeys, the Project Key, the claim and project transitions (docs/handover.md). */
public final class HandoverRoutes {

    private static final long SMALL_BODY = 16 * 1024;

    private final Handover handover;
    private final StepUp stepUp;

    public HandoverRoutes(Handover handover, StepUp stepUp) {
        this.handover = handover;
        this.stepUp = stepUp;
    }

    record ClaimRequest(String code) {
    }

    record TransitionRequest(Projects.Status to) {
    }

    public List<Endpoint> endpoints() {
        return DomainRefusals.answered(List.of(
                Endpoint.post("issueAccessKey", "/v1/projects/{projectId}/access-key").roles(ELECTRICIAN)
                        .rate("sensitive").handle(this::issue),
                Endpoint.get("getAccessKey", "/v1/projects/{projectId}/access-key").roles(ELECTRICIAN)
                        .handle(this::status),
                Endpoint.delete("revokeAccessKey", "/v1/projects/{projectId}/access-key").roles(ELECTRICIAN)
                        .rate("sensitive").handle(this::revoke),
                Endpoint.put("uploadProjectKey", "/v1/projects/{projectId}/project-key").roles(ELECTRICIAN)
                        .rate("sensitive").json("ProjectKeyEnvelope", SMALL_BODY).handle(this::upload),
                Endpoint.get("releaseProjectKey", "/v1/projects/{projectId}/project-key").roles(HOMEOWNER)
                        .rate("sensitive").handle(this::release),
                Endpoint.post("claimAccessKey", "/v1/access-keys/claim").roles(HOMEOWNER).rate("sensitive")
                        .json("AccessKeyClaim", SMALL_BODY).handle(this::claim),
                Endpoint.post("transitionProject", "/v1/projects/{projectId}/transitions")
                        .roles(ELECTRICIAN, HOMEOWNER).rate("write").json("ProjectTransition", SMALL_BODY)
                        .handle(this::transition)));
    }

    /** Secrets (a new code, a wrapped key) must not linger in any cache between here and the client. */
    private static HttpResponse secret(HttpResponse response) {
        return response.addHeader(CacheControl.create(CacheDirectives.NO_STORE));
    }

    private CompletionStage<HttpResponse> issue(Call call) {
        return handover.issue(call.caller(), call.uuid("projectId"))
                .thenApply(issued -> secret(Responses.json(StatusCodes.CREATED, issued)));
    }

    private CompletionStage<HttpResponse> status(Call call) {
        return handover.current(call.caller(), call.uuid("projectId")).thenApply(found -> Responses.ok(
                found.orElseThrow(() -> ApiException.notFound("AccessKey for this project"))));
    }

    private CompletionStage<HttpResponse> revoke(Call call) {
        return handover.revoke(call.caller(), call.uuid("projectId")).thenApply(done -> Responses.noContent());
    }

    private CompletionStage<HttpResponse> upload(Call call) {
        JsonNode envelope = call.body();
        checkEnvelope(envelope);
        return handover.upload(call.caller(), call.uuid("projectId"), envelope)
                .thenApply(done -> Responses.noContent());
    }

    /**
     * What the schema cannot say about the envelope: the decoded sizes of its binary fields. The content stays
     * opaque: the portal cannot and does not try to open it.
     */
    static void checkEnvelope(JsonNode envelope) {
        bytes(envelope.get("kdf").get("salt"), 16, 64, "kdf.salt");
        bytes(envelope.get("cipher").get("nonce"), 12, 12, "cipher.nonce");
        bytes(envelope.get("cipher").get("ciphertext"), 17, 1040, "cipher.ciphertext");
    }

    private static void bytes(JsonNode field, int min, int max, String name) {
        try {
            int length = Base64.getUrlDecoder().decode(field.asString()).length;
            if (length >= min && length <= max) {
                return;
            }
        } catch (IllegalArgumentException notBase64) {
            // falls through to the refusal
        }
        throw ApiException.badRequest(name + " must be unpadded base64url of " + min
                + (min == max ? "" : " to " + max) + " bytes");
    }

    private CompletionStage<HttpResponse> release(Call call) {
        stepUp.require(call.caller().caller());
        return handover.release(call.caller(), call.uuid("projectId"))
                .thenApply(envelope -> secret(Responses.ok(envelope)));
    }

    private CompletionStage<HttpResponse> claim(Call call) {
        return handover.claim(call.caller(), call.body(ClaimRequest.class).code()).thenApply(Responses::ok);
    }

    private CompletionStage<HttpResponse> transition(Call call) {
        return handover.transition(call.caller(), call.uuid("projectId"), Versions.expected(call),
                        call.body(TransitionRequest.class).to())
                .thenApply(project -> Responses.versioned(StatusCodes.OK, project, project.version()));
    }
}
