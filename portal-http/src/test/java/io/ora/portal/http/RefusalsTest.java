package io.ora.portal.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.portal.refusal.Refusal;
import io.ora.portal.refusal.Refused;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.assertj.core.api.Assertions;

/**
 * Every kind of domain refusal has its answer at the edge, and the answer is the one the portal gave before refusals
 * were domain types: the same status, type, title and detail, and {@code Retry-After} where a wait is known.
 */
class RefusalsTest {

    /** One generator per permitted subtype: a subtype added without one fails {@link #everyKindIsGenerated}. */
    static final Map<Class<? extends Refusal>, Arbitrary<? extends Refusal>> KINDS = Map.of(
            Refusal.NotFound.class, reasons().map(Refusal.NotFound::new),
            Refusal.Conflict.class, reasons().map(Refusal.Conflict::new),
            Refusal.Unacceptable.class, reasons().map(reason -> new Refusal.Unacceptable("signature-invalid", reason)),
            Refusal.Forbidden.class, reasons().map(Refusal.Forbidden::new),
            Refusal.Invalid.class, reasons().map(Refusal.Invalid::new),
            Refusal.Expired.class, reasons().map(Refusal.Expired::new),
            Refusal.LockedOut.class, Arbitraries.longs().between(0, 86_400).flatMap(seconds -> reasons()
                    .map(reason -> new Refusal.LockedOut(reason, Duration.ofSeconds(seconds)))),
            Refusal.Stale.class, Arbitraries.integers().between(0, 999_999_999).map(Refusal.Stale::new));

    static Arbitrary<String> reasons() {
        return Arbitraries.strings().ofMinLength(1).ofMaxLength(80);
    }

    @Provide
    Arbitrary<Refusal> refusals() {
        return Arbitraries.oneOf(KINDS.values().stream().map(kind -> kind.map(Refusal.class::cast)).toList());
    }

    @Example
    void everyKindIsGenerated() {
        Set<Class<?>> permitted = Arrays.stream(Refusal.class.getPermittedSubclasses()).collect(Collectors.toSet());
        assertThat(Set.<Class<?>>copyOf(KINDS.keySet())).isEqualTo(permitted);
    }

    @Property
    void everyRefusalIsAClientProblemOfItsOwnStatus(@ForAll("refusals") Refusal refusal) {
        Refusals.Answer answer = Refusals.answer(refusal);
        Problem problem = answer.problem();
        assertThat(problem.status()).isEqualTo(statusOf(refusal));
        assertThat(problem.type()).isEqualTo(refusal instanceof Refusal.Unacceptable unacceptable
                ? "https://ora.io/problems/" + unacceptable.kind() : "about:blank");
        assertThat(problem.title()).isNotBlank();
        assertThat(problem.errors()).isNull();
        assertThat(answer.toResponse().status().intValue()).isEqualTo(problem.status());
        assertThat(answer.toResponse().entity().getContentType()).isEqualTo(Problem.CONTENT_TYPE);
        assertThat(answer.headers().stream().map(HttpHeader::name).toList())
                .isEqualTo(refusal instanceof Refusal.LockedOut ? List.of("Retry-After") : List.of());
    }

    /** The statuses the domain's ApiExceptions carried, kind by kind. */
    static int statusOf(Refusal refusal) {
        Map<Class<?>, Integer> statuses = Map.of(Refusal.NotFound.class, 404, Refusal.Conflict.class, 409,
                Refusal.Forbidden.class, 403, Refusal.Invalid.class, 400, Refusal.Expired.class, 410,
                Refusal.LockedOut.class, 429, Refusal.Stale.class, 412, Refusal.Unacceptable.class, 422);
        return statuses.get(refusal.getClass());
    }

    @Example
    void theWordingIsTheOneCallersGotBefore() {
        assertThat(Refusals.answer(new Refusal.NotFound("project")).problem())
                .isEqualTo(new Problem("about:blank", "Not Found", 404, "no such project", null));
        assertThat(Refusals.answer(new Refusal.Conflict("no")).problem())
                .isEqualTo(new Problem("about:blank", "Conflict", 409, "no", null));
        assertThat(Refusals.answer(new Refusal.Forbidden("no")).problem())
                .isEqualTo(new Problem("about:blank", "Forbidden", 403, "no", null));
        assertThat(Refusals.answer(new Refusal.Invalid("no")).problem())
                .isEqualTo(new Problem("about:blank", "Bad Request", 400, "no", null));
        assertThat(Refusals.answer(new Refusal.Unacceptable("signature-invalid", "no")).problem())
                .isEqualTo(new Problem("https://ora.io/problems/signature-invalid", "Unprocessable Content", 422, "no",
                        null));
        assertThat(Refusals.answer(new Refusal.Expired("over")).problem())
                .isEqualTo(new Problem("about:blank", "Gone", 410, "over", null));
        Refusals.Answer locked = Refusals.answer(new Refusal.LockedOut("wait", Duration.ofMinutes(15)));
        assertThat(locked.problem()).isEqualTo(new Problem("about:blank", "Too Many Requests", 429, "wait", null));
        assertThat(locked.headers()).singleElement().satisfies(header -> {
            assertThat(header.name()).isEqualTo("Retry-After");
            assertThat(header.value()).isEqualTo("900");
        });
        assertThat(Refusals.answer(new Refusal.Stale(0)).problem().detail())
                .isEqualTo("it does not exist yet: create it with If-None-Match: *");
        assertThat(Refusals.answer(new Refusal.Stale(3)).problem()).isEqualTo(new Problem("about:blank",
                "Precondition Failed", 412, "it has changed since you read it (current ETag \"3\")", null));
    }

    @Example
    void aStaleVersionIsRefusedAndTheExpectedOneIsNot() {
        Refusal.Stale.check(OptionalInt.empty(), 7);
        Refusal.Stale.check(OptionalInt.of(7), 7);
        Refused refused = Assertions.catchThrowableOfType(Refused.class,
                () -> Refusal.Stale.check(OptionalInt.of(6), 7));
        assertThat(refused.refusal()).isEqualTo(new Refusal.Stale(7));
    }

    @Example
    void aRefusalIsThrownWithoutTheCostOfAStackTrace() {
        assertThat(new Refusal.Conflict("no").refused().getStackTrace()).isEmpty();
        assertThat(Refused.notFound("project").refusal()).isEqualTo(new Refusal.NotFound("project"));
    }
}
