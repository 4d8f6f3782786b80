package dev.asyncsocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.util.Recycler;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.internal.PlatformDependent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;

/**
 * A {@link ByteBuf} over the remaining bytes of a caller's direct {@link ByteBuffer}: index 0 is the
 * buffer's position when the view was taken (or the position given), the capacity its remaining bytes. It neither copies nor slices
 * the caller's buffer and never moves its position or limit, and the view itself is recycled once released,
 * so wrapping a buffer on an event loop allocates nothing in the steady state (what
 * {@code Unpooled.wrappedBuffer} costs is a wrapper, a slice and a reference count, 152 bytes a buffer).
 * Netty pools objects on its own threads only: a view taken elsewhere is a plain allocation.
 *
 * <p>The transports use {@link #memoryAddress()}; the byte accessors, which handlers in front of the socket
 * may use, go through the caller's buffer by absolute index, big-endian whatever the buffer's own order.
 * Writes fail with {@link java.nio.ReadOnlyBufferException} on a read-only buffer.
 *
 * <p>Like any pooled {@link ByteBuf}, the view must not be used once released. It tells its
 * {@link ReleaseObserver}, if any, how far it was read just before it goes back to the pool. Views are
 * tracked by Netty's leak detector at its ADVANCED and PARANOID levels
 * ({@link CallerMemoryByteBuf#trackLeaks}).
 */
final class CallerBufferView extends CallerMemoryByteBuf {

    /** Told, at the release of a view, how many of its bytes had been read. */
    interface ReleaseObserver {
        void released(int readerIndex, int capacity);
    }

    private static final Recycler<CallerBufferView> RECYCLER = new Recycler<>() {
        @Override
        protected CallerBufferView newObject(Handle<CallerBufferView> handle) {
            return new CallerBufferView(handle);
        }
    };

    private static final ResourceLeakDetector<CallerBufferView> LEAKS =
            ResourceLeakDetectorFactory.instance().newResourceLeakDetector(CallerBufferView.class);

    private final Recycler.Handle<CallerBufferView> handle;
    private ByteBuffer buffer;
    private int offset;
    private int length;
    /** The native address of index 0, or 0 where Netty cannot address native memory directly. */
    private long address;
    /** A duplicate of {@code buffer} for {@link #internalNioBuffer}, made on first use. */
    private ByteBuffer internal;
    /** A duplicate of {@code buffer} over its capacity, for {@link #memory}, made on first use. */
    private ByteBuffer whole;
    private ReleaseObserver observer;

    private CallerBufferView(Recycler.Handle<CallerBufferView> handle) {
        super(0);
        this.handle = handle;
    }

    /** Whether {@link #of} can view {@code buffer}: a direct one. */
    static boolean canView(ByteBuffer buffer) {
        return buffer.isDirect();
    }

    /**
     * A view of {@code buffer}'s remaining bytes, all readable, with a reference count of one.
     *
     * @param observer told at the release how far the view was read, or {@code null}
     */
    static CallerBufferView of(ByteBuffer buffer, ReleaseObserver observer) {
        return of(buffer, buffer.position(), buffer.limit(), observer);
    }

    /** A view of {@code buffer}'s bytes from {@code position} to {@code limit}, as {@link #of(ByteBuffer, ReleaseObserver)}. */
    static CallerBufferView of(ByteBuffer buffer, int position, int limit, ReleaseObserver observer) {
        CallerBufferView view = RECYCLER.get();
        view.init(buffer, position, limit, observer);
        return view;
    }

    private void init(ByteBuffer buffer, int position, int limit, ReleaseObserver observer) {
        this.buffer = buffer;
        this.offset = position;
        this.length = limit - position;
        this.address = PlatformDependent.hasUnsafe() ? PlatformDependent.directBufferAddress(buffer) + offset : 0;
        this.observer = observer;
        maxCapacity(length);
        setIndex(0, 0).markReaderIndex().markWriterIndex().writerIndex(length);
        resetRefCnt();
        trackLeaks(LEAKS, this);
    }

    @Override
    protected void deallocate() {
        untrackLeaks();
        if (observer != null) {
            observer.released(readerIndex(), length);
            observer = null;
        }
        buffer = null;
        internal = null;
        whole = null;
        handle.recycle(this); // from here on, another thread may reuse this view
    }

    /**
     * The caller's memory, for access by absolute index: a duplicate of the caller's buffer over its whole
     * capacity, made on first need (the transports use the address or {@link #internalNioBuffer} instead; handlers
     * in front of the socket and copies come here). Never the caller's buffer itself: its limit, which absolute
     * accesses check, is the caller's to move, and a caller that lowers it meanwhile (a broken contract) could do
     * so between any check of ours and the access's own. So the view covers what it covered when it was made, and
     * a transport's write or a handler's read does not fail on it. Several threads may make one at once; each is
     * as good, as none is ever repositioned.
     */
    private ByteBuffer memory() {
        ByteBuffer memory = whole;
        if (memory == null) {
            memory = CallerMemory.whole(buffer);
            whole = memory;
        }
        return memory;
    }

    /** The caller's bytes from {@code index}, as a new buffer the caller's memory backs. */
    private ByteBuffer region(int index, int count) {
        checkIndex(index, count);
        return memory().slice(offset + index, count);
    }

    @Override
    public int capacity() {
        return length;
    }

    @Override
    public boolean isDirect() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return buffer.isReadOnly();
    }

    @Override
    public boolean hasMemoryAddress() {
        return address != 0;
    }

    @Override
    public long memoryAddress() {
        ensureAccessible();
        if (address == 0) {
            throw new UnsupportedOperationException();
        }
        return address;
    }

    @Override
    public int nioBufferCount() {
        return 1;
    }

    @Override
    public ByteBuffer nioBuffer(int index, int length) {
        return region(index, length);
    }

    @Override
    public ByteBuffer[] nioBuffers(int index, int length) {
        return new ByteBuffer[] {region(index, length)};
    }

    @Override
    public ByteBuffer internalNioBuffer(int index, int length) {
        checkIndex(index, length);
        if (internal == null) {
            internal = CallerMemory.whole(buffer);
        }
        return internal.clear().position(offset + index).limit(offset + index + length);
    }

    @Override
    public ByteBuf copy(int index, int length) {
        checkIndex(index, length); // before the allocation: a copy refused must leave nothing to release
        return alloc().directBuffer(length, maxCapacity()).writeBytes(region(index, length));
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuf dst, int dstIndex, int length) {
        checkDstIndex(index, length, dstIndex, dst.capacity());
        dst.setBytes(dstIndex, region(index, length));
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, byte[] dst, int dstIndex, int length) {
        checkDstIndex(index, length, dstIndex, dst.length);
        memory().get(offset + index, dst, dstIndex, length);
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuffer dst) {
        dst.put(region(index, dst.remaining()));
        return this;
    }

    @Override
    public int getBytes(int index, GatheringByteChannel out, int length) throws IOException {
        return out.write(region(index, length));
    }

    @Override
    public int getBytes(int index, FileChannel out, long position, int length) throws IOException {
        return out.write(region(index, length), position);
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuf src, int srcIndex, int length) {
        checkSrcIndex(index, length, srcIndex, src.capacity());
        src.getBytes(srcIndex, region(index, length));
        return this;
    }

    @Override
    public ByteBuf setBytes(int index, byte[] src, int srcIndex, int length) {
        checkSrcIndex(index, length, srcIndex, src.length);
        memory().put(offset + index, src, srcIndex, length);
        return this;
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuffer src) {
        region(index, src.remaining()).put(src);
        return this;
    }

    @Override
    public int setBytes(int index, InputStream in, int length) throws IOException {
        checkIndex(index, length);
        byte[] bytes = new byte[length];
        int read = in.read(bytes);
        if (read > 0) {
            setBytes(index, bytes, 0, read);
        }
        return read;
    }

    @Override
    public int setBytes(int index, ScatteringByteChannel in, int length) throws IOException {
        try {
            return in.read(internalNioBuffer(index, length));
        } catch (ClosedChannelException e) {
            return -1;
        }
    }

    @Override
    public int setBytes(int index, FileChannel in, long position, int length) throws IOException {
        try {
            return in.read(internalNioBuffer(index, length), position);
        } catch (ClosedChannelException e) {
            return -1;
        }
    }

    @Override
    protected byte _getByte(int index) {
        return memory().get(offset + index);
    }

    // Single values, big-endian, a byte at a time: the transports never use these, handlers rarely.

    @Override
    protected void _setByte(int index, int value) {
        memory().put(offset + index, (byte) value);
    }

    @Override
    protected void _setShort(int index, int value) {
        _setByte(index, value >>> 8);
        _setByte(index + 1, value);
    }

    @Override
    protected void _setShortLE(int index, int value) {
        _setShort(index, Short.reverseBytes((short) value));
    }

    @Override
    protected void _setMedium(int index, int value) {
        _setByte(index, value >>> 16);
        _setShort(index + 1, value);
    }

    @Override
    protected void _setMediumLE(int index, int value) {
        _setMedium(index, Integer.reverseBytes(value) >>> 8);
    }

    @Override
    protected void _setInt(int index, int value) {
        _setShort(index, value >>> 16);
        _setShort(index + 2, value);
    }

    @Override
    protected void _setIntLE(int index, int value) {
        _setInt(index, Integer.reverseBytes(value));
    }

    @Override
    protected void _setLong(int index, long value) {
        _setInt(index, (int) (value >>> 32));
        _setInt(index + 4, (int) value);
    }

    @Override
    protected void _setLongLE(int index, long value) {
        _setLong(index, Long.reverseBytes(value));
    }
}
