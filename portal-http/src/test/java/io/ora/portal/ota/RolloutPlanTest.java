package io.ora.portal.ota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ora.core.firmware.FirmwareVersion;
import io.ora.persistence.telemetry.HubPseudonym;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Random;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Who a rollout includes, without an inventory: with 10,000 simulated hubs (UUIDs through the real keyed
 * pseudonym) each stage holds its percentage within ±2 points, stages only widen, a hub's stage is the first that
 * holds it, and a stage's membership is the same however often it is asked; targeting and the failure thresholds as
 * documented.
 */
class RolloutPlanTest {

    private static final HubPseudonym PSEUDONYM = new HubPseudonym(new byte[32]);
    private static final FirmwareVersion V1 = v("1.0.0");
    private static final FirmwareVersion V14 = v("1.4.0");

    @Provide
    Arbitrary<List<Double>> percentages() {
        return Arbitraries.doubles().between(0.1, 100).ofScale(1).set().ofMinSize(1).ofMaxSize(RolloutPlan.MAX_STAGES)
                .map(set -> set.stream().sorted().toList());
    }

    @Property(tries = 30)
    void eachStageHoldsItsShareOfTenThousandHubsWithinTwoPointsAndStagesOnlyWiden(
            @ForAll("percentages") List<Double> percents, @ForAll long seed) {
        RolloutPlan plan = plan(UUID.randomUUID(), percents);
        Random random = new Random(seed);
        int[] inStage = new int[percents.size()];
        for (int i = 0; i < 10_000; i++) {
            UUID hub = new UUID(random.nextLong(), random.nextLong());
            int bucket = plan.bucket(PSEUDONYM.of(hub));
            assertThat(plan.bucket(PSEUDONYM.of(hub))).as("decided, not drawn").isEqualTo(bucket);
            OptionalInt first = plan.stageOf(bucket);
            for (int stage = 0; stage < percents.size(); stage++) {
                boolean included = first.isPresent() && first.getAsInt() <= stage;
                if (included) {
                    inStage[stage]++;
                }
                if (stage > 0 && first.isPresent() && first.getAsInt() <= stage - 1) {
                    assertThat(included).as("a hub in a stage stays in every wider one").isTrue();
                }
            }
        }
        for (int stage = 0; stage < percents.size(); stage++) {
            assertThat(inStage[stage] / 100.0).as("stage %d of %s", stage, percents)
                    .isBetween(percents.get(stage) - 2, percents.get(stage) + 2);
        }
    }

    @Property(tries = 200)
    void twoRolloutsPickTheirFirstHubsIndependently(@ForAll long seed) {
        Random random = new Random(seed);
        RolloutPlan a = plan(new UUID(random.nextLong(), random.nextLong()), List.of(10.0, 100.0));
        RolloutPlan b = plan(new UUID(random.nextLong(), random.nextLong()), List.of(10.0, 100.0));
        int both = 0;
        for (int i = 0; i < 2_000; i++) {
            byte[] hub = PSEUDONYM.of(new UUID(random.nextLong(), random.nextLong()));
            if (a.stageOf(a.bucket(hub)).getAsInt() == 0 && b.stageOf(b.bucket(hub)).getAsInt() == 0) {
                both++;
            }
        }
        // Independent: about 1 % of hubs are in both first stages (2,000 × 0.1 × 0.1 = 20), far from 10 %.
        assertThat(both).isLessThan(60);
    }

    @Property
    void aRampDoublesToOneHundred(@ForAll @IntRange(min = 1, max = 50) int initial,
                                  @ForAll @IntRange(min = 2, max = 10) int factor) {
        List<RolloutPlan.Stage> stages = RolloutPlan.ramp(initial, factor, Duration.ofMinutes(60));
        assertThat(stages.get(0).percent()).isEqualTo(initial);
        assertThat(stages.get(stages.size() - 1).percent()).isEqualTo(100);
        for (int i = 1; i < stages.size() - 1; i++) {
            assertThat(stages.get(i).percent()).isEqualTo(stages.get(i - 1).percent() * factor);
        }
        assertThat(stages).allSatisfy(stage -> assertThat(stage.soak()).isEqualTo(Duration.ofMinutes(60)));
    }

    @Example
    void plansThatWouldNotWidenAreRefused() {
        assertThatThrownBy(() -> plan(UUID.randomUUID(), List.of(10.0, 10.0))).hasMessageContaining("strictly");
        assertThatThrownBy(() -> plan(UUID.randomUUID(), List.of(50.0, 20.0))).hasMessageContaining("strictly");
        assertThatThrownBy(() -> plan(UUID.randomUUID(), List.of())).hasMessageContaining("stages");
        assertThatThrownBy(() -> new RolloutPlan.Stage(0, Duration.ZERO)).hasMessageContaining("percent");
        assertThatThrownBy(() -> new RolloutPlan.Stage(100.1, Duration.ZERO)).hasMessageContaining("percent");
        assertThatThrownBy(() -> RolloutPlan.ramp(0.001, 1.01, Duration.ZERO)).hasMessageContaining("20");
    }

    @Example
    void targetingIsTheModelTheRangeTheMinimumAndNeverTheReleaseOrAbove() {
        RolloutPlan plan = new RolloutPlan(UUID.randomUUID(), "ora-hub-1", V14, v("1.1.0"), Optional.of(v("1.0.0")),
                Optional.of(v("1.3.0")), List.of(new RolloutPlan.Stage(100, Duration.ZERO)), 10, OptionalInt.empty(),
                OptionalDouble.empty());
        assertThat(plan.targets("ora-hub-1", v("1.2.0"))).isTrue();
        assertThat(plan.targets("ora-hub-2", v("1.2.0"))).as("another model").isFalse();
        assertThat(plan.targets("ora-hub-1", v("1.0.5"))).as("below the release's minimum").isFalse();
        assertThat(plan.targets("ora-hub-1", v("1.3.0"))).as("fromVersions.below is exclusive").isFalse();
        RolloutPlan open = new RolloutPlan(UUID.randomUUID(), "ora-hub-1", V14, V1, Optional.empty(),
                Optional.empty(), List.of(new RolloutPlan.Stage(100, Duration.ZERO)), 10, OptionalInt.empty(),
                OptionalDouble.empty());
        assertThat(open.targets("ora-hub-1", V14)).as("the release itself").isFalse();
        assertThat(open.targets("ora-hub-1", v("2.0.0"))).as("newer than the release").isFalse();
        assertThat(open.targets("ora-hub-1", V1)).isTrue();
    }

    @Example
    void failuresPauseOnlyWhenTheyExceedACountOrAShare() {
        RolloutPlan both = new RolloutPlan(UUID.randomUUID(), "m", V14, V1, Optional.empty(), Optional.empty(),
                List.of(new RolloutPlan.Stage(100, Duration.ZERO)), 10, OptionalInt.of(3), OptionalDouble.of(10));
        assertThat(both.failuresExceeded(3, 100)).as("3 is not more than 3, and 3 % not more than 10 %").isFalse();
        assertThat(both.failuresExceeded(4, 100)).isTrue();
        assertThat(both.failuresExceeded(2, 19)).as("10.5 %").isTrue();
        assertThat(both.failuresExceeded(1, 10)).as("exactly 10 %").isFalse();
        RolloutPlan never = new RolloutPlan(UUID.randomUUID(), "m", V14, V1, Optional.empty(), Optional.empty(),
                List.of(new RolloutPlan.Stage(100, Duration.ZERO)), 10, OptionalInt.empty(), OptionalDouble.empty());
        assertThat(never.failuresExceeded(1_000_000, 1_000_000)).isFalse();
    }

    /** Random moves from any state: the table's answers are exactly those of docs/ota.md, and aborted is final. */
    @Property
    void theStateTableIsTheDocumentedOneAndAbortedIsFinal(
            @ForAll("moves") List<RolloutStatus.Move> moves) {
        RolloutStatus status = RolloutStatus.ACTIVE;
        boolean aborted = false;
        for (RolloutStatus.Move move : moves) {
            Optional<RolloutStatus> next = status.after(move);
            switch (move) {
                case PAUSE, AUTO_PAUSE -> assertThat(next.isPresent()).isEqualTo(status == RolloutStatus.ACTIVE);
                case RESUME -> assertThat(next.isPresent()).isEqualTo(status == RolloutStatus.PAUSED);
                case ABORT -> assertThat(next).isEqualTo(status.open() ? Optional.of(RolloutStatus.ABORTED)
                        : Optional.empty());
                case ADVANCE -> assertThat(next).isEqualTo(status == RolloutStatus.ACTIVE
                        ? Optional.of(RolloutStatus.ACTIVE) : Optional.empty());
                default -> throw new AssertionError(move);
            }
            if (next.isPresent()) {
                status = next.get();
            }
            aborted |= status == RolloutStatus.ABORTED;
            assertThat(status == RolloutStatus.ABORTED).as("aborted stays aborted").isEqualTo(aborted);
        }
    }

    @Provide
    Arbitrary<List<RolloutStatus.Move>> moves() {
        return Arbitraries.of(RolloutStatus.Move.class).list().ofMaxSize(30);
    }

    private static RolloutPlan plan(UUID id, List<Double> percents) {
        List<RolloutPlan.Stage> stages = new ArrayList<>();
        for (double percent : percents) {
            stages.add(new RolloutPlan.Stage(percent, Duration.ZERO));
        }
        return new RolloutPlan(id, "ora-hub-1", V14, V1, Optional.empty(), Optional.empty(), stages, 100,
                OptionalInt.empty(), OptionalDouble.empty());
    }

    private static FirmwareVersion v(String text) {
        return FirmwareVersion.parse(text).orElseThrow();
    }
}
