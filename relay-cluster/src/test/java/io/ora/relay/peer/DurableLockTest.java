package io.ora.relay.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.ora.core.ota.OtaDesk;
import io.ora.relay.api.HubLocks;
import io.ora.relay.api.HubMessage;
import io.ora.relay.delivery.Connection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The event-sourced part of {@link HubEntity}, its durable lock, on its own over the in-memory journal (Pekko's
 * {@link EventSourcedBehaviorTestKit}, which also serializes every command, event and state through the node's
 * bindings): each command's reply, the events it persists (none when nothing changes), and the state recovered after
 * a restart. The sharded entity around it is tested on a real node ({@link HubLockIT}, {@link HubLockProtocolIT}).
 */
class DurableLockTest {

    // A local system: the lock needs no cluster (the module's test config forms one), and a unit test binds no port.
    static final ActorTestKit KIT = ActorTestKit.create(ConfigFactory.load(ConfigFactory
            .parseString("pekko.actor.provider = local").withFallback(EventSourcedBehaviorTestKit.config())));
    private static final HubEntity.State UNLOCKED = new HubEntity.State(false, "");
    private static final byte[] CHECK = "{\"model\":\"ora-hub-1\",\"version\":\"1.0.0\"}"
            .getBytes(StandardCharsets.UTF_8);
    private static final String DESK_ANSWER = "{\"ota\":\"none\"}";
    /** The checks the desk was asked, as text, in order. */
    private static final List<String> DESK_CHECKS = new CopyOnWriteArrayList<>();
    private static final OtaDesk DESK = new OtaDesk() {
        @Override
        public CompletionStage<byte[]> check(UUID hub, byte[] payload) {
            DESK_CHECKS.add(new String(payload, StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(DESK_ANSWER.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public CompletionStage<Receipt> report(UUID hub, byte[] payload) {
            return CompletableFuture.completedFuture(Receipt.STORED);
        }
    };

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    /** A fresh hub's lock; each test's hub id is its own, so the shared in-memory journal keeps them apart. */
    static EventSourcedBehaviorTestKit<HubMessage, HubEntity.Event, HubEntity.State> freshLock() {
        return EventSourcedBehaviorTestKit.create(KIT.system(), HubEntity.durableLock(UUID.randomUUID(), DESK));
    }

    @Test
    void aLockIsAcknowledgedOncePersistedAndTheSameHolderAgainPersistsNothing() {
        var lock = freshLock();

        CommandResultWithReply<HubMessage, HubEntity.Event, HubEntity.State, StatusReply<Done>> first =
                lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Lock("project-1", replyTo));
        assertThat(first.reply().isSuccess()).isTrue();
        assertThat(first.event()).isEqualTo(new HubEntity.Locked("project-1"));
        assertThat(first.state()).isEqualTo(new HubEntity.State(true, "project-1"));

        var again = lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Lock("project-1", replyTo));
        assertThat(again.reply().isSuccess()).isTrue();
        assertThat(again.hasNoEvents()).isTrue();
    }

    @Test
    void theLatestLockWinsAndOnlyItsHolderReleasesIt() {
        var lock = freshLock();
        lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Lock("project-1", replyTo));

        var takeover = lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Lock("project-2", replyTo));
        assertThat(takeover.event()).isEqualTo(new HubEntity.Locked("project-2"));

        var stale = lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Release("project-1", replyTo));
        assertThat(stale.reply().isSuccess()).as("a stale release is acknowledged").isTrue();
        assertThat(stale.hasNoEvents()).isTrue();
        assertThat(stale.state()).isEqualTo(new HubEntity.State(true, "project-2"));

        var release = lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Release("project-2", replyTo));
        assertThat(release.reply().isSuccess()).isTrue();
        assertThat(release.event()).isEqualTo(new HubEntity.Unlocked());
        assertThat(release.state()).isEqualTo(UNLOCKED);

        var unlocked = lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Release("project-2", replyTo));
        assertThat(unlocked.reply().isSuccess()).isTrue();
        assertThat(unlocked.hasNoEvents()).isTrue();
    }

    @Test
    void aBlankOrOverlongHolderIsRefusedWithAReasonAndNothingIsPersisted() {
        var lock = freshLock();

        for (String holder : new String[] {"", "  ", null}) {
            var refused = lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Lock(holder, replyTo));
            assertThat(refused.reply().getError()).hasMessageContaining("must not be blank");
            assertThat(refused.hasNoEvents()).isTrue();
        }
        var overlong = lock.<StatusReply<Done>>runCommand(replyTo ->
                new HubLocks.Lock("p".repeat(HubLocks.MAX_HOLDER_LENGTH + 1), replyTo));
        assertThat(overlong.reply().getError()).hasMessageContaining("at most " + HubLocks.MAX_HOLDER_LENGTH);
        var release = lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Release(" ", replyTo));
        assertThat(release.reply().getError()).hasMessageContaining("must not be blank");

        assertThat(lock.getState()).isEqualTo(UNLOCKED);
        var longest = lock.<StatusReply<Done>>runCommand(replyTo ->
                new HubLocks.Lock("p".repeat(HubLocks.MAX_HOLDER_LENGTH), replyTo));
        assertThat(longest.reply().isSuccess()).isTrue();
    }

    @Test
    void unlockEndsTheLockWhoeverHoldsItAndIsIdempotent() {
        var lock = freshLock();
        lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Lock("project-1", replyTo));

        var unlock = lock.<StatusReply<Done>>runCommand(HubEntity.Unlock::new);
        assertThat(unlock.reply().isSuccess()).isTrue();
        assertThat(unlock.event()).isEqualTo(new HubEntity.Unlocked());

        var again = lock.<StatusReply<Done>>runCommand(HubEntity.Unlock::new);
        assertThat(again.reply().isSuccess()).isTrue();
        assertThat(again.hasNoEvents()).isTrue();
    }

    @Test
    void aQueryAnswersTheDurableLock() {
        var lock = freshLock();
        assertThat(lock.<HubLocks.LockStatus>runCommand(HubLocks.Query::new).reply())
                .isEqualTo(new HubLocks.LockStatus(false, ""));

        lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Lock("project-1", replyTo));

        var query = lock.<HubLocks.LockStatus>runCommand(HubLocks.Query::new);
        assertThat(query.reply()).isEqualTo(new HubLocks.LockStatus(true, "project-1"));
        assertThat(query.hasNoEvents()).isTrue();
    }

    @Test
    void anUnlockedHubsCheckIsTheDesksToAnswerALockedHubsTheLocksAndNeitherPersistsAnything() {
        var lock = freshLock();
        TestProbe<Connection.Command> connection = KIT.createTestProbe();
        int asked = DESK_CHECKS.size();

        var unlocked = lock.runCommand(new HubEntity.OtaCheck(connection.getRef(), 1, 7, CHECK));
        assertThat(unlocked.hasNoEvents()).isTrue();
        assertThat(otaAnswer(connection)).isEqualTo(DESK_ANSWER);
        assertThat(DESK_CHECKS).hasSize(asked + 1);
        assertThat(DESK_CHECKS.get(asked)).isEqualTo(new String(CHECK, StandardCharsets.UTF_8));

        lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Lock("project-1", replyTo));
        var locked = lock.runCommand(new HubEntity.OtaCheck(connection.getRef(), 0, 0, CHECK));
        assertThat(locked.hasNoEvents()).isTrue();
        assertThat(otaAnswer(connection)).isEqualTo(new String(OtaStatus.WAIT_FOR_HANDOVER, StandardCharsets.UTF_8));
        assertThat(DESK_CHECKS).as("a locked hub's check never reaches the desk").hasSize(asked + 1);
    }

    @Test
    void aDeskThatFailsAnywayIsAnsweredUnavailableAtOnce() {
        TestProbe<Connection.Command> connection = KIT.createTestProbe();
        var lock = EventSourcedBehaviorTestKit.<HubMessage, HubEntity.Event, HubEntity.State>create(KIT.system(),
                HubEntity.durableLock(UUID.randomUUID(), new OtaDesk() {
                    @Override
                    public CompletionStage<byte[]> check(UUID hub, byte[] payload) {
                        return CompletableFuture.failedFuture(new IllegalStateException("broken desk"));
                    }

                    @Override
                    public CompletionStage<Receipt> report(UUID hub, byte[] payload) {
                        return CompletableFuture.completedFuture(Receipt.UNAVAILABLE);
                    }
                }));

        lock.runCommand(new HubEntity.OtaCheck(connection.getRef(), 1, 9, CHECK));
        assertThat(otaAnswer(connection)).isEqualTo(new String(OtaDesk.WAIT_UNAVAILABLE, StandardCharsets.UTF_8));
    }

    @Test
    void theLockIsRecoveredFromTheJournalAfterARestartAlsoPastSnapshots() {
        var lock = freshLock();
        lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Lock("project-1", replyTo));

        assertThat(lock.restart().state()).isEqualTo(new HubEntity.State(true, "project-1"));

        // Past the snapshot interval (20 events): recovery starts from a snapshot plus the events after it.
        for (int i = 0; i < 25; i++) {
            String holder = "project-" + i;
            lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Lock(holder, replyTo));
        }
        lock.<StatusReply<Done>>runCommand(HubEntity.Unlock::new);
        lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Lock("project-last", replyTo));

        assertThat(lock.restart().state()).isEqualTo(new HubEntity.State(true, "project-last"));
        var release = lock.<StatusReply<Done>>runCommand(replyTo -> new HubLocks.Release("project-last", replyTo));
        assertThat(release.event()).isEqualTo(new HubEntity.Unlocked());
        assertThat(lock.restart().state()).isEqualTo(UNLOCKED);
    }

    private static String otaAnswer(TestProbe<Connection.Command> connection) {
        Connection.Deliver deliver = connection.expectMessageClass(Connection.Deliver.class);
        return new String(deliver.envelope().payload(), StandardCharsets.UTF_8);
    }
}
