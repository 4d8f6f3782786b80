package dev.asyncsocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;

/**
 * One write of a send: a read-only {@link ByteBuf} over a run of the buffers of a {@link PayloadSnapshot}, their
 * bytes one after the other. It holds no object per buffer: the transports' {@link #nioBuffers} views are
 * made when a transport asks, for the attempt at hand (Netty's NIO outbound buffer keeps them only while the
 * write is its current entry; epoll and io_uring ask again on each attempt), so a send of many buffers costs,
 * for its whole life, the snapshot and one of these per {@link SendOperation#MAX_BUFFERS_PER_WRITE} buffers.
 *
 * <p>Direct only if every buffer of the run is: Netty copies anything else into a direct buffer before it
 * writes it, through the getters here. The getters (and so handlers in front of the socket: TLS, logging,
 * codecs) read across buffer boundaries; every setter throws {@link ReadOnlyBufferException}. Its indexes
 * outlive its release, so that a failed write can tell how far it got; the release lets go of the snapshot.
 * Tracked by Netty's leak detector at its ADVANCED and PARANOID levels ({@link #trackLeaks}). Its indexes are
 * not thread-safe, like any {@link ByteBuf}'s: it belongs to the channel once written; but several threads may
 * read its bytes at once (through duplicates), as Netty's own buffers allow.
 */
final class GatheredBuffers extends CallerMemoryByteBuf {

    private static final ResourceLeakDetector<GatheredBuffers> LEAKS =
            ResourceLeakDetectorFactory.instance().newResourceLeakDetector(GatheredBuffers.class);
    private static final ByteBuffer[] NO_BUFFERS = {ByteBuffer.allocateDirect(0)};

    /** The send's snapshot; {@code null} once released. */
    private PayloadSnapshot payload;
    /** The run: buffers {@code first} to {@code first + count - 1} of the snapshot. */
    private final int first;
    private final int count;
    private final int length;
    private final boolean direct;
    /**
     * The buffer of the run (from 0) that the last access reached, in the high 32 bits, and the index of its
     * first byte, in the low 32: one field, so that threads reading at once (through duplicates, as Netty's
     * buffers allow) never pair one's buffer with another's index. Written only when it moves.
     */
    private volatile long cursor;

    /** A buffer over buffers {@code first} (inclusive) to {@code end} (exclusive) of {@code payload}, all readable. */
    GatheredBuffers(PayloadSnapshot payload, int first, int end, int length) {
        super(length);
        this.payload = payload;
        this.first = first;
        this.count = end - first;
        this.length = length;
        boolean allDirect = true;
        for (int i = first; i < end && allDirect; i++) {
            allDirect = payload.isDirect(i);
        }
        this.direct = allDirect;
        writerIndex(length);
        trackLeaks(LEAKS, this);
    }

    @Override
    protected void deallocate() {
        untrackLeaks();
        payload = null;
    }

    @Override
    public int capacity() {
        return length;
    }

    @Override
    public boolean isDirect() {
        return direct;
    }

    @Override
    public boolean isReadOnly() {
        return true;
    }

    @Override
    public boolean hasMemoryAddress() {
        return false;
    }

    @Override
    public long memoryAddress() {
        throw new UnsupportedOperationException("several buffers: no single address");
    }

    @Override
    public int nioBufferCount() {
        return count;
    }

    @Override
    public ByteBuffer[] nioBuffers(int index, int length) {
        checkIndex(index, length);
        if (length == 0) {
            return NO_BUFFERS.clone();
        }
        int last = bufferOf(seek(index + length - 1));
        long start = seek(index);
        int at = byteOf(start);
        ByteBuffer[] regions = new ByteBuffer[last - bufferOf(start) + 1];
        for (int r = 0, i = first + bufferOf(start), left = length; r < regions.length; r++, i++, at = 0) {
            int bytes = Math.min(payload.bytes(i) - at, left);
            regions[r] = payload.region(i, at, bytes);
            left -= bytes;
        }
        return regions;
    }

    @Override
    public ByteBuffer nioBuffer(int index, int length) {
        ByteBuffer[] regions = nioBuffers(index, length);
        if (regions.length == 1) {
            return regions[0];
        }
        // On the heap, as CompositeByteBuf merges: a direct allocation may wait for the GC to free direct memory,
        // and this runs on the event loop.
        ByteBuffer merged = ByteBuffer.allocate(length);
        for (ByteBuffer region : regions) {
            merged.put(region);
        }
        return merged.flip();
    }

    @Override
    public ByteBuffer internalNioBuffer(int index, int length) {
        return nioBuffer(index, length);
    }

    /**
     * Moves the cursor to the buffer of the run that holds byte {@code index}; returns that buffer (from 0) in
     * the high 32 bits and where in it the byte is in the low 32 (see {@link #bufferOf}, {@link #byteOf}).
     */
    private long seek(int index) {
        long reached = cursor;
        int buffer = bufferOf(reached);
        int start = byteOf(reached);
        while (index < start) {
            buffer--;
            start -= payload.bytes(first + buffer);
        }
        int bytes;
        while (index >= start + (bytes = payload.bytes(first + buffer))) {
            start += bytes;
            buffer++;
        }
        long now = (long) buffer << 32 | start;
        if (now != reached) {
            cursor = now;
        }
        return (long) buffer << 32 | (index - start);
    }

    private static int bufferOf(long place) {
        return (int) (place >>> 32);
    }

    private static int byteOf(long place) {
        return (int) place;
    }

    @Override
    protected byte _getByte(int index) {
        long place = seek(index);
        return payload.get(first + bufferOf(place), byteOf(place));
    }

    @Override
    public ByteBuf copy(int index, int length) {
        checkIndex(index, length); // before the allocation: a copy refused must leave nothing to release
        ByteBuf copy = direct ? alloc().directBuffer(length) : alloc().heapBuffer(length);
        for (ByteBuffer region : nioBuffers(index, length)) {
            copy.writeBytes(region);
        }
        return copy;
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuf dst, int dstIndex, int length) {
        checkDstIndex(index, length, dstIndex, dst.capacity());
        for (ByteBuffer region : nioBuffers(index, length)) {
            int bytes = region.remaining();
            dst.setBytes(dstIndex, region);
            dstIndex += bytes;
        }
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, byte[] dst, int dstIndex, int length) {
        checkDstIndex(index, length, dstIndex, dst.length);
        for (ByteBuffer region : nioBuffers(index, length)) {
            int bytes = region.remaining();
            region.get(dst, dstIndex, bytes);
            dstIndex += bytes;
        }
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuffer dst) {
        for (ByteBuffer region : nioBuffers(index, dst.remaining())) {
            dst.put(region);
        }
        return this;
    }

    @Override
    public int getBytes(int index, GatheringByteChannel out, int length) throws IOException {
        return length == 0 ? 0 : (int) out.write(nioBuffers(index, length));
    }

    @Override
    public int getBytes(int index, FileChannel out, long position, int length) throws IOException {
        int written = 0;
        for (ByteBuffer region : nioBuffers(index, length)) {
            written += out.write(region, position + written);
            if (region.hasRemaining()) {
                break;
            }
        }
        return written;
    }

    // Read-only: the caller lent these bytes to be sent.

    @Override
    public ByteBuf setBytes(int index, ByteBuf src, int srcIndex, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf setBytes(int index, byte[] src, int srcIndex, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuffer src) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, InputStream in, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, ScatteringByteChannel in, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, FileChannel in, long position, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setByte(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setShort(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setShortLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setMedium(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setMediumLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setInt(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setIntLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setLong(int index, long value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setLongLE(int index, long value) {
        throw new ReadOnlyBufferException();
    }
}
