package io.ora.portal.installers;

import static io.ora.portal.auth.Role.ELECTRICIAN;
import static io.ora.portal.auth.Role.HOMEOWNER;
import static io.ora.portal.auth.Role.OPERATOR;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.ora.portal.api.ApiException;
import io.ora.portal.api.Call;
import io.ora.portal.api.Endpoint;
import io.ora.portal.api.Page;
import io.ora.portal.api.Principal;
import io.ora.portal.api.Responses;
import io.ora.portal.auth.Role;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * Accounts, licences and organisations (docs/portal.md, "Installers"): the caller's own profile, licence
 * submission, organisations with an owner and members, the owner's audit log, and the operators' licence review.
 */
public final class InstallerRoutes {

    private static final long SMALL_BODY = 16 * 1024;

    private final Directory directory;

    public InstallerRoutes(Directory directory) {
        this.directory = directory;
    }

    /** What {@code GET /v1/me} answers. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Me(UUID userId, List<String> roles, Membership organisation, String licenceStatus) {
        /** The caller's organisation and standing in it. */
        public record Membership(UUID organisationId, String memberRole) {
        }
    }

    record OrganisationCreate(String name) {
    }

    record MemberAdd(UUID userId) {
    }

    record LicenceReview(String decision, String note) {
    }

    public List<Endpoint> endpoints() {
        return List.of(
                Endpoint.get("getMe", "/v1/me").roles(ELECTRICIAN, HOMEOWNER, OPERATOR).handle(this::me),
                Endpoint.get("getMyLicence", "/v1/me/licence").roles(ELECTRICIAN).handle(this::myLicence),
                Endpoint.put("submitMyLicence", "/v1/me/licence").roles(ELECTRICIAN).rate("sensitive")
                        .json("LicenceSubmission", SMALL_BODY).handle(this::submitLicence),
                Endpoint.post("createOrganisation", "/v1/organisations").roles(ELECTRICIAN).rate("write")
                        .json("OrganisationCreate", SMALL_BODY).handle(this::createOrganisation),
                Endpoint.get("getOrganisation", "/v1/organisations/{organisationId}").roles(ELECTRICIAN)
                        .handle(this::organisation),
                Endpoint.get("listMembers", "/v1/organisations/{organisationId}/members").roles(ELECTRICIAN)
                        .query("limit", "cursor").handle(this::members),
                Endpoint.post("addMember", "/v1/organisations/{organisationId}/members").roles(ELECTRICIAN)
                        .rate("write").json("MemberAdd", SMALL_BODY).handle(this::addMember),
                Endpoint.delete("removeMember", "/v1/organisations/{organisationId}/members/{userId}")
                        .roles(ELECTRICIAN).rate("write").handle(this::removeMember),
                Endpoint.get("listAudit", "/v1/organisations/{organisationId}/audit").roles(ELECTRICIAN)
                        .query("limit", "cursor").handle(this::audit),
                Endpoint.get("listLicences", "/v1/operator/licences").roles(OPERATOR)
                        .query("status", "limit", "cursor").handle(this::licences),
                Endpoint.post("reviewLicence", "/v1/operator/licences/{licenceId}/review").roles(OPERATOR)
                        .rate("sensitive").json("LicenceReview", SMALL_BODY).handle(this::review));
    }

    private CompletionStage<HttpResponse> me(Call call) {
        Principal who = call.caller();
        List<String> roles = who.caller().roles().stream().map(Role::wireName).sorted().toList();
        Me.Membership membership = who.membership().map(m -> new Me.Membership(m.organisationId(),
                m.owner() ? "OWNER" : "MEMBER")).orElse(null);
        return directory.licence(who.userId()).thenApply(licence -> Responses.ok(new Me(who.userId(), roles,
                membership, licence.map(l -> l.status().name()).orElse(null))));
    }

    private CompletionStage<HttpResponse> myLicence(Call call) {
        return directory.licence(call.caller().userId()).thenApply(licence -> Responses.ok(
                licence.orElseThrow(() -> ApiException.notFound("licence: submit one with PUT /v1/me/licence"))));
    }

    private CompletionStage<HttpResponse> submitLicence(Call call) {
        return directory.submitLicence(call.caller(), call.body(Directory.LicenceSubmission.class))
                .thenApply(Responses::ok);
    }

    private CompletionStage<HttpResponse> createOrganisation(Call call) {
        return directory.createOrganisation(call.caller().userId(), call.body(OrganisationCreate.class).name())
                .thenApply(org -> Responses.json(StatusCodes.CREATED, org));
    }

    /** The organisation named in the path, if the caller belongs to it; otherwise 404, as if it did not exist. */
    private static Principal.Membership memberOf(Call call) {
        UUID org = call.uuid("organisationId");
        return call.caller().membership().filter(m -> m.organisationId().equals(org))
                .orElseThrow(() -> ApiException.notFound("organisation"));
    }

    private static Principal.Membership ownerOf(Call call) {
        Principal.Membership membership = memberOf(call);
        if (!membership.owner()) {
            throw ApiException.forbidden("only the organisation's owner may do this");
        }
        return membership;
    }

    private CompletionStage<HttpResponse> organisation(Call call) {
        return directory.organisation(memberOf(call).organisationId()).thenApply(org -> Responses.ok(
                org.orElseThrow(() -> ApiException.notFound("organisation"))));
    }

    private CompletionStage<HttpResponse> members(Call call) {
        return directory.members(memberOf(call).organisationId(), Page.Request.of(call)).thenApply(Responses::ok);
    }

    private CompletionStage<HttpResponse> addMember(Call call) {
        UUID org = ownerOf(call).organisationId();
        return directory.addMember(org, call.caller().userId(), call.body(MemberAdd.class).userId())
                .thenApply(member -> Responses.json(StatusCodes.CREATED, member));
    }

    private CompletionStage<HttpResponse> removeMember(Call call) {
        UUID org = ownerOf(call).organisationId();
        return directory.removeMember(org, call.caller().userId(), call.uuid("userId"))
                .thenApply(done -> Responses.noContent());
    }

    private CompletionStage<HttpResponse> audit(Call call) {
        UUID org = ownerOf(call).organisationId();
        Page.Request page = Page.Request.of(call);
        return directory.audit(org, page).thenApply(Responses::ok);
    }

    private CompletionStage<HttpResponse> licences(Call call) {
        Directory.LicenceStatus status = call.queryParam("status").map(InstallerRoutes::status)
                .orElse(Directory.LicenceStatus.PENDING);
        return directory.licences(status, Page.Request.of(call)).thenApply(Responses::ok);
    }

    private static Directory.LicenceStatus status(String text) {
        try {
            return Directory.LicenceStatus.valueOf(text);
        } catch (IllegalArgumentException unknown) {
            throw ApiException.badRequest("status must be one of PENDING, VERIFIED, REJECTED");
        }
    }

    private CompletionStage<HttpResponse> review(Call call) {
        LicenceReview review = call.body(LicenceReview.class);
        return directory.review(call.uuid("licenceId"), call.caller().userId(),
                Directory.LicenceStatus.valueOf(review.decision()), review.note()).thenApply(Responses::ok);
    }
}
