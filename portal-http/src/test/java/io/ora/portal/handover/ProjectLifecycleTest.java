package io.ora.portal.handover;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.portal.handover.ProjectLifecycle.Asker;
import io.ora.portal.handover.ProjectLifecycle.Decision;
import io.ora.portal.handover.ProjectLifecycle.Effect;
import io.ora.portal.projects.Projects.Status;
import io.ora.portal.refusal.Refusal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The handover's transition table on its own (docs/handover.md, "The state machine"): random sequences of asked-for
 * moves and key expiries by random askers, with the rules that must hold checked after every step, whatever the
 * table's rows say.
 */
class ProjectLifecycleTest {

    /** One step: someone asks for {@code to}, or (to empty) the project's current key expires. */
    record Step(Optional<Status> to, Asker asker) {
    }

    @Provide
    Arbitrary<Step> steps() {
        Arbitrary<Asker> askers = Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as(Asker::new);
        Arbitrary<Optional<Status>> targets = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(Status.class).map(Optional::of)),
                Tuple.of(1, Arbitraries.just(Optional.empty())));
        return Combinators.combine(targets, askers).as(Step::new);
    }

    @Provide
    Arbitrary<List<Step>> sequences() {
        return steps().list().ofMaxSize(40);
    }

    @Property(tries = 2000)
    void everyStepKeepsTheRules(@ForAll("sequences") List<Step> steps) {
        Status status = Status.DRAFT;
        boolean handedOver = false;
        for (Step step : steps) {
            Status from = status;
            if (step.to().isEmpty()) {
                Optional<Status> next = ProjectLifecycle.afterExpiry(from);
                // Only a pending handover is undone by its key's expiry, and then back to commissioning.
                assertThat(next.isPresent()).isEqualTo(from == Status.PENDING_HANDOVER);
                next.ifPresent(to -> assertThat(to).isEqualTo(Status.COMMISSIONING));
                status = next.orElse(from);
            } else {
                status = move(from, step.to().get(), step.asker());
            }
            handedOver |= status == Status.HANDED_OVER;
            // Once handed over, a project never goes back: only archiving follows.
            if (handedOver) {
                assertThat(status).isIn(Status.HANDED_OVER, Status.ARCHIVED);
            }
            // Secrets and locks only where the state allows them: a claim (and with it the Project Key's release)
            // only while a key can exist, locked hubs only while the handover is pending.
            assertThat(!ProjectLifecycle.claimable(status) || ProjectLifecycle.issuesKeys(status)).isTrue();
            assertThat(ProjectLifecycle.locksHubs(status)).isEqualTo(status == Status.PENDING_HANDOVER);
        }
    }

    /** Asks the table for one move, checks what it answers against the rules, and returns where the project is. */
    static Status move(Status from, Status to, Asker asker) {
        Decision decision = ProjectLifecycle.decide(from, to, asker);
        if (decision instanceof Decision.Denied denied) {
            assertThat(denied.refusal()).isInstanceOfSatisfying(Refusal.Conflict.class, conflict -> assertThat(
                    conflict.reason()).startsWith("a project that is " + from + " cannot become " + to));
            return from;
        }
        Decision.Allowed allowed = (Decision.Allowed) decision;
        assertThat(allowed.to()).isEqualTo(to);
        // Nothing leaves a terminal state, nothing returns to DRAFT, nobody without a role moves anything.
        assertThat(ProjectLifecycle.terminal(from)).isFalse();
        assertThat(to).isNotEqualTo(Status.DRAFT).isNotEqualTo(from);
        assertThat(asker.installer() || asker.homeowner()).isTrue();
        // The homeowner completes and does nothing else; the installer does everything else.
        if (to == Status.HANDED_OVER) {
            assertThat(asker.homeowner()).isTrue();
            assertThat(from).isEqualTo(Status.PENDING_HANDOVER);
            assertThat(allowed.effect()).isEqualTo(Effect.COMPLETE);
        } else {
            assertThat(asker.installer()).isTrue();
        }
        // Locking the hubs is preceded by the readiness check; leaving a claimable state ends or uses up the key.
        if (ProjectLifecycle.locksHubs(to) && !ProjectLifecycle.locksHubs(from)) {
            assertThat(allowed.effect()).isEqualTo(Effect.CHECK_READY);
        }
        if (ProjectLifecycle.claimable(from) && !ProjectLifecycle.claimable(to)) {
            assertThat(allowed.effect()).isIn(Effect.END_KEY, Effect.COMPLETE);
        }
        if (to == Status.ARCHIVED) {
            assertThat(allowed.effect()).isEqualTo(Effect.END_KEY);
        }
        return to;
    }

    @Example
    void everyStateIsReachableFromDraftAndOnlyArchivedIsTerminal() {
        Set<Status> reached = EnumSet.of(Status.DRAFT);
        Deque<Status> open = new ArrayDeque<>(reached);
        Asker anyone = new Asker(true, true);
        while (!open.isEmpty()) {
            Status from = open.pop();
            for (Status to : Status.values()) {
                if (ProjectLifecycle.decide(from, to, anyone) instanceof Decision.Allowed && reached.add(to)) {
                    open.push(to);
                }
            }
        }
        assertThat(reached).containsExactlyInAnyOrder(Status.values());
        assertThat(EnumSet.allOf(Status.class).stream().filter(ProjectLifecycle::terminal).toList())
                .containsExactly(Status.ARCHIVED);
    }

    @Example
    void aRefusalSaysWhoWasRefusedAsTheRouteAlwaysHas() {
        assertThat(ProjectLifecycle.decide(Status.DRAFT, Status.HANDED_OVER, new Asker(true, false)))
                .isEqualTo(new Decision.Denied(new Refusal.Conflict(
                        "a project that is DRAFT cannot become HANDED_OVER by its installer")));
        assertThat(ProjectLifecycle.decide(Status.DRAFT, Status.HANDED_OVER, new Asker(false, true)))
                .isEqualTo(new Decision.Denied(new Refusal.Conflict(
                        "a project that is DRAFT cannot become HANDED_OVER")));
    }
}
