package io.ora.load.measure;

import io.netty.buffer.ByteBuf;
import java.util.Optional;

/**
 * The body of a load-generator message: a 16-byte header followed by zero filler up to the requested size. The
 * relay treats it as opaque bytes.
 *
 * <pre>
 * bytes 0-7    due time of the message, System.nanoTime() of the sending JVM (big-endian)
 * bytes 8-15   sequence: run id in the top 16 bits, message index in the low 48 bits
 * </pre>
 *
 * <p>Sender and receiver are the same JVM, so the due time can be compared with the receiver's clock directly. The
 * run id lets a rate sweep reuse its connections and still recognise a late message from an earlier step. Both
 * directions work on Netty buffers in place: the sender writes the body straight into the outgoing PUBLISH frame,
 * the receiver reads the header where the decoder left it, so neither copies the body.
 */
public final class Payload {

    /** Size of the header, and so the smallest payload. */
    public static final int HEADER_BYTES = 16;
    /** Largest run id. */
    public static final int MAX_RUN = 0xFFFF;
    /** Largest message index. */
    public static final long MAX_INDEX = (1L << 48) - 1;

    private Payload() {
    }

    /** Appends a payload of {@code size} bytes carrying the given header to {@code out}. */
    public static void write(ByteBuf out, int size, long dueNanos, int run, long index) {
        if (size < HEADER_BYTES) {
            throw new IllegalArgumentException("payload must hold at least " + HEADER_BYTES + " bytes: " + size);
        }
        if (run < 0 || run > MAX_RUN || index < 0 || index > MAX_INDEX) {
            throw new IllegalArgumentException("run or index out of range: " + run + "/" + index);
        }
        out.writeLong(dueNanos).writeLong(((long) run << 48) | index).writeZero(size - HEADER_BYTES);
    }

    /**
     * The header of a received payload (its readable bytes, which are left unread), or empty when it is too short to
     * be one of ours.
     */
    public static Optional<Header> decode(ByteBuf payload) {
        if (payload.readableBytes() < HEADER_BYTES) {
            return Optional.empty();
        }
        int at = payload.readerIndex();
        long due = payload.getLong(at);
        long sequence = payload.getLong(at + Long.BYTES);
        return Optional.of(new Header(due, (int) (sequence >>> 48), sequence & MAX_INDEX));
    }

    /** What a payload header says. */
    public record Header(long dueNanos, int run, long index) {
    }
}
