package io.ora.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.dispatch.Envelope;
import org.apache.pekko.dispatch.MessageQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import scala.Option;

/**
 * The counted mailbox counts what waits in it, across every mailbox of its kind, down to nothing when messages are
 * taken or drained to dead letters; and the relay's actors really run with it (the configured mailbox is this one).
 */
class CountedMailboxTest {

    private static final ActorTestKit KIT = ActorTestKit.create("counted-mailbox",
            // A local system: the mailboxes need no cluster, and a unit test binds no port.
            ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void countsWhatWaitsAcrossMailboxesOfOneKind() {
        ActorSystem system = Adapter.toClassic(KIT.system());
        CountedMailbox type = new CountedMailbox(system.settings(),
                ConfigFactory.parseString("counted-as = test-" + System.nanoTime()));
        MessageQueue one = type.create(Option.empty(), Option.apply(system));
        MessageQueue two = type.create(Option.empty(), Option.apply(system));
        ActorRef nobody = ActorRef.noSender();

        one.enqueue(nobody, new Envelope("a", nobody));
        one.enqueue(nobody, new Envelope("b", nobody));
        two.enqueue(nobody, new Envelope("c", nobody));
        assertThat(one.numberOfMessages()).isEqualTo(2);
        assertThat(waiting(system, type)).isEqualTo(3);

        assertThat(one.dequeue().message()).isEqualTo("a");
        assertThat(waiting(system, type)).isEqualTo(2);
        two.cleanUp(nobody, new DeadLetters());
        assertThat(waiting(system, type)).isEqualTo(1);
        assertThat(one.dequeue().message()).isEqualTo("b");
        assertThat(one.dequeue()).isNull();
        assertThat(waiting(system, type)).isZero();
    }

    @Test
    void theRelaysMailboxesAreCounted() {
        assertThat(KIT.system().settings().config().getString("ora.relay.mailboxes.peers.mailbox-type"))
                .isEqualTo(CountedMailbox.class.getName());
        assertThat(KIT.system().settings().config().getString("ora.relay.mailboxes.connections.mailbox-type"))
                .isEqualTo(CountedMailbox.class.getName());
    }

    private static long waiting(ActorSystem system, CountedMailbox type) {
        return CountedMailbox.waiting(system, type.kind());
    }

    /** Where a drained mailbox sends what it held; here, nowhere. */
    private static final class DeadLetters implements MessageQueue {
        @Override
        public void enqueue(ActorRef receiver, Envelope handle) {
        }

        @Override
        public Envelope dequeue() {
            return null;
        }

        @Override
        public int numberOfMessages() {
            return 0;
        }

        @Override
        public boolean hasMessages() {
            return false;
        }

        @Override
        public void cleanUp(ActorRef owner, MessageQueue deadLetters) {
        }
    }
}
