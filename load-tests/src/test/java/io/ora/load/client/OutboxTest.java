package io.ora.load.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboxTest {

    @Test
    void packetIdsFindTheirMessageAndAreReusedOnceAcknowledged() {
        Outbox outbox = new Outbox(2);

        int first = outbox.take(10, 1000);
        int second = outbox.take(11, 2000);

        assertThat(first).isNotEqualTo(second).isBetween(1, 2);
        assertThat(outbox.hasRoom()).isFalse();
        assertThat(outbox.index(second)).isEqualTo(11);
        assertThat(outbox.due(second)).isEqualTo(2000);
        outbox.release(first);
        assertThat(outbox.outstanding(first)).isFalse();
        assertThat(outbox.outstanding(second)).isTrue();
        assertThat(outbox.take(12, 3000)).isEqualTo(first);
        assertThat(outbox.inFlight()).isEqualTo(2);
    }

    @Test
    void aPubAckForSomethingNeverSentIsNotOutstanding() {
        Outbox outbox = new Outbox(4);
        outbox.take(1, 1);

        assertThat(outbox.outstanding(0)).isFalse();
        assertThat(outbox.outstanding(2)).isFalse();
        assertThat(outbox.outstanding(5)).isFalse();
        assertThat(outbox.outstanding(65_535)).isFalse();
    }

    @Test
    void messagesBeyondTheWindowWaitInOrderAndTheQueueGrows() {
        Outbox outbox = new Outbox(1);
        outbox.take(0, 0);
        for (long i = 1; i <= 100; i++) {
            outbox.enqueue(i, i * 10);
        }

        List<Long> order = new ArrayList<>();
        while (outbox.queued() > 0) {
            order.add(outbox.peekIndex());
            assertThat(outbox.peekDue()).isEqualTo(outbox.peekIndex() * 10);
            outbox.dequeue();
        }

        assertThat(order).hasSize(100).isSorted().startsWith(1L).endsWith(100L);
        assertThatThrownBy(() -> outbox.take(101, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aLostConnectionAbandonsEverythingOutstandingAndWaiting() {
        Outbox outbox = new Outbox(3);
        outbox.take(1, 10);
        int acked = outbox.take(2, 20);
        outbox.take(3, 30);
        outbox.release(acked);
        outbox.enqueue(4, 40);

        List<Long> abandoned = new ArrayList<>();
        outbox.abandonAll((index, due) -> abandoned.add(index));

        assertThat(abandoned).containsExactlyInAnyOrder(1L, 3L, 4L);
        assertThat(outbox.inFlight()).isZero();
        assertThat(outbox.queued()).isZero();
        assertThat(outbox.hasRoom()).isTrue();
    }
}
