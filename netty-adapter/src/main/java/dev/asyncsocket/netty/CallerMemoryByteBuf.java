package dev.asyncsocket.netty;

import io.netty.buffer.AbstractReferenceCountedByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakTracker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;

/**
 * A {@link ByteBuf} over memory a caller lent to a send: a fixed capacity, no backing array of its own, and
 * multi-byte values read a byte at a time through {@link #_getByte}, big-endian whatever the order of the
 * caller's buffers (the transports never read single values; handlers in front of the socket rarely do).
 * Subclasses say how a byte is reached and written.
 */
abstract class CallerMemoryByteBuf extends AbstractReferenceCountedByteBuf {

    protected CallerMemoryByteBuf(int maxCapacity) {
        super(maxCapacity);
    }

    /** This buffer's leak tracker while it is tracked ({@link #trackLeaks}); {@code null} otherwise. */
    private ResourceLeakTracker<?> leak;

    /**
     * Starts tracking this buffer, {@code self}, with {@code detector} at Netty's ADVANCED and PARANOID leak
     * detection levels (tests run at PARANOID), not at the default SIMPLE one. Such a buffer holds no memory of
     * its own, only the caller's, lent until a callback that does not wait for it; a leaked one costs a
     * recyclable object. What SIMPLE's sampling costs, on the other hand, is two stack traces for one send in
     * 128: in a profile of 16 KiB sends (workload A), 6 to 10% of the event loop's time outside the kernel.
     */
    protected final <T extends CallerMemoryByteBuf> void trackLeaks(ResourceLeakDetector<T> detector, T self) {
        leak = ResourceLeakDetector.getLevel().ordinal() >= ResourceLeakDetector.Level.ADVANCED.ordinal()
                ? detector.track(self) : null;
    }

    /** Ends the tracking that {@link #trackLeaks} started, if any: call on deallocation. */
    protected final void untrackLeaks() {
        ResourceLeakTracker<?> tracker = leak;
        if (tracker != null) {
            leak = null;
            close(tracker);
        }
    }

    @SuppressWarnings("unchecked") // the tracker was made for this buffer, as a T
    private <T> void close(ResourceLeakTracker<T> tracker) {
        tracker.close((T) this);
    }

    @Override
    public final ByteBuf capacity(int newCapacity) {
        throw new UnsupportedOperationException("a view of the caller's buffers has a fixed capacity");
    }

    @Override
    public final ByteBufAllocator alloc() {
        return UnpooledByteBufAllocator.DEFAULT;
    }

    @Override
    public final ByteOrder order() {
        return ByteOrder.BIG_ENDIAN;
    }

    @Override
    public final ByteBuf unwrap() {
        return null;
    }

    @Override
    public final boolean hasArray() {
        return false;
    }

    @Override
    public final byte[] array() {
        throw new UnsupportedOperationException("no array of its own: the caller's memory");
    }

    @Override
    public final int arrayOffset() {
        throw new UnsupportedOperationException("no array of its own: the caller's memory");
    }

    /** Through a copy: the bytes of the caller's memory as one array. */
    @Override
    public final ByteBuf getBytes(int index, OutputStream out, int length) throws IOException {
        byte[] bytes = new byte[length];
        getBytes(index, bytes, 0, length);
        out.write(bytes);
        return this;
    }

    @Override
    protected final short _getShort(int index) {
        return (short) (_getByte(index) << 8 | _getByte(index + 1) & 0xff);
    }

    @Override
    protected final short _getShortLE(int index) {
        return Short.reverseBytes(_getShort(index));
    }

    @Override
    protected final int _getUnsignedMedium(int index) {
        return (_getByte(index) & 0xff) << 16 | (_getShort(index + 1) & 0xffff);
    }

    @Override
    protected final int _getUnsignedMediumLE(int index) {
        return Integer.reverseBytes(_getUnsignedMedium(index)) >>> 8;
    }

    @Override
    protected final int _getInt(int index) {
        return _getShort(index) << 16 | _getShort(index + 2) & 0xffff;
    }

    @Override
    protected final int _getIntLE(int index) {
        return Integer.reverseBytes(_getInt(index));
    }

    @Override
    protected final long _getLong(int index) {
        return (long) _getInt(index) << 32 | _getInt(index + 4) & 0xffffffffL;
    }

    @Override
    protected final long _getLongLE(int index) {
        return Long.reverseBytes(_getLong(index));
    }
}
