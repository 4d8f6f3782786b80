package dev.asyncsocket.netty;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The peer resets the connection (SO_LINGER 0, an RST on the wire). */
class ResetTest {

    private final CallbackRecorder recorder = new CallbackRecorder();

    @EachTransport
    void aPendingReceiveCompletesAbandonedWithZeroBytesWhenThePeerResets(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, recorder, null);
            pair.peerReset();
            // Tests_SRS_ASYNC_SOCKET_WIN32_42_001
            CallbackRecorder.Callback done = recorder.next();
            assertEquals(ReceiveResult.ABANDONED, done.result());
            assertEquals(0, done.bytes());
        }
    }

    @EachTransport
    void aSendAfterTheResetWasSeenReturnsNotOpenAndCallsNothing(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, recorder, null);
            pair.peerReset();
            assertEquals(ReceiveResult.ABANDONED, recorder.next().result());
            awaitChannelInactive(pair);
            CallbackRecorder sends = new CallbackRecorder();
            // Tests_SRS_ASYNC_SOCKET_WIN32_42_002
            assertEquals(SendSyncResult.NOT_OPEN,
                    pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, sends, null));
            pair.socket().close();
            assertEquals(0, sends.count());
        }
    }

    @EachTransport
    void bytesThatArrivedBeforeTheResetAreDeliveredBeforeAbandoned(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            byte[] bytes = Bytes.random(100, 1);
            pair.peerWrite(bytes);
            ByteBuffer first = ByteBuffer.allocate(10);
            pair.socket().receiveAsync(new ByteBuffer[] {first}, recorder, null);
            assertEquals(ReceiveResult.OK, recorder.next().result());
            pair.awaitEventLoopTurn();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(Bytes.written(first));
            pair.peerReset();
            // The surplus is served first; the receive after it reads and so learns of the reset.
            LoopbackPair.Drained drained = pair.receiveUntilNotOk(recorder, 7);
            all.write(drained.bytes());
            assertEquals(ReceiveResult.ABANDONED, drained.last().result());
            // The first read may have taken only part of the 100 bytes before the reset destroyed the rest.
            byte[] got = all.toByteArray();
            assertTrue(got.length >= 10);
            assertArrayEquals(java.util.Arrays.copyOf(bytes, got.length), got, "what arrived is delivered, in order");
        }
    }

    @EachTransport
    void aSendPartlyWrittenWhenThePeerResetsCompletesError(NettyTransport transport) throws Exception {
        byte[] big = Bytes.random(64 << 20, 2);
        ByteBuffer whole = Bytes.direct(big);
        resetWhileSendsOfSixtyFourMebibytesAreWritten(transport, () -> new ByteBuffer[] {whole.duplicate()}, big);
    }

    /**
     * Sends of sixteen buffers: the first send's bytes were under way when the reset came, and the second one
     * waited in the outbound buffer behind it.
     */
    @EachTransport
    void aSendOfManyBuffersCutByTheResetCompletesErrorAndTheOneBehindItNotOk(NettyTransport transport)
            throws Exception {
        byte[] sixteenth = Bytes.random(4 << 20, 2);
        ByteBuffer buffer = Bytes.direct(sixteenth);
        resetWhileSendsOfSixtyFourMebibytesAreWritten(transport, () -> {
            ByteBuffer[] payload = new ByteBuffer[16];
            java.util.Arrays.setAll(payload, i -> buffer.duplicate());
            return payload;
        }, sixteenth);
    }

    /** Two sends of {@code payload}, 64 MiB each (more than the socket buffers hold), whose bytes start with {@code first}. */
    private static void resetWhileSendsOfSixtyFourMebibytesAreWritten(NettyTransport transport,
                                                                     Supplier<ByteBuffer[]> payload, byte[] first)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            CallbackRecorder sends = new CallbackRecorder();
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(payload.get(), sends, 0));
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(payload.get(), sends, 1));
            assertArrayEquals(java.util.Arrays.copyOf(first, 1024), pair.peerRead(1024), "the write is under way");
            pair.peerReset();
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_102
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_067
            CallbackRecorder.Callback cut = sends.next();
            assertEquals(0, cut.context());
            assertEquals(SendResult.ERROR, cut.result());
            CallbackRecorder.Callback behind = sends.next();
            assertEquals(1, behind.context());
            assertTrue(behind.result() == SendResult.ERROR || behind.result() == SendResult.ABANDONED, behind.toString());
            awaitChannelInactive(pair);
            assertEquals(SendSyncResult.NOT_OPEN,
                    pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, sends, null));
        }
    }

    @EachTransport
    void receivesPostedAfterTheResetAreAcceptedAndAbandoned(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, recorder, null);
            pair.peerReset();
            assertEquals(ReceiveResult.ABANDONED, recorder.next().result());
            assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, recorder, null));
            assertEquals(ReceiveResult.ABANDONED, recorder.next().result());
            pair.socket().close();
            assertNotEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, recorder, null));
        }
    }

    /** The socket learns of a reset only by reading or writing; a receive or send is how the test asks. */
    private static void awaitChannelInactive(LoopbackPair pair) {
        assertTrue(pair.transport().channel().closeFuture().awaitUninterruptibly(10, TimeUnit.SECONDS),
                "the channel closed after the reset");
    }
}
