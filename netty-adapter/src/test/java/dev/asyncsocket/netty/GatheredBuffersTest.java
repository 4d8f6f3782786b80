package dev.asyncsocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.IllegalReferenceCountException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The read-only buffer that carries one write of a send of several buffers, read through the send's snapshot. */
@Timeout(10)
class GatheredBuffersTest {

    private static final byte[] BYTES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

    /** BYTES over three caller buffers, each with bytes before its position and after its limit. */
    private static ByteBuffer[] threeBuffers(boolean allDirect) {
        return new ByteBuffer[] {
            padded(new byte[] {1, 2, 3}, true), padded(new byte[] {4, 5, 6, 7}, allDirect), padded(new byte[] {8, 9, 10}, true)};
    }

    private static ByteBuffer padded(byte[] bytes, boolean direct) {
        ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(bytes.length + 4) : ByteBuffer.allocate(bytes.length + 4);
        buffer.put(0, (byte) -1).put(1, (byte) -1).put(2, bytes).put(2 + bytes.length, (byte) -1);
        return buffer.position(2).limit(2 + bytes.length);
    }

    private static GatheredBuffers over(ByteBuffer[] payload) {
        PayloadSnapshot snapshot = PayloadSnapshot.of(payload);
        return new GatheredBuffers(snapshot, 0, snapshot.count(), BYTES.length);
    }

    @Test
    void itsBytesAreTheBuffersRemainingBytesOneAfterTheOtherAndNoBufferMoves() {
        ByteBuffer[] payload = threeBuffers(true);
        ByteBuf gathered = over(payload);
        try {
            byte[] read = new byte[BYTES.length];
            gathered.getBytes(0, read);
            assertArrayEquals(BYTES, read);
            assertEquals(0x03040506, gathered.getInt(2), "a value across a buffer boundary, big-endian");
            assertEquals(8, gathered.getByte(7));
            assertEquals(2, gathered.getByte(1), "backwards after a later byte");
            for (ByteBuffer buffer : payload) {
                assertEquals(2, buffer.position());
            }
        } finally {
            gathered.release();
        }
    }

    @Test
    void itGivesTheTransportOneViewPerBufferOfTheRangeAsked() {
        ByteBuf gathered = over(threeBuffers(true));
        try {
            assertEquals(3, gathered.nioBufferCount());
            ByteBuffer[] regions = gathered.nioBuffers(2, 6);
            assertEquals(3, regions.length);
            assertEquals(1, regions[0].remaining());
            assertEquals(4, regions[1].remaining());
            assertEquals(1, regions[2].remaining());
            assertEquals(3, regions[0].get(0));
            assertEquals(8, regions[2].get(0));
            assertEquals(1, gathered.nioBuffers(4, 2).length, "a range inside one buffer");
        } finally {
            gathered.release();
        }
    }

    @Test
    void itCopiesIntoBuffersArraysAndStreamsAcrossBufferBoundaries() throws Exception {
        ByteBuf gathered = over(threeBuffers(false));
        try {
            ByteBuf copy = gathered.copy(1, 8);
            assertEquals(Unpooled.wrappedBuffer(BYTES, 1, 8), copy);
            copy.release();
            ByteBuffer into = ByteBuffer.allocate(BYTES.length);
            gathered.getBytes(0, into);
            assertArrayEquals(BYTES, into.array());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            gathered.getBytes(0, out, BYTES.length);
            assertArrayEquals(BYTES, out.toByteArray());
            assertEquals(ByteBuffer.wrap(BYTES, 2, 7), gathered.nioBuffer(2, 7), "one merged buffer on request");
        } finally {
            gathered.release();
        }
    }

    @Test
    void aCopyOutsideItsBytesOrAfterItsReleaseThrowsAndAllocatesNothing() {
        ByteBuf gathered = over(threeBuffers(true));
        long before = UnpooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        assertThrows(IndexOutOfBoundsException.class, () -> gathered.copy(4, BYTES.length));
        gathered.release();
        assertThrows(IllegalReferenceCountException.class, () -> gathered.copy(0, 4));
        assertEquals(before, UnpooledByteBufAllocator.DEFAULT.metric().usedDirectMemory(), "no copy left unreleased");
    }

    @Test
    void threadsReadingItsBytesAtOnceThroughDuplicatesEachReadTheRightBytes() throws Exception {
        // As Netty's own buffers allow: a handler in front may pass a retained duplicate to another thread (a
        // capture to a file, say) while the transport reads the write.
        byte[] bytes = new byte[64 * 16];
        ByteBuffer[] payload = new ByteBuffer[64];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + i / 16);
        }
        for (int i = 0; i < payload.length; i++) {
            payload[i] = ByteBuffer.wrap(bytes, i * 16, 16);
        }
        PayloadSnapshot snapshot = PayloadSnapshot.of(payload);
        ByteBuf gathered = new GatheredBuffers(snapshot, 0, snapshot.count(), bytes.length);
        try {
            Callable<Integer> ascending = () -> readEveryByte(gathered.retainedDuplicate(), bytes, false);
            Callable<Integer> descending = () -> readEveryByte(gathered.retainedDuplicate(), bytes, true);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                Future<Integer> up = threads.submit(ascending);
                Future<Integer> down = threads.submit(descending);
                assertEquals(0, up.get(), "bytes read wrong going up");
                assertEquals(0, down.get(), "bytes read wrong going down");
            } finally {
                threads.shutdownNow();
            }
        } finally {
            gathered.release();
        }
    }

    /** Reads every byte of {@code view} many times, in one direction; returns how many were wrong or failed. */
    private static int readEveryByte(ByteBuf view, byte[] expected, boolean descending) {
        int wrong = 0;
        try {
            for (int round = 0; round < 2_000; round++) {
                for (int i = 0; i < expected.length; i++) {
                    int index = descending ? expected.length - 1 - i : i;
                    try {
                        wrong += view.getByte(index) == expected[index] ? 0 : 1;
                    } catch (RuntimeException e) {
                        wrong++;
                    }
                }
            }
        } finally {
            view.release();
        }
        return wrong;
    }

    @Test
    void itIsDirectOnlyIfEveryBufferIs() {
        ByteBuf direct = over(threeBuffers(true));
        ByteBuf mixed = over(threeBuffers(false));
        try {
            assertTrue(direct.isDirect());
            assertFalse(mixed.isDirect(), "Netty copies it into a direct buffer before writing it");
            assertFalse(direct.hasMemoryAddress());
        } finally {
            direct.release();
            mixed.release();
        }
    }

    @Test
    void everyWriteIsRefused() {
        ByteBuf gathered = over(threeBuffers(true));
        try {
            assertTrue(gathered.isReadOnly());
            assertThrows(ReadOnlyBufferException.class, () -> gathered.setByte(0, 9));
            assertThrows(ReadOnlyBufferException.class, () -> gathered.setInt(2, 9));
            assertThrows(ReadOnlyBufferException.class, () -> gathered.setBytes(0, new byte[3]));
            assertThrows(ReadOnlyBufferException.class, () -> gathered.setBytes(0, ByteBuffer.allocate(3)));
        } finally {
            gathered.release();
        }
    }

    @Test
    void aCallerLoweringALimitAfterTheSnapshotChangesNothingThatIsRead() {
        ByteBuffer[] payload = threeBuffers(true);
        ByteBuf gathered = over(payload);
        try {
            payload[1].limit(2);
            payload[0] = null; // the caller's array, not the snapshot
            byte[] read = new byte[BYTES.length];
            gathered.getBytes(0, read);
            assertArrayEquals(BYTES, read);
            assertEquals(4, gathered.nioBuffers(3, 4)[0].remaining());
            assertEquals(2, payload[1].limit());
        } finally {
            gathered.release();
        }
    }

    /**
     * A caller that breaks the contract by moving a lent heap buffer's limit and position while the transport
     * copies it (as Netty's transports copy heap bytes into a direct buffer, and leak that copy if the read
     * throws): every copy still reads the bytes lent. A duplicate of the caller's buffer, which reads its
     * position and limit one after the other, threw when the two crossed in between.
     */
    @Test
    void copiesOfHeapBuffersWhoseLimitAndPositionTheCallerMovesMeanwhileReadTheBytesLent() throws Exception {
        ByteBuffer[] payload = threeBuffers(false);
        ByteBuf gathered = over(payload);
        ByteBuffer moved = payload[1];
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            moved.limit(3); // below the bytes lent: the copies read past the limit
            AtomicBoolean copying = new AtomicBoolean(true);
            Future<?> moving = caller.submit(() -> {
                for (int i = 0; copying.get(); i++) {
                    // Each state consistent, but a position read in one and a limit read in the next cross.
                    if ((i & 1) == 0) {
                        moved.limit(7).position(7);
                    } else {
                        moved.limit(3).position(0);
                    }
                }
            });
            byte[] read = new byte[BYTES.length];
            for (int copy = 0; copy < 200_000; copy++) {
                gathered.getBytes(0, read);
                assertArrayEquals(BYTES, read, "copy " + copy);
            }
            copying.set(false);
            moving.get();
        } finally {
            caller.shutdownNow();
            gathered.release();
        }
    }

    @Test
    void itKeepsItsIndexesAfterItsRelease() {
        ByteBuf gathered = over(threeBuffers(true));
        gathered.readerIndex(4);
        assertTrue(gathered.release());
        assertEquals(4, gathered.readerIndex(), "how far a failed write got");
    }

    @Test
    void aBadPayloadMakesNoSnapshot() {
        assertNull(PayloadSnapshot.of(new ByteBuffer[] {ByteBuffer.allocate(1), null}));
        assertNull(PayloadSnapshot.of(new ByteBuffer[] {ByteBuffer.allocate(1), ByteBuffer.allocate(0)}));
        assertNull(PayloadSnapshot.of(new ByteBuffer[0]));
    }
}
