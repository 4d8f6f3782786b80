package dev.asyncsocket.netty;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The peer's EOF (FIN) ends the receiving direction only. */
class EofTest {

    private final CallbackRecorder recorder = new CallbackRecorder();

    @EachTransport
    void everyByteBeforeThePeersEofIsDeliveredAndThenReceivesCompleteAbandoned(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            byte[] bytes = Bytes.random(300_000, 1);
            pair.peerWrite(bytes);
            pair.peerShutdownOutput();
            LoopbackPair.Drained drained = pair.receiveUntilNotOk(recorder, 4096);
            // Tests_SRS_ASYNC_SOCKET_WIN32_42_003
            assertEquals(ReceiveResult.ABANDONED, drained.last().result());
            assertEquals(0, drained.last().bytes());
            assertArrayEquals(bytes, drained.bytes(), "nothing lost before the EOF");
        }
    }

    @EachTransport
    void receivesPendingWhenTheEofArrivesCompleteAbandonedInOrder(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            for (int i = 0; i < 3; i++) {
                pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, recorder, i);
            }
            pair.peerShutdownOutput();
            for (int i = 0; i < 3; i++) {
                CallbackRecorder.Callback done = recorder.next();
                // Tests_SRS_ASYNC_SOCKET_WIN32_42_003
                assertEquals(ReceiveResult.ABANDONED, done.result());
                assertEquals(0, done.bytes());
                assertEquals(i, done.context());
            }
            assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, recorder, "late"));
            assertEquals(ReceiveResult.ABANDONED, recorder.next().result(), "a receive after the EOF is abandoned too");
        }
    }

    @EachTransport
    void sendsKeepWorkingAfterThePeersEof(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            pair.peerShutdownOutput();
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, recorder, null);
            assertEquals(ReceiveResult.ABANDONED, recorder.next().result());
            CallbackRecorder sends = new CallbackRecorder();
            byte[] bytes = Bytes.random(1000, 2);
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(bytes)}, sends, null));
            assertArrayEquals(bytes, pair.peerRead(bytes.length));
            assertEquals(SendResult.OK, sends.next().result());
        }
    }

    /**
     * On the pipeline owner's channel with half-closure off (Netty's default), Netty closes the channel on the
     * peer's EOF: the bytes before it are delivered, the receive after them completes ABANDONED, and the reason
     * read inside it is the peer's end of stream, as on the channels {@code connect} makes, not a close by the
     * owner or a handler; a send then meets a closed channel.
     */
    @EachTransport
    void onAnOwnersChannelWithoutHalfClosureThePeersEofEndsReceivesAsEndOfStream(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport);
             LoopbackPair.Connected own = pair.connectOwnChannel(false)) {
            assertEquals(0, pair.socket().openAsync(own.transport(), recorder, null));
            recorder.next();
            byte[] bytes = Bytes.random(100_000, 3);
            own.peer().getOutputStream().write(bytes);
            own.peer().shutdownOutput();

            LoopbackPair.Drained drained = pair.receiveUntilNotOk(recorder, 4096);
            assertArrayEquals(bytes, drained.bytes(), "nothing lost before the EOF");
            assertEquals(ReceiveResult.ABANDONED, drained.last().result());
            assertEquals(FailureKind.END_OF_STREAM, pair.socket().lastFailure().kind());
            assertEquals(SendSyncResult.NOT_OPEN,
                    pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, null));
        }
    }
}
