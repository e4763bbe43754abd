package io.ora.relay.edge;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An unpooled allocator that remembers every buffer it hands out, so a test can prove deterministically that the
 * pipeline released all of them (reference count 0) once the channel is gone. Netty's own leak detector only
 * reports a leak after the garbage collector has found the buffer, which a test cannot wait for reliably; buffers
 * are still wrapped for that detector too, so a {@code PARANOID} level keeps recording access points.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {

    private final List<ByteBuf> allocated = new CopyOnWriteArrayList<>();

    TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** Buffers handed out and not yet released. */
    List<ByteBuf> unreleased() {
        return allocated.stream().filter(buffer -> buffer.refCnt() > 0).toList();
    }

    private ByteBuf track(ByteBuf buffer) {
        allocated.add(buffer);
        return toLeakAwareBuffer(buffer);
    }
}
