package io.ora.portal.handover;

import io.ora.portal.api.Router;
import io.ora.portal.auth.Caller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * RFC 9470 step-up: handing out a handover secret needs a recent sign-in at the identity provider, not just a valid
 * token. The token's {@code auth_time} must be within {@code maxAge} (and its {@code acr} the required one, when one is
 * configured); otherwise the answer is 401 with {@code error="insufficient_user_authentication"} and the
 * {@code max_age} (and {@code acr_values}) the client should ask the identity provider for.
 */
public final class StepUp {

    private final Duration maxAge;
    private final Optional<String> requiredAcr;
    private final Duration clockSkew;
    private final Clock clock;

    public StepUp(Duration maxAge, Optional<String> requiredAcr, Duration clockSkew, Clock clock) {
        this.maxAge = maxAge;
        this.requiredAcr = requiredAcr.filter(acr -> !acr.isBlank());
        this.clockSkew = clockSkew;
        this.clock = clock;
    }

    /** Passes if {@code caller} authenticated recently enough (and strongly enough); 401 otherwise. */
    public void require(Caller caller) {
        Instant now = clock.instant();
        boolean recent = caller.authTime()
                .filter(at -> !at.isBefore(now.minus(maxAge)) && !at.isAfter(now.plus(clockSkew)))
                .isPresent();
        boolean strong = requiredAcr.map(acr -> caller.acr().filter(acr::equals).isPresent()).orElse(true);
        if (recent && strong) {
            return;
        }
        Map<String, String> challenge = new LinkedHashMap<>();
        challenge.put("error", "insufficient_user_authentication");
        challenge.put("error_description", recent ? "a stronger authentication is required"
                : "a more recent authentication is required");
        challenge.put("max_age", Long.toString(maxAge.toSeconds()));
        requiredAcr.ifPresent(acr -> challenge.put("acr_values", acr));
        throw Router.unauthorised(challenge, "sign in again (within " + maxAge.toSeconds() + " s"
                + requiredAcr.map(acr -> ", with " + acr).orElse("") + ") to receive this secret");
    }
}
