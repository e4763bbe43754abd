package io.ora.load.client;

import java.util.Arrays;

/**
 * The QoS 1 messages of one connection that the broker has not acknowledged yet, and those waiting for room. MQTT 5
 * lets the broker cap the unacknowledged messages per connection (Receive Maximum in the CONNACK: Mosquitto's
 * {@code max_inflight_messages}, the Ora relay's sender window); a message beyond the cap waits here, in order, and
 * goes out when a PUBACK frees a slot. Its latency still counts from its due time, so waiting shows as latency.
 *
 * <p>Packet identifiers are slot numbers plus one, so a PUBACK finds its message without a map and without
 * allocating; a slot is free again once acknowledged. Confined to the connection's event loop.
 */
final class Outbox {

    private static final int INITIAL_QUEUE = 16;

    private final long[] index;
    private final long[] due;
    private final boolean[] used;
    private final int[] free;
    private int freeCount;
    /** Waiting messages as (index, due) pairs in a ring. */
    private long[] queue = new long[2 * INITIAL_QUEUE];
    private int head;
    private int queued;

    /** An outbox with room for {@code capacity} unacknowledged messages (packet identifiers 1..capacity). */
    Outbox(int capacity) {
        if (capacity < 1 || capacity > 0xFFFF) {
            throw new IllegalArgumentException("capacity must be within 1..65535: " + capacity);
        }
        index = new long[capacity];
        due = new long[capacity];
        used = new boolean[capacity];
        free = new int[capacity];
        for (int slot = 0; slot < capacity; slot++) {
            free[slot] = capacity - 1 - slot;
        }
        freeCount = capacity;
    }

    /** Whether another message may go out now. */
    boolean hasRoom() {
        return freeCount > 0;
    }

    /** Takes a slot for a message going out now and returns its packet identifier; needs {@link #hasRoom()}. */
    int take(long messageIndex, long dueNanos) {
        if (freeCount == 0) {
            throw new IllegalStateException("no room: queue the message instead");
        }
        int slot = free[--freeCount];
        used[slot] = true;
        index[slot] = messageIndex;
        due[slot] = dueNanos;
        return slot + 1;
    }

    /** Whether {@code packetId} is unacknowledged; a PUBACK for anything else is the broker's mistake. */
    boolean outstanding(int packetId) {
        return packetId >= 1 && packetId <= used.length && used[packetId - 1];
    }

    /** Index of the message sent as {@code packetId}; needs {@link #outstanding}. */
    long index(int packetId) {
        return index[packetId - 1];
    }

    /** Due time of the message sent as {@code packetId}; needs {@link #outstanding}. */
    long due(int packetId) {
        return due[packetId - 1];
    }

    /** Frees the slot of an acknowledged message; needs {@link #outstanding}. */
    void release(int packetId) {
        used[packetId - 1] = false;
        free[freeCount++] = packetId - 1;
    }

    /** Unacknowledged messages. */
    int inFlight() {
        return used.length - freeCount;
    }

    /** Appends a message that must wait for room. */
    void enqueue(long messageIndex, long dueNanos) {
        int pairs = queue.length / 2;
        if (queued == pairs) {
            long[] grown = new long[queue.length * 2];
            for (int i = 0; i < queued; i++) {
                int from = 2 * ((head + i) % pairs);
                grown[2 * i] = queue[from];
                grown[2 * i + 1] = queue[from + 1];
            }
            queue = grown;
            head = 0;
            pairs = queue.length / 2;
        }
        int at = 2 * ((head + queued) % pairs);
        queue[at] = messageIndex;
        queue[at + 1] = dueNanos;
        queued++;
    }

    /** Messages waiting for room. */
    int queued() {
        return queued;
    }

    /** Index of the oldest waiting message; needs {@link #queued()} above 0. */
    long peekIndex() {
        return queue[2 * head];
    }

    /** Due time of the oldest waiting message; needs {@link #queued()} above 0. */
    long peekDue() {
        return queue[2 * head + 1];
    }

    /** Drops the oldest waiting message (after sending it). */
    void dequeue() {
        head = (head + 1) % (queue.length / 2);
        queued--;
    }

    /** Hands every unacknowledged and waiting message to {@code each}, and forgets them: the connection is gone. */
    void abandonAll(Each each) {
        for (int slot = 0; slot < used.length; slot++) {
            if (used[slot]) {
                each.message(index[slot], due[slot]);
                release(slot + 1);
            }
        }
        while (queued > 0) {
            each.message(peekIndex(), peekDue());
            dequeue();
        }
        Arrays.fill(queue, 0);
    }

    /** Receives one message of {@link #abandonAll}. */
    @FunctionalInterface
    interface Each {
        void message(long messageIndex, long dueNanos);
    }
}
