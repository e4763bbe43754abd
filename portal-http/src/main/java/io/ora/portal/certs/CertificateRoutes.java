package io.ora.portal.certs;

import static io.ora.portal.auth.Role.ELECTRICIAN;
import static io.ora.portal.auth.Role.HOMEOWNER;

import io.ora.portal.api.Call;
import io.ora.portal.api.Endpoint;
import io.ora.portal.api.Responses;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/** {@code POST /v1/app-certificates}: a relay client certificate for one of the caller's app installs. */
public final class CertificateRoutes {

    private final AppCertificates certificates;
    private final Executor blocking;

    public CertificateRoutes(AppCertificates certificates, Executor blocking) {
        this.certificates = certificates;
        this.blocking = blocking;
    }

    record Request(String installId, String csr) {
    }

    public List<Endpoint> endpoints() {
        return List.of(Endpoint.post("issueAppCertificate", "/v1/app-certificates")
                .roles(ELECTRICIAN, HOMEOWNER).rate("sensitive").json("AppCertificateRequest", 16 * 1024)
                .handle(this::issue));
    }

    private CompletionStage<HttpResponse> issue(Call call) {
        Request request = call.body(Request.class);
        // Signing is a few milliseconds of CPU: off the dispatcher, like every other slow step.
        return CompletableFuture.supplyAsync(() -> certificates.issue(call.caller().userId(), request.installId(),
                request.csr()), blocking).thenApply(issued -> Responses.json(StatusCodes.CREATED, issued));
    }
}
