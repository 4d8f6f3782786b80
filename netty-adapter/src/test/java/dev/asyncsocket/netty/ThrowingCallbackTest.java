package dev.asyncsocket.netty;

import dev.asyncsocket.OnReceiveComplete;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Callbacks that throw, down to a {@link VirtualMachineError}: the throwable is logged, and the socket's
 * bookkeeping (the open's handler, the next operation's completion, the bytes meant for the next receive,
 * close's count of what is outstanding) is kept whatever it was.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ThrowingCallbackTest {

    private final CallbackRecorder recorder = new CallbackRecorder();

    @EachTransport
    void anOpenCallbackThatThrowsAVirtualMachineErrorStillLeavesAWorkingSocket(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            assertEquals(0, pair.socket().openAsync(pair.transport(), (ctx, result) -> {
                throw new OutOfMemoryError("thrown by a test's open callback");
            }, null));
            assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(4)}, recorder, null));
            pair.peerWrite(new byte[] {1, 2, 3, 4});
            assertEquals(ReceiveResult.OK, recorder.next().result(), "the handler was plugged in all the same");
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {5})}, recorder, null));
            assertEquals(SendResult.OK, recorder.next().result());
            assertArrayEquals(new byte[] {5}, pair.peerRead(1));
            pair.closeSocketWithin();
        }
    }

    @EachTransport
    void aSendCallbackThatThrowsAVirtualMachineErrorLeavesTheNextSendAndTheCloseIntact(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1})},
                    (ctx, result) -> {
                        throw new StackOverflowError("thrown by a test's send callback");
                    }, null));
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {2})}, recorder, null));
            assertEquals(SendResult.OK, recorder.next().result());
            assertArrayEquals(new byte[] {1, 2}, pair.peerRead(2));
            pair.closeSocketWithin();
        }
    }

    @EachTransport
    void aReceiveCallbackThatThrowsAVirtualMachineErrorLosesNoByteOfTheNextReceive(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            ByteBuffer first = ByteBuffer.allocate(4);
            AtomicInteger firstGot = new AtomicInteger(-1);
            OnReceiveComplete<Object> throwing = (ctx, result, bytes) -> {
                firstGot.set(bytes);
                throw new OutOfMemoryError("thrown by a test's receive callback");
            };
            assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {first}, throwing, null));
            byte[] sixteen = Bytes.random(16, 9);
            pair.peerWrite(sixteen);
            byte[] second = pair.receiveExactly(recorder, 1, 1); // completes after the first, in order
            int n = firstGot.get();
            byte[] rest = pair.receiveExactly(recorder, 16 - n - 1, 16);
            byte[] all = new byte[16];
            System.arraycopy(first.array(), 0, all, 0, n);
            all[n] = second[0];
            System.arraycopy(rest, 0, all, n + 1, rest.length);
            assertArrayEquals(sixteen, all, "nothing lost, nothing repeated");
            pair.closeSocketWithin();
        }
    }
}
