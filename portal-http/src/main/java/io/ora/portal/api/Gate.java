package io.ora.portal.api;

import io.ora.portal.auth.Caller;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What the router asks before a handler runs. Each stage fails with an {@link ApiException} carrying the answer
 * (401, 429, 503 …), so the router stays a plain pipeline and each policy lives in its own place.
 */
public interface Gate {

    /** Verifies a bearer token (without the {@code Bearer } prefix); fails with 401, or 503 if the issuer is down. */
    CompletionStage<Caller> authenticate(String bearerToken);

    /** Spends one request of {@code rateClass} for this subject (if any) and client IP; fails with 429 or 503. */
    CompletionStage<Void> admit(String rateClass, Optional<String> subject, String clientIp);

    /** The portal's view of an authenticated caller (profile created on first login). */
    CompletionStage<Principal> resolve(Caller caller);
}
