package io.ora.portal.api;

import io.ora.core.concurrent.Failures;
import io.ora.portal.refusal.Refused;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * Lets the endpoints of domain operations refuse in the domain's words: a handler's {@link Refused}, thrown at once
 * or failing its answer, reaches the router as the {@link ApiException} that {@code http.Refusals} words for it.
 * The router answers failures of that one type with their problem (and everything else with a 500); this keeps
 * the domain free of it without a second mapping.
 */
public final class DomainRefusals {

    private DomainRefusals() {
    }

    /** {@code endpoints}, each answering its handler's refusals. */
    public static List<Endpoint> answered(List<Endpoint> endpoints) {
        return endpoints.stream().map(endpoint -> new Endpoint(endpoint.operationId(), endpoint.method(),
                endpoint.path(), endpoint.roles(), endpoint.rateClass(), endpoint.body(), endpoint.query(),
                answering(endpoint.handler()))).toList();
    }

    private static Endpoint.Handler answering(Endpoint.Handler handler) {
        return call -> {
            CompletionStage<HttpResponse> answer;
            try {
                answer = handler.handle(call);
            } catch (Refused refused) {
                return CompletableFuture.failedFuture(ApiException.of(refused.refusal()));
            }
            return answer.exceptionally(failure -> {
                if (Failures.cause(failure) instanceof Refused refused) {
                    throw ApiException.of(refused.refusal());
                }
                throw failure instanceof CompletionException wrapped ? wrapped : new CompletionException(failure);
            });
        };
    }
}
