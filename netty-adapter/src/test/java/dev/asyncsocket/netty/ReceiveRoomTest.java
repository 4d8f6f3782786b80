package dev.asyncsocket.netty;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Receives whose buffers cannot take the bytes when their turn comes: no room left (the caller filled them
 * meanwhile), or memory that faults when written. Such a receive completes ERROR with 0 bytes, the bytes go
 * to the next receive, and the stream goes on: nothing is lost, no 0-byte read is mistaken for the end.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReceiveRoomTest {

    private final CallbackRecorder recorder = new CallbackRecorder();

    @EachTransport
    void aReceiveWhoseBufferAnEarlierReceiveFilledCompletesErrorAndTheBytesGoToTheNext(NettyTransport transport)
            throws Exception {
        for (boolean direct : new boolean[] {true, false}) {
            try (LoopbackPair pair = LoopbackPair.open(transport)) {
                ByteBuffer shared = direct ? ByteBuffer.allocateDirect(8) : ByteBuffer.allocate(8);
                assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {shared}, recorder, "first"));
                assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {shared}, recorder, "second"));
                byte[] fifteen = Bytes.random(15, 5);
                pair.peerWrite(Arrays.copyOf(fifteen, 8));
                List<CallbackRecorder.Callback> both = recorder.next(2);
                assertEquals(ReceiveResult.OK, both.get(0).result());
                assertEquals(8, both.get(0).bytes());
                assertEquals("second", both.get(1).context());
                assertEquals(ReceiveResult.ERROR, both.get(1).result(), "no room left when its turn came");
                assertEquals(0, both.get(1).bytes());

                pair.peerWrite(Arrays.copyOfRange(fifteen, 8, 15));
                assertArrayEquals(Arrays.copyOfRange(fifteen, 8, 15), pair.receiveExactly(recorder, 7, 16), "the stream goes on");
                assertTrue(pair.transport().channel().isActive(), "no 0-byte read was taken for the end");
            }
        }
    }

    /**
     * A fault while the bytes are copied into the caller's memory (as a truncated file's mapping gives, when
     * the copy runs where the JVM reports the fault at once): here the bytes' own copy faults, once.
     * The receive completes ERROR with 0 bytes, and the bytes go whole to the next receive.
     *
     * <p>Where the JVM reports such a fault later, from whatever code its thread runs next (compiled code
     * does), no library can contain it: see docs/found-bugs.md.
     */
    @Test
    void aReceiveWhoseCopyFaultsCompletesErrorAndTheBytesGoWholeToTheNext() throws Exception {
        try (ReceiveQueueFixture fixture = new ReceiveQueueFixture()) {
            ByteBuffer[] faulting = {ByteBuffer.allocate(4), ByteBuffer.allocate(4)};
            fixture.post(faulting, recorder);
            byte[] six = {1, 2, 3, 4, 5, 6};
            fixture.receives.onRead(new FaultingOnce(six));
            CallbackRecorder.Callback faulted = recorder.next();
            assertEquals(ReceiveResult.ERROR, faulted.result());
            assertEquals(0, faulted.bytes());
            for (ByteBuffer buffer : faulting) {
                assertEquals(0, buffer.position());
                assertEquals(4, buffer.limit(), "the caller's limit, as it was");
            }

            ByteBuffer next = ByteBuffer.allocate(8);
            fixture.post(new ByteBuffer[] {next}, recorder);
            fixture.receives.serve();
            assertEquals(6, recorder.next().bytes());
            assertArrayEquals(six, Bytes.written(next));
            assertEquals(0, fixture.outstanding.count());
        }
    }

    /** Bytes whose first copy out faults as caller memory can, with the JVM's {@link InternalError}. */
    private static final class FaultingOnce extends UnpooledHeapByteBuf {
        private boolean faulted;

        FaultingOnce(byte[] bytes) {
            super(UnpooledByteBufAllocator.DEFAULT, bytes, bytes.length);
        }

        @Override
        public ByteBuf getBytes(int index, ByteBuffer dst) {
            if (!faulted) {
                faulted = true;
                throw new InternalError("a fault occurred in an unsafe memory access operation (a test fault)");
            }
            return super.getBytes(index, dst);
        }
    }
}
