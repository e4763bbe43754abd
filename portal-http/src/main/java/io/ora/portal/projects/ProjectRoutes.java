package io.ora.portal.projects;

import static io.ora.portal.auth.Role.ELECTRICIAN;
import static io.ora.portal.auth.Role.HOMEOWNER;

import io.ora.portal.api.ApiException;
import io.ora.portal.api.Call;
import io.ora.portal.api.DomainRefusals;
import io.ora.portal.api.Endpoint;
import io.ora.portal.api.Page;
import io.ora.portal.api.Responses;
import io.ora.portal.api.Versions;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import tools.jackson.databind.JsonNode;

/** Templates, projects and hubs (docs/portal.md, "Projects"). */
public final class ProjectRoutes {

    private final Templates templates;
    private final Projects projects;
    private final long maxJsonBody;

    public ProjectRoutes(Templates templates, Projects projects, long maxJsonBody) {
        this.templates = templates;
        this.projects = projects;
        this.maxJsonBody = maxJsonBody;
    }

    record TemplateWrite(String name, JsonNode content) {
    }

    record HubRegistration(UUID hubId, String certificateFingerprint) {
    }

    public List<Endpoint> endpoints() {
        return DomainRefusals.answered(List.of(
                Endpoint.post("createTemplate", "/v1/templates").roles(ELECTRICIAN).rate("write")
                        .json("TemplateWrite", maxJsonBody).handle(this::createTemplate),
                Endpoint.get("listTemplates", "/v1/templates").roles(ELECTRICIAN).query("limit", "cursor")
                        .handle(this::listTemplates),
                Endpoint.get("getTemplate", "/v1/templates/{templateId}").roles(ELECTRICIAN).query("version")
                        .handle(this::getTemplate),
                Endpoint.put("reviseTemplate", "/v1/templates/{templateId}").roles(ELECTRICIAN).rate("write")
                        .json("TemplateWrite", maxJsonBody).handle(this::reviseTemplate),
                Endpoint.post("createProject", "/v1/projects").roles(ELECTRICIAN).rate("write")
                        .json("ProjectCreate", maxJsonBody).handle(this::createProject),
                Endpoint.get("listProjects", "/v1/projects").roles(ELECTRICIAN, HOMEOWNER)
                        .query("status", "limit", "cursor").handle(this::listProjects),
                Endpoint.get("getProject", "/v1/projects/{projectId}").roles(ELECTRICIAN, HOMEOWNER)
                        .handle(this::getProject),
                Endpoint.patch("updateProject", "/v1/projects/{projectId}").roles(ELECTRICIAN).rate("write")
                        .json("ProjectUpdate", maxJsonBody).handle(this::updateProject),
                Endpoint.post("registerHub", "/v1/projects/{projectId}/hubs").roles(ELECTRICIAN).rate("write")
                        .json("HubRegistration", maxJsonBody).handle(this::registerHub),
                Endpoint.get("listHubs", "/v1/projects/{projectId}/hubs").roles(ELECTRICIAN, HOMEOWNER)
                        .query("limit", "cursor").handle(this::listHubs),
                Endpoint.delete("removeHub", "/v1/projects/{projectId}/hubs/{hubId}").roles(ELECTRICIAN)
                        .rate("write").handle(this::removeHub)));
    }

    private CompletionStage<HttpResponse> createTemplate(Call call) {
        TemplateWrite body = call.body(TemplateWrite.class);
        return templates.create(call.caller().requireMembership().organisationId(), call.caller().userId(),
                        body.name(), body.content())
                .thenApply(created -> Responses.versioned(StatusCodes.CREATED, created, created.version())
                        .addHeader(Location.create("/v1/templates/" + created.id())));
    }

    private CompletionStage<HttpResponse> listTemplates(Call call) {
        return templates.list(call.caller().requireMembership().organisationId(), Page.Request.of(call))
                .thenApply(Responses::ok);
    }

    private CompletionStage<HttpResponse> getTemplate(Call call) {
        return templates.get(call.caller().requireMembership().organisationId(), call.uuid("templateId"),
                        Versions.requested(call))
                .thenApply(found -> found.map(t -> Responses.versioned(StatusCodes.OK, t, t.version()))
                        .orElseThrow(() -> ApiException.notFound("template")));
    }

    private CompletionStage<HttpResponse> reviseTemplate(Call call) {
        OptionalInt expected = Versions.expected(call);
        TemplateWrite body = call.body(TemplateWrite.class);
        return templates.revise(call.caller().requireMembership().organisationId(), call.uuid("templateId"),
                        call.caller().userId(), expected, body.name(), body.content())
                .thenApply(revised -> Responses.versioned(StatusCodes.OK, revised, revised.version()));
    }

    private CompletionStage<HttpResponse> createProject(Call call) {
        return projects.create(call.caller(), call.body(Projects.Create.class))
                .thenApply(created -> Responses.versioned(StatusCodes.CREATED, created, created.version())
                        .addHeader(Location.create("/v1/projects/" + created.id())));
    }

    private CompletionStage<HttpResponse> listProjects(Call call) {
        Optional<Projects.Status> status = call.queryParam("status").map(ProjectRoutes::status);
        return projects.list(call.caller(), status, Page.Request.of(call)).thenApply(Responses::ok);
    }

    private static Projects.Status status(String text) {
        try {
            return Projects.Status.valueOf(text);
        } catch (IllegalArgumentException unknown) {
            throw ApiException.badRequest("status must be one of DRAFT, COMMISSIONING, PENDING_HANDOVER, "
                    + "HANDED_OVER, ARCHIVED");
        }
    }

    private CompletionStage<HttpResponse> getProject(Call call) {
        return projects.get(call.caller(), call.uuid("projectId"))
                .thenApply(found -> found.map(p -> Responses.versioned(StatusCodes.OK, p, p.version()))
                        .orElseThrow(() -> ApiException.notFound("project")));
    }

    private CompletionStage<HttpResponse> updateProject(Call call) {
        OptionalInt expected = Versions.expected(call);
        return projects.update(call.caller(), call.uuid("projectId"), expected, call.body(Projects.Update.class))
                .thenApply(p -> Responses.versioned(StatusCodes.OK, p, p.version()));
    }

    private CompletionStage<HttpResponse> registerHub(Call call) {
        HubRegistration body = call.body(HubRegistration.class);
        return projects.registerHub(call.caller(), call.uuid("projectId"), body.hubId(), body.certificateFingerprint())
                .thenApply(hub -> Responses.json(StatusCodes.CREATED, hub));
    }

    private CompletionStage<HttpResponse> listHubs(Call call) {
        return projects.hubs(call.caller(), call.uuid("projectId"), Page.Request.of(call)).thenApply(Responses::ok);
    }

    private CompletionStage<HttpResponse> removeHub(Call call) {
        return projects.removeHub(call.caller(), call.uuid("projectId"), call.uuid("hubId"))
                .thenApply(done -> Responses.noContent());
    }
}
