package io.ora.relay.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.ora.core.ota.OtaDesk;
import io.ora.relay.api.HubLocks;
import io.ora.relay.api.HubMessage;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/**
 * The hub's durable lock against a model, over random sequences of everything that can happen to it (locks and
 * releases by a few holders, refused holders, unlocks, queries, restarts from the journal): after each step the reply,
 * the events persisted and the state are the model's, and the lock invariant holds (locked exactly when a holder is
 * named).
 */
class DurableLockPropertiesTest {

    private static final String OVERLONG = "p".repeat(HubLocks.MAX_HOLDER_LENGTH + 1);
    private static ActorTestKit kit;

    @BeforeContainer
    static void start() {
        // A local system: the lock needs no cluster (the module's test config forms one); a unit test binds no port.
        kit = ActorTestKit.create(ConfigFactory.load(ConfigFactory.parseString("pekko.actor.provider = local")
                .withFallback(EventSourcedBehaviorTestKit.config())));
    }

    @AfterContainer
    static void stop() {
        kit.shutdownTestKit();
    }

    /** One thing that happens to the lock. */
    sealed interface Step permits Lock, Release, Unlock, Query, Restart {
    }

    record Lock(String holder) implements Step {
    }

    record Release(String holder) implements Step {
    }

    record Unlock() implements Step {
    }

    record Query() implements Step {
    }

    record Restart() implements Step {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<String> holders = Arbitraries.of("project-1", "project-2", "project-3", "", " ", OVERLONG);
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                Tuple.of(4, holders.map(Lock::new)),
                Tuple.of(4, holders.map(Release::new)),
                Tuple.of(1, Arbitraries.just(new Unlock())),
                Tuple.of(1, Arbitraries.just(new Query())),
                Tuple.of(1, Arbitraries.just(new Restart())));
        return step.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 60)
    void everyStepAnswersPersistsAndLeavesWhatTheModelSays(@ForAll("steps") List<Step> steps) {
        EventSourcedBehaviorTestKit<HubMessage, HubEntity.Event, HubEntity.State> lock =
                EventSourcedBehaviorTestKit.create(kit.system(), HubEntity.durableLock(UUID.randomUUID(),
                        OtaDesk.unavailable()));
        Optional<String> model = Optional.empty();
        for (Step step : steps) {
            model = apply(lock, step, model);
            HubEntity.State state = lock.getState();
            assertThat(state).as("after %s", step).isEqualTo(new HubEntity.State(model.isPresent(),
                    model.orElse("")));
            assertThat(state.locked()).as("locked exactly when a holder is named").isEqualTo(!state.holder().isEmpty());
        }
    }

    /** Runs {@code step}, checks its reply and events against the model, and returns the model's next state. */
    private static Optional<String> apply(
            EventSourcedBehaviorTestKit<HubMessage, HubEntity.Event, HubEntity.State> lock, Step step,
            Optional<String> model) {
        if (step instanceof Lock command) {
            var result = lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Lock(command.holder(), replyTo));
            if (!valid(command.holder())) {
                assertThat(result.reply().isError()).as("%s is refused", step).isTrue();
                assertThat(result.hasNoEvents()).isTrue();
                return model;
            }
            assertThat(result.reply().isSuccess()).as("%s is acknowledged", step).isTrue();
            if (model.equals(Optional.of(command.holder()))) {
                assertThat(result.hasNoEvents()).as("locking again persists nothing").isTrue();
                return model;
            }
            assertThat(result.event()).isEqualTo(new HubEntity.Locked(command.holder()));
            return Optional.of(command.holder());
        }
        if (step instanceof Release command) {
            var result = lock.<StatusReply<Done>>runCommand(replyTo ->
                    new HubLocks.Release(command.holder(), replyTo));
            if (!valid(command.holder())) {
                assertThat(result.reply().isError()).as("%s is refused", step).isTrue();
                assertThat(result.hasNoEvents()).isTrue();
                return model;
            }
            assertThat(result.reply().isSuccess()).as("%s is acknowledged", step).isTrue();
            if (!model.equals(Optional.of(command.holder()))) {
                assertThat(result.hasNoEvents()).as("only the holder releases").isTrue();
                return model;
            }
            assertThat(result.event()).isEqualTo(new HubEntity.Unlocked());
            return Optional.empty();
        }
        if (step instanceof Unlock) {
            var result = lock.<StatusReply<Done>>runCommand(HubEntity.Unlock::new);
            assertThat(result.reply().isSuccess()).isTrue();
            if (model.isEmpty()) {
                assertThat(result.hasNoEvents()).isTrue();
            } else {
                assertThat(result.event()).isEqualTo(new HubEntity.Unlocked());
            }
            return Optional.empty();
        }
        if (step instanceof Query) {
            var result = lock.<HubLocks.LockStatus>runCommand(HubLocks.Query::new);
            assertThat(result.reply()).isEqualTo(new HubLocks.LockStatus(model.isPresent(), model.orElse("")));
            assertThat(result.hasNoEvents()).isTrue();
            return model;
        }
        lock.restart();
        return model;
    }

    private static boolean valid(String holder) {
        return !holder.isBlank() && holder.length() <= HubLocks.MAX_HOLDER_LENGTH;
    }
}
