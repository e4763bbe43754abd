package io.ora.portal.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ora.core.concurrent.Failures;
import io.ora.portal.refusal.Refused;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.junit.jupiter.api.Test;

/** A domain operation's refusal, thrown or failing the answer, reaches the router as its problem. */
class DomainRefusalsTest {

    static Endpoint endpoint(Endpoint.Handler handler) {
        return DomainRefusals.answered(List.of(Endpoint.get("op", "/v1/op").handle(handler))).get(0);
    }

    static Throwable failureOf(Endpoint endpoint) {
        return Failures.cause(catchThrowable(() -> endpoint.handler().handle(null).toCompletableFuture().join()));
    }

    @Test
    void aRefusalThrownAtOnceOrLaterIsItsProblem() {
        for (Endpoint endpoint : List.of(endpoint(call -> {
            throw Refused.conflict("at once");
        }), endpoint(call -> CompletableFuture.failedFuture(Refused.conflict("at once"))))) {
            assertThat(failureOf(endpoint)).isInstanceOfSatisfying(ApiException.class, refused -> {
                assertThat(refused.problem().status()).isEqualTo(409);
                assertThat(refused.problem().detail()).isEqualTo("at once");
            });
        }
    }

    @Test
    void anythingElseStaysWhatItWasAndTheDeclarationIsKept() {
        IllegalStateException fault = new IllegalStateException("fault");
        Endpoint failing = endpoint(call -> CompletableFuture.failedFuture(fault));
        assertThat(failureOf(failing)).isSameAs(fault);
        HttpResponse ok = HttpResponse.create();
        Endpoint.Handler answers = call -> CompletableFuture.completedFuture(ok);
        Endpoint declared = Endpoint.post("op", "/v1/op/{id}").rate("write").json("Op", 10).query("q").handle(answers);
        Endpoint answered = DomainRefusals.answered(List.of(declared)).get(0);
        assertThat(answered.handler().handle(null).toCompletableFuture().join()).isSameAs(ok);
        assertThat(List.of(answered.operationId(), answered.method(), answered.path(), answered.roles(),
                answered.rateClass(), answered.body(), answered.query())).isEqualTo(List.of(declared.operationId(),
                declared.method(), declared.path(), declared.roles(), declared.rateClass(), declared.body(),
                declared.query()));
    }
}
