package dev.asyncsocket.netty.testing;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.util.concurrent.atomic.AtomicInteger;

/** A channel allocator that counts the buffers it hands out (unpooled underneath). Thread-safe. */
public final class CountingAllocator extends AbstractByteBufAllocator {

    private final AtomicInteger allocated = new AtomicInteger();

    public CountingAllocator() {
        super(true);
    }

    public int allocated() {
        return allocated.get();
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        allocated.incrementAndGet();
        return UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        allocated.incrementAndGet();
        return UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }
}
