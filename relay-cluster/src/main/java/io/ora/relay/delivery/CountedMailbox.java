package io.ora.relay.delivery;

import com.typesafe.config.Config;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.dispatch.Envelope;
import org.apache.pekko.dispatch.MailboxType;
import org.apache.pekko.dispatch.MessageQueue;
import org.apache.pekko.dispatch.ProducesMessageQueue;
import org.apache.pekko.dispatch.UnboundedQueueBasedMessageQueue;
import scala.Option;

/**
 * Pekko's unbounded mailbox, counting the messages waiting in all mailboxes of one kind ({@code counted-as} in the
 * mailbox's config: {@code peers} for the sharded hub and app entities, {@code connections} for the connections'
 * actors), so {@code ora_relay_mailbox_messages} can say how far behind the relay's actors are without Kamon's
 * agent. Two adder operations per message; the queue itself is Pekko's own (a {@link ConcurrentLinkedQueue}).
 */
public final class CountedMailbox implements MailboxType, ProducesMessageQueue<CountedMailbox.CountedQueue> {

    private final String kind;

    /** Made by Pekko from the mailbox's config section. */
    public CountedMailbox(ActorSystem.Settings settings, Config config) {
        this.kind = config.getString("counted-as");
    }

    /** The kind these mailboxes are counted as. */
    String kind() {
        return kind;
    }

    @Override
    public MessageQueue create(Option<ActorRef> owner, Option<ActorSystem> system) {
        if (system.isEmpty()) {
            throw new IllegalStateException("a counted mailbox belongs to an actor system");
        }
        return new CountedQueue(Counts.ID.get(system.get()).waiting(kind));
    }

    /** Messages waiting in the mailboxes of {@code kind} of {@code system}'s actors. */
    public static long waiting(ActorSystem system, String kind) {
        return Counts.ID.get(system).waiting(kind).sum();
    }

    /** One actor's mailbox: Pekko's unbounded queue, counted. */
    public static final class CountedQueue extends ConcurrentLinkedQueue<Envelope>
            implements UnboundedQueueBasedMessageQueue {

        private final LongAdder waiting;

        CountedQueue(LongAdder waiting) {
            this.waiting = waiting;
        }

        @Override
        public Queue<Envelope> queue() {
            return this;
        }

        @Override
        public void enqueue(ActorRef receiver, Envelope handle) {
            waiting.increment();
            add(handle);
        }

        @Override
        public Envelope dequeue() {
            Envelope next = poll();
            if (next != null) {
                waiting.decrement();
            }
            return next;
        }
    }

    /** The counts of one actor system, by kind. */
    static final class Counts implements Extension {
        static final AbstractExtensionId<Counts> ID = new AbstractExtensionId<>() {
            @Override
            public Counts createExtension(ExtendedActorSystem system) {
                return new Counts();
            }
        };

        private final Map<String, LongAdder> byKind = new ConcurrentHashMap<>();

        LongAdder waiting(String kind) {
            return byKind.computeIfAbsent(kind, ignored -> new LongAdder());
        }
    }
}
