package io.ora.portal;

import io.ora.portal.api.ApiException;
import io.ora.portal.api.Gate;
import io.ora.portal.api.Principal;
import io.ora.portal.api.Router;
import io.ora.portal.auth.Caller;
import io.ora.portal.auth.InvalidTokenException;
import io.ora.portal.auth.TokenVerifier;
import io.ora.portal.http.Problem;
import io.ora.portal.installers.Directory;
import io.ora.portal.limits.RateLimiter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;

/** The portal's policies behind the router's {@link Gate}: OIDC tokens, Redis rate limits, the user directory. */
final class PortalGate implements Gate {

    private final TokenVerifier verifier;
    private final RateLimiter limiter;
    private final Directory directory;
    private final Executor blocking;

    PortalGate(TokenVerifier verifier, RateLimiter limiter, Directory directory, Executor blocking) {
        this.verifier = verifier;
        this.limiter = limiter;
        this.directory = directory;
        this.blocking = blocking;
    }

    @Override
    public CompletionStage<Caller> authenticate(String bearerToken) {
        // Verification fetches the issuer's keys when it meets an unknown kid: blocking I/O, so not on a dispatcher.
        return CompletableFuture.supplyAsync(() -> {
            try {
                return verifier.verify(bearerToken);
            } catch (InvalidTokenException refused) {
                throw new CompletionException(refused.kind() == InvalidTokenException.Kind.ISSUER_UNAVAILABLE
                        ? new ApiException(Problem.of(StatusCodes.SERVICE_UNAVAILABLE,
                                "the identity provider cannot be reached; try again shortly"),
                                List.of(RetryAfter.create(5L)))
                        : Router.unauthorised(Optional.of("invalid_token"), "the bearer token is not valid ("
                                + refused.reason().code() + ")"));
            }
        }, blocking);
    }

    @Override
    public CompletionStage<Void> admit(String rateClass, Optional<String> subject, String clientIp) {
        return limiter.acquire(rateClass, subject, clientIp).thenAccept(decision -> {
            if (decision.allowed()) {
                return;
            }
            long retryAfter = decision.retryAfter().map(Duration::toSeconds).orElse(1L);
            throw decision.unavailable()
                    ? new ApiException(Problem.of(StatusCodes.SERVICE_UNAVAILABLE,
                            "this operation is unavailable while its rate limiter cannot be reached"),
                            List.of(RetryAfter.create(retryAfter)))
                    : new ApiException(Problem.of(StatusCodes.TOO_MANY_REQUESTS,
                            "too many requests; retry after " + retryAfter + " s"),
                            List.of(RetryAfter.create(retryAfter)));
        });
    }

    @Override
    public CompletionStage<Principal> resolve(Caller caller) {
        return directory.principal(caller);
    }
}
