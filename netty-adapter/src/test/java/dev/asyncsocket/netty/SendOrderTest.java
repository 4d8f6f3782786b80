package dev.asyncsocket.netty;

import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Send callbacks fire in the order the sends were accepted, failures included: a later write that fails on
 * the spot waits for the earlier ones still being written.
 */
class SendOrderTest {

    /** The first byte of a write that the handler in front refuses on the spot. */
    static final byte REFUSED = (byte) 0xEE;
    private static final int LARGE = 32 * 1024 * 1024;

    private final CallbackRecorder recorder = new CallbackRecorder();

    @EachTransport
    void aSendRefusedAtOnceCompletesAfterAnEarlierSendStillBeingWritten(NettyTransport transport) throws Exception {
        largeThenRefused(transport, pair ->
                assertEquals(SendSyncResult.OK, pair.socket().sendAsync(refused(), recorder, "refused")));
    }

    @EachTransport
    void aSendRefusedAtOnceInsideACallbackCompletesAfterAnEarlierSendStillBeingWritten(NettyTransport transport)
            throws Exception {
        largeThenRefused(transport, pair -> {
            // Started on the event loop from a receive's callback while the large send is still queued in Netty.
            CompletableFuture<SendSyncResult> fromCallback = new CompletableFuture<>();
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result, bytes) ->
                    fromCallback.complete(pair.socket().sendAsync(refused(), recorder, "refused")), null);
            pair.peerWrite(new byte[] {1});
            assertEquals(SendSyncResult.OK, fromCallback.get(10, TimeUnit.SECONDS));
        });
    }

    /** A large send the peer does not read yet, then {@code refuse} issues a send the handler refuses at once. */
    private void largeThenRefused(NettyTransport transport, PairAction refuse) throws Exception {
        try (LoopbackPair pair = openBehindARefusingHandler(transport)) {
            byte[] large = Bytes.random(LARGE, 3);
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {Bytes.direct(large)}, recorder, "large"));
            refuse.run(pair);
            assertArrayEquals(large, pair.peerRead(LARGE));
            assertOrder(recorder.next(2));
        }
    }

    private interface PairAction {
        void run(LoopbackPair pair) throws Exception;
    }

    /**
     * A payload of more buffers than one write gathers leaves as two writes; when the last fails at once, the
     * send still waits for the first, which Netty is still reading from the caller's buffers.
     */
    @EachTransport
    void anOversizeSendWhoseLastPartIsRefusedAtOnceCompletesOnlyOnceItsFirstPartWasWritten(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = openBehindARefusingHandler(transport)) {
            int buffers = SendOperation.MAX_BUFFERS_PER_WRITE;
            byte[] large = Bytes.random(LARGE, 5);
            ByteBuffer whole = Bytes.direct(large);
            ByteBuffer[] payload = new ByteBuffer[buffers + 1];
            int slice = LARGE / buffers;
            for (int i = 0; i < buffers; i++) {
                payload[i] = whole.slice(i * slice, slice);
            }
            payload[buffers] = ByteBuffer.wrap(new byte[] {REFUSED});
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(payload, recorder, "oversize"));
            pair.awaitEventLoopTurn();
            assertEquals(0, recorder.count(), "completed while its first part was still being written");

            assertArrayEquals(large, pair.peerRead(LARGE));
            CallbackRecorder.Callback done = recorder.next();
            assertEquals(SendResult.ERROR, done.result(), "part of it went out, the rest was refused");
        }
    }

    /** An oversize send whose first part a handler refuses is no OK, though its own last write went out. */
    @EachTransport
    void anOversizeSendWhoseFirstPartIsRefusedCompletesError(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = openBehindARefusingHandler(transport)) {
            ByteBuffer[] payload = new ByteBuffer[SendOperation.MAX_BUFFERS_PER_WRITE + 1];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = ByteBuffer.wrap(new byte[] {i == 0 ? REFUSED : 1});
            }
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(payload, recorder, "oversize"));
            assertEquals(SendResult.ERROR, recorder.next().result());
            assertArrayEquals(new byte[] {1}, pair.peerRead(1), "the last part went out alone");
        }
    }

    private static void assertOrder(List<CallbackRecorder.Callback> done) {
        assertEquals("large", done.get(0).context(), "callbacks in the order the sends were accepted");
        assertEquals(SendResult.OK, done.get(0).result());
        assertEquals("refused", done.get(1).context());
        assertEquals(SendResult.ERROR, done.get(1).result());
    }

    private static ByteBuffer[] refused() {
        return new ByteBuffer[] {ByteBuffer.wrap(new byte[] {REFUSED})};
    }

    /** An open pair whose pipeline fails, at once, every write whose first byte is {@link #REFUSED}. */
    static LoopbackPair openBehindARefusingHandler(NettyTransport transport) throws Exception {
        LoopbackPair pair = LoopbackPair.connected(transport);
        pair.transport().channel().pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ByteBuf bytes = (ByteBuf) msg;
                if (bytes.isReadable() && bytes.getByte(bytes.readerIndex()) == REFUSED) {
                    bytes.release();
                    promise.setFailure(new IOException("refused by a handler in front (a test failure)"));
                } else {
                    ctx.write(msg, promise);
                }
            }
        });
        CallbackRecorder opened = new CallbackRecorder();
        assertEquals(0, pair.socket().openAsync(pair.transport(), opened, null));
        opened.next();
        return pair;
    }
}
