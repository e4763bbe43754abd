package io.ora.portal.handover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ora.portal.api.ApiException;
import io.ora.portal.auth.Caller;
import io.ora.portal.auth.Role;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StepUpTest {

    static final Instant NOW = Instant.parse("2026-11-27T09:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    static Caller signedIn(Optional<Instant> at, Optional<String> acr) {
        return new Caller("h", Set.of(Role.HOMEOWNER), at, acr, Optional.empty(), Optional.empty(),
                NOW.plusSeconds(600));
    }

    static String challenge(StepUp stepUp, Caller caller) {
        ApiException refused = catchThrowableOfType(ApiException.class, () -> stepUp.require(caller));
        assertThat(refused.problem().status()).isEqualTo(401);
        return refused.headers().get(0).value();
    }

    @Test
    void aRecentSignInPassesAndAnOldOrMissingOneGetsTheChallenge() {
        StepUp stepUp = new StepUp(Duration.ofMinutes(5), Optional.empty(), Duration.ofSeconds(30), CLOCK);
        assertThatCode(() -> stepUp.require(signedIn(Optional.of(NOW.minusSeconds(299)), Optional.empty())))
                .doesNotThrowAnyException();
        assertThat(challenge(stepUp, signedIn(Optional.of(NOW.minusSeconds(301)), Optional.empty())))
                .isEqualTo("Bearer realm=\"ora\", error=\"insufficient_user_authentication\", "
                        + "error_description=\"a more recent authentication is required\", max_age=\"300\"");
        assertThat(challenge(stepUp, signedIn(Optional.empty(), Optional.empty())))
                .contains("insufficient_user_authentication");
        assertThat(challenge(stepUp, signedIn(Optional.of(NOW.plusSeconds(120)), Optional.empty())))
                .as("auth_time in the future beyond skew").contains("insufficient_user_authentication");
    }

    @Test
    void aRequiredAcrMustBeThere() {
        StepUp stepUp = new StepUp(Duration.ofMinutes(5), Optional.of("urn:voltex:mfa"), Duration.ofSeconds(30),
                CLOCK);
        assertThatCode(() -> stepUp.require(signedIn(Optional.of(NOW), Optional.of("urn:voltex:mfa"))))
                .doesNotThrowAnyException();
        assertThat(challenge(stepUp, signedIn(Optional.of(NOW), Optional.of("urn:voltex:pwd"))))
                .contains("a stronger authentication is required").contains("acr_values=\"urn:voltex:mfa\"");
        assertThat(challenge(stepUp, signedIn(Optional.of(NOW), Optional.empty()))).contains("acr_values");
    }
}
