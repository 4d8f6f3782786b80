package dev.asyncsocket.netty;

import dev.asyncsocket.OnReceiveComplete;
import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.SocketState;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.Latches;
import dev.asyncsocket.netty.testing.LoopbackPair;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.channel.socket.DuplexChannel;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link NettyAsyncSocket#lastFailure()}: why an operation completed ERROR or ABANDONED, read inside the
 * callback that reports it (each callback here records what it read there) and any time after.
 */
class FailureCauseTest {

    /** A result, and the socket's last failure as its callback read it. */
    private record Seen(Enum<?> result, SocketFailure failure) {
    }

    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();

    @EachTransport
    void aPeerResetIsReadInsideTheAbandonedCallbackAsConnectionLostWithItsIOException(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            receive(pair.socket());
            pair.peerReset();
            SocketFailure why = next(ReceiveResult.ABANDONED);
            assertEquals(FailureKind.CONNECTION_LOST, why.kind());
            assertInstanceOf(IOException.class, why.cause());
        }
    }

    @EachTransport
    void thePeersEofIsReadInsideTheAbandonedCallbackAsEndOfStreamAfterAnOkThatHadNoFailure(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            receive(pair.socket());
            pair.peerWrite(new byte[] {1});
            assertNull(next(ReceiveResult.OK), "no failure yet");

            receive(pair.socket());
            pair.peerShutdownOutput();
            assertEquals(new SocketFailure(FailureKind.END_OF_STREAM, null), next(ReceiveResult.ABANDONED));
        }
    }

    @EachTransport
    void aLocalCloseIsReadInsideTheAbandonedCallbackAsClosedLocallyAndStillAfterTheCloseReturned(
            NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            receive(pair.socket());
            pair.socket().close();
            assertEquals(FailureKind.CLOSED_LOCALLY, next(ReceiveResult.ABANDONED).kind());
            assertEquals(SocketState.CLOSED, pair.socket().state());
            assertEquals(FailureKind.CLOSED_LOCALLY, pair.socket().lastFailure().kind(), "kept after the close");
        }
    }

    @EachTransport
    void aNewOpenClearsTheLastFailure(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport); LoopbackPair.Connected fresh = pair.connectAgain()) {
            receive(pair.socket());
            pair.socket().close();
            next(ReceiveResult.ABANDONED);

            CallbackRecorder opened = new CallbackRecorder();
            assertEquals(0, pair.socket().openAsync(fresh.transport(), opened, null));
            opened.next();
            assertNull(pair.socket().lastFailure());
            pair.socket().close();
        }
    }

    /** The engine's sweep ends a receive on a channel no loop closes any more (it was deregistered first). */
    @EachTransport
    void theEngineShuttingDownUnderAnOpenSocketIsReadAsEngineShutDownWhenItsSweepEndsAReceive(
            NettyTransport transport) throws Exception {
        engineShutdownIsReadAsEngineShutDown(transport, true);
    }

    /** The loop closes its channels as it shuts down: the receive ends with the channel. */
    @EachTransport
    void theEngineShuttingDownUnderAnOpenSocketIsReadAsEngineShutDownWhenItClosesTheChannel(
            NettyTransport transport) throws Exception {
        engineShutdownIsReadAsEngineShutDown(transport, false);
    }

    private void engineShutdownIsReadAsEngineShutDown(NettyTransport transport, boolean deregisterFirst)
            throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        engine.incRef(); // the test's own, for after the pair released one
        try (LoopbackPair pair = LoopbackPair.open(engine)) {
            receive(pair.socket());
            if (deregisterFirst) {
                assertTrue(pair.transport().channel().deregister().await(10, TimeUnit.SECONDS));
            }
            engine.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS);
            assertEquals(FailureKind.ENGINE_SHUT_DOWN, next(ReceiveResult.ABANDONED).kind());
        } finally {
            engine.decRef();
        }
    }

    @EachTransport
    void aHandlerInFrontThatFailsIsReadInsideTheErrorCallbackAsPipelineErrorWithItsException(NettyTransport transport)
            throws Exception {
        RuntimeException decodeFailure = new IllegalArgumentException("cannot decode (a test failure)");
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            pair.transport().channel().pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ((ByteBuf) msg).release();
                    ctx.fireExceptionCaught(decodeFailure);
                }
            });
            CallbackRecorder opened = new CallbackRecorder();
            assertEquals(0, pair.socket().openAsync(pair.transport(), opened, null));
            opened.next();
            receive(pair.socket());
            pair.peerWrite(new byte[] {1});
            assertEquals(new SocketFailure(FailureKind.PIPELINE_ERROR, decodeFailure), next(ReceiveResult.ERROR));
        }
    }

    @EachTransport
    void aSendRefusedByAHandlerInFrontIsReadInsideTheErrorCallbackAsWriteFailedWithTheHandlersException(
            NettyTransport transport) throws Exception {
        try (LoopbackPair pair = SendOrderTest.openBehindARefusingHandler(transport)) {
            OnSendComplete<Object> callback = (ctx, result) -> record(result, pair.socket());
            ByteBuffer[] refused = {ByteBuffer.wrap(new byte[] {SendOrderTest.REFUSED})};
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(refused, callback, null));
            SocketFailure why = next(SendResult.ERROR);
            assertEquals(FailureKind.WRITE_FAILED, why.kind());
            assertTrue(why.cause().getMessage().contains("refused by a handler in front"), why.cause().toString());
        }
    }

    @EachTransport
    void sendsThatMeetThePeersCloseAfterItsEofAreReadAsConnectionLostAsAClientReconnectsAfter(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            // The server ends the connection (as Redis' CLIENT KILL does): an EOF, then resets for what comes after.
            receive(pair.socket());
            pair.peer().close();
            assertEquals(FailureKind.END_OF_STREAM, next(ReceiveResult.ABANDONED).kind());
            OnSendComplete<Object> callback = (ctx, result) -> record(result, pair.socket());
            int accepted = 0;
            for (int i = 0; i < 64; i++) { // 4 MiB in one burst: writes are under way when the reset arrives
                if (pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocateDirect(64 * 1024)}, callback, null)
                        == SendSyncResult.OK) {
                    accepted++;
                }
            }
            List<Seen> failed = new ArrayList<>();
            for (int i = 0; i < accepted; i++) {
                Seen done = seen.poll(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                assertNotNull(done, "no callback within " + CallbackRecorder.TIMEOUT_SECONDS + " s");
                if (done.result() != SendResult.OK) {
                    failed.add(done);
                }
            }
            assertFalse(failed.isEmpty(), accepted + " sends of 64 KiB all OK to a peer that closed");
            for (Seen done : failed) {
                assertEquals(FailureKind.CONNECTION_LOST, done.failure().kind(), done.toString());
                assertInstanceOf(IOException.class, done.failure().cause(), done.toString());
            }
        }
    }

    /**
     * The pipeline's owner shuts the channel's output down while a send too big for the socket buffers and
     * one behind it wait to be written: both end ERROR, for that reason. The channel stays open: the peer
     * reads what went out, then EOF, and a receive still gets the peer's bytes.
     */
    @EachTransport
    void sendsTheOwnersOutputShutdownFoundUnwrittenAreReadAsOutputShutDownInsideTheirErrorCallbacks(
            NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            OnSendComplete<Object> callback = (ctx, result) -> record(result, pair.socket());
            int big = 32 * 1024 * 1024;
            assertEquals(SendSyncResult.OK,
                    pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocateDirect(big)}, callback, null));
            assertEquals(SendSyncResult.OK,
                    pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocateDirect(1024)}, callback, null));
            shutdownOutput(pair);
            SocketFailure cut = next(SendResult.ERROR);
            assertEquals(FailureKind.OUTPUT_SHUT_DOWN, cut.kind());
            assertInstanceOf(ChannelOutputShutdownException.class, cut.cause(), "Netty's exception is the cause");
            // The one behind it was failed with the first, or written after the shutdown and refused.
            assertEquals(FailureKind.OUTPUT_SHUT_DOWN, next(SendResult.ERROR).kind());
            assertTrue(pair.peerReadToEof() < big, "the peer read all of a send that completed ERROR");
            receivesStillWork(pair);
        }
    }

    /**
     * Small sends copied into one batch wait behind a send too big for the socket buffers when the owner shuts
     * the output down: the batch's write fails as a whole, and each of its sends ends ERROR for that reason,
     * once, in the order sent, as the big one does.
     */
    @EachTransport
    void copiedSmallSendsTheOwnersOutputShutdownFoundUnwrittenEndErrorForOutputShutDownOnceEachInOrder(
            NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            int small = 50;
            List<Object> order = new CopyOnWriteArrayList<>();
            OnSendComplete<Object> callback = (ctx, result) -> {
                order.add(ctx);
                record(result, pair.socket());
            };
            pair.onTheLoop(() -> { // one task: the small sends share a batch, written behind the big one
                assertEquals(SendSyncResult.OK, pair.socket().sendAsync(
                        new ByteBuffer[] {ByteBuffer.allocateDirect(32 * 1024 * 1024)}, callback, -1));
                for (int i = 0; i < small; i++) {
                    assertEquals(SendSyncResult.OK,
                            pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[100])}, callback, i));
                }
                return null;
            });
            shutdownOutput(pair);
            for (int i = 0; i <= small; i++) {
                assertEquals(FailureKind.OUTPUT_SHUT_DOWN, next(SendResult.ERROR).kind(), "send " + (i - 1));
            }
            assertEquals(IntStream.range(-1, small).boxed().toList(), order, "once each, in the order sent");
            receivesStillWork(pair);
        }
    }

    /** A send accepted before the shutdown, whose write comes after it, ends ERROR for that reason too. */
    @EachTransport
    void aSendWrittenJustAfterTheOwnersOutputShutdownIsReadAsOutputShutDownInsideItsErrorCallback(
            NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            DuplexChannel channel = (DuplexChannel) pair.transport().channel();
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            channel.eventLoop().execute(() -> {
                holding.countDown();
                Latches.awaitQuietly(release);
                channel.shutdownOutput(); // on the loop: done before the send's write, which waits behind this task
            });
            // Sent only once the loop is held: a drain still queued ahead of the task, or one that the loop's I/O
            // runs (a read-complete pulls the inbox), would otherwise write the send before the shutdown.
            assertTrue(holding.await(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            OnSendComplete<Object> callback = (ctx, result) -> record(result, pair.socket());
            assertEquals(SendSyncResult.OK,
                    pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1, 2, 3})}, callback, null));
            release.countDown();
            assertEquals(FailureKind.OUTPUT_SHUT_DOWN, next(SendResult.ERROR).kind());
            assertEquals(0, pair.peerReadToEof());
            receivesStillWork(pair);
        }
    }

    /** Once the output is shut down, a send is refused at once, and a future-style caller sees why. */
    @EachTransport
    void aSendAfterTheOwnersOutputShutdownIsRefusedWithErrorAndTheReasonWhileReceivesGoOn(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            try (FutureSocket socket = FutureSocket.open(pair.engine(), pair.transport())
                    .get(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                shutdownOutput(pair);
                assertEquals(SendSyncResult.ERROR, socket.socket().sendAsync(
                        new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result) -> fail("refused"), null));
                ExecutionException refused = assertThrows(ExecutionException.class, () -> socket.send(
                        ByteBuffer.allocate(1)).get(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS));
                assertEquals(FailureKind.OUTPUT_SHUT_DOWN,
                        assertInstanceOf(SocketFailureException.class, refused.getCause()).kind());

                SocketFuture<Integer> received = socket.receive(ByteBuffer.allocate(8));
                pair.peerWrite(new byte[] {7});
                assertEquals(1, received.get(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            }
        }
    }

    /**
     * A refusal is no completion: it leaves {@code lastFailure()} as it was (here {@code null}, nothing having
     * failed), so a client that ends its connection on a refused send (as the example Redis and MQTT clients
     * do) must ask {@code whyRefused()} whether the connection is gone and who ended it.
     */
    @EachTransport
    void aSendRefusedAfterThePipelineOwnerClosedTheChannelSaysWhyThroughWhyRefused(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            assertTrue(pair.transport().channel().close().await(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertEquals(SendSyncResult.NOT_OPEN, pair.socket().sendAsync(
                    new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result) -> fail("refused"), null));
            assertNull(pair.socket().lastFailure(), "no operation failed");
            assertEquals(FailureKind.CHANNEL_CLOSED, pair.socket().whyRefused().kind());
        }
    }

    /**
     * The peer's reset closes the channel: a send refused from the moment the channel is closed, before the
     * socket's handler has ended the receives, already reads the reset through {@code whyRefused()}. A handler
     * in front holds the loop right after the close (the socket's handler's, on the reset) went through it.
     */
    @EachTransport
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSendRefusedAsThePeersResetClosesTheChannelSaysConnectionLostThroughWhyRefused(NettyTransport transport)
            throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            try {
                refusedAsThePeersResetClosesTheChannel(pair, release);
            } finally {
                release.countDown(); // before the pair's close, which the held loop would keep waiting
            }
        }
    }

    private void refusedAsThePeersResetClosesTheChannel(LoopbackPair pair, CountDownLatch release) throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        ChannelOutboundHandlerAdapter holder = new ChannelOutboundHandlerAdapter() {
            @Override
            public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
                ctx.close(promise);
                closed.countDown();
                Latches.awaitQuietly(release);
            }
        };
        pair.onTheLoop(() -> pair.transport().channel().pipeline().addFirst(holder)); // in place once this returns
        receive(pair.socket());
        pair.peerReset();
        assertTrue(closed.await(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS), "the reset closed nothing");
        assertEquals(SendSyncResult.NOT_OPEN, pair.socket().sendAsync(
                new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result) -> fail("refused"), null));
        assertEquals(FailureKind.CONNECTION_LOST, pair.socket().whyRefused().kind());
        release.countDown();
        assertEquals(FailureKind.CONNECTION_LOST, next(ReceiveResult.ABANDONED).kind());
    }

    @EachTransport
    void operationsRefusedOnceTheEngineShutDownSayWhyThroughWhyRefused(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        engine.incRef(); // the test's own, for after the pair released one
        try (LoopbackPair pair = LoopbackPair.open(engine)) {
            assertTrue(engine.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS)
                    .await(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertEquals(SendSyncResult.ERROR, pair.socket().sendAsync(
                    new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result) -> fail("refused"), null));
            assertEquals(FailureKind.ENGINE_SHUT_DOWN, pair.socket().whyRefused().kind());
            assertEquals(1, pair.socket().receiveAsync(
                    new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result, bytes) -> fail("refused"), null));
            assertEquals(FailureKind.ENGINE_SHUT_DOWN, pair.socket().whyRefused().kind());
        } finally {
            engine.decRef();
        }
    }

    @EachTransport
    void aSendRefusedAfterALocalCloseSaysWhyThroughWhyRefused(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            pair.socket().close();
            assertEquals(SendSyncResult.NOT_OPEN, pair.socket().sendAsync(
                    new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result) -> fail("refused"), null));
            assertEquals(FailureKind.CLOSED_LOCALLY, pair.socket().whyRefused().kind());
        }
    }

    private static void shutdownOutput(LoopbackPair pair) throws InterruptedException {
        ChannelFuture shut = ((DuplexChannel) pair.transport().channel()).shutdownOutput();
        assertTrue(shut.await(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS) && shut.isSuccess(),
                "shutdownOutput: " + shut.cause());
    }

    private void receivesStillWork(LoopbackPair pair) throws Exception {
        receive(pair.socket());
        pair.peerWrite(new byte[] {7});
        next(ReceiveResult.OK);
    }

    private void receive(NettyAsyncSocket socket) {
        OnReceiveComplete<Object> callback = (ctx, result, bytes) -> record(result, socket);
        assertEquals(0, socket.receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, callback, null));
    }

    private void record(Enum<?> result, NettyAsyncSocket socket) {
        seen.add(new Seen(result, socket.lastFailure()));
    }

    /** The failure that the next callback read inside itself; fails unless that callback reported {@code result}. */
    private SocketFailure next(Enum<?> result) throws InterruptedException {
        Seen done = seen.poll(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(done, "no callback within " + CallbackRecorder.TIMEOUT_SECONDS + " s");
        assertSame(result, done.result());
        if (result != ReceiveResult.OK && result != SendResult.OK) {
            assertNotNull(done.failure(), "no failure read inside the " + result + " callback");
        }
        return done.failure();
    }
}
