package dev.asyncsocket.netty;

import dev.asyncsocket.SocketState;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.Latches;
import dev.asyncsocket.netty.testing.LoopbackPair;
import dev.asyncsocket.SendSyncResult;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code close()} and {@code destroy()} on threads that must not block: any event loop (this socket's,
 * another socket's, another engine's) and the global executor that runs completions after an engine ended.
 * There they return at once, and the socket turns CLOSED once its last callback has run.
 *
 * <p>A deadlock here would leave threads stuck in uninterruptible waits; the time-out runs each test on a
 * thread of its own so that such a test fails instead of hanging the suite.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CloseWithoutBlockingTest {

    @EachTransport
    void twoSocketsOnDifferentLoopsClosingEachOtherFromTheirCallbacksBothReturn(NettyTransport transport) throws Exception {
        endingEachOtherFromCallbacks(transport, NettyAsyncSocket::close);
    }

    @EachTransport
    void twoSocketsOnDifferentLoopsDestroyingEachOtherFromTheirCallbacksBothReturn(NettyTransport transport) throws Exception {
        endingEachOtherFromCallbacks(transport, NettyAsyncSocket::destroy);
    }

    /**
     * The proxy idiom: when one leg's receive ends, its callback ends the other leg. Both peers end at once,
     * and each callback waits for the other to be running before it ends the other leg, so that both are
     * inside their callbacks, on their two loops, when they do.
     */
    private static void endingEachOtherFromCallbacks(NettyTransport transport, Consumer<NettyAsyncSocket> end)
            throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 2);
        engine.incRef(); // one reference for each pair
        try (LoopbackPair a = LoopbackPair.open(engine); LoopbackPair b = LoopbackPair.open(engine)) {
            assertNotSame(a.transport().channel().eventLoop(), b.transport().channel().eventLoop(),
                    "the legs must run on different loops");
            CountDownLatch bothInside = new CountDownLatch(2);
            CountDownLatch bothReturned = new CountDownLatch(2);
            receiveThenEnd(a.socket(), b.socket(), end, bothInside, bothReturned);
            receiveThenEnd(b.socket(), a.socket(), end, bothInside, bothReturned);
            a.peerShutdownOutput();
            b.peerShutdownOutput();

            assertTrue(bothReturned.await(10, TimeUnit.SECONDS), "the callbacks are stuck ending each other");
            a.socket().close(); // from this thread: waits until the close the callback began has finished
            b.socket().close();
            assertEquals(SocketState.CLOSED, a.socket().state());
            assertEquals(SocketState.CLOSED, b.socket().state());
            assertFalse(a.transport().channel().isOpen());
            assertFalse(b.transport().channel().isOpen());
        }
        assertTrue(engine.eventLoopGroup().isTerminated(), "every reference was released: the engine ended");
    }

    private static void receiveThenEnd(NettyAsyncSocket socket, NettyAsyncSocket other, Consumer<NettyAsyncSocket> end,
                                       CountDownLatch bothInside, CountDownLatch bothReturned) {
        assertEquals(0, socket.receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(16)}, (ctx, result, bytes) -> {
            bothInside.countDown();
            Latches.awaitQuietly(bothInside);
            end.accept(other);
            bothReturned.countDown();
        }, null));
    }

    @EachTransport
    void closeFromAnotherEnginesEventLoopReturnsAtOnceAndTheSocketClosesAfterItsCallbacks(NettyTransport transport)
            throws Exception {
        NettyExecutionEngine other = NettyExecutionEngine.create(transport, 1);
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            CountDownLatch release = pair.holdInsideACallback();
            CallbackRecorder recorder = new CallbackRecorder();
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, "pending");

            // The socket's loop is held inside a callback: a close that waited for it would never return.
            other.eventLoopGroup().submit(pair.socket()::close).get(10, TimeUnit.SECONDS);
            assertEquals(SocketState.CLOSING, pair.socket().state());
            assertEquals(0, recorder.count(), "the pending receive waits for the running callback");

            release.countDown();
            assertEquals("pending", recorder.next().context());
            pair.socket().close();
            assertEquals(SocketState.CLOSED, pair.socket().state());
        } finally {
            other.decRef();
        }
    }

    /**
     * A channel taken off its event loop ({@code deregister}) is not closed when the loop ends, so its
     * pending receive is left to the engine's sweep, which runs on the global executor once the loop has
     * terminated: the callback then runs there, and ends its own socket.
     */
    @EachTransport
    void aCallbackRunOnTheGlobalExecutorAfterTheEngineEndedMayCloseAndDestroyItsSocket(NettyTransport transport)
            throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        engine.incRef(); // the test's own, for after the pair released one
        try (LoopbackPair pair = LoopbackPair.open(engine)) {
            CompletableFuture<Thread> returned = new CompletableFuture<>();
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result, bytes) -> {
                pair.socket().close();
                pair.socket().destroy();
                returned.complete(Thread.currentThread());
            }, null);
            assertTrue(pair.transport().channel().deregister().await(10, TimeUnit.SECONDS));
            engine.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS);

            Thread ranOn = returned.get(10, TimeUnit.SECONDS);
            assertTrue(GlobalEventExecutor.INSTANCE.inEventLoop(ranOn), "ran on " + ranOn.getName());
            assertTrue(GlobalEventExecutor.INSTANCE.submit(() -> { }).await(10, TimeUnit.SECONDS),
                    "the global executor goes on");
            pair.socket().close();
            assertEquals(SocketState.CLOSED, pair.socket().state());
            assertEquals(2, engine.refCount(), "the destroy released the socket's reference");
        } finally {
            engine.decRef();
        }
    }

    @EachTransport
    void aSecondCloseFromAnotherThreadReturnsOnlyOnceTheSocketIsClosedSoThatItMayReopenAtOnce(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport); LoopbackPair.Connected fresh = pair.connectAgain()) {
            CountDownLatch release = pair.holdInsideACallback();
            CompletableFuture<Void> first = CompletableFuture.runAsync(pair.socket()::close);
            awaitState(pair.socket(), SocketState.CLOSING);
            CompletableFuture<Integer> secondThenReopen = CompletableFuture.supplyAsync(() -> {
                pair.socket().close();
                return pair.socket().openAsync(fresh.transport(), new CallbackRecorder(), null);
            });
            assertFalse(first.isDone(), "the first close waits for the running callback");

            release.countDown();
            assertEquals(0, secondThenReopen.get(10, TimeUnit.SECONDS), "the second close returned before CLOSED");
            first.get(10, TimeUnit.SECONDS);
            assertFalse(pair.transport().channel().isOpen(), "the first connection was closed");
        }
    }

    /** A thread of the caller's own executor group (blocking handlers run there) may wait like any other. */
    @EachTransport
    void closeOnAThreadOfTheCallersOwnExecutorGroupWaitsSoThatTheSocketReopensAtOnce(NettyTransport transport)
            throws Exception {
        DefaultEventExecutor callers = new DefaultEventExecutor();
        try (LoopbackPair pair = LoopbackPair.open(transport); LoopbackPair.Connected fresh = pair.connectAgain()) {
            CountDownLatch release = pair.holdInsideACallback();
            Future<Integer> reopened = callers.submit(() -> {
                pair.socket().close();
                return pair.socket().openAsync(fresh.transport(), new CallbackRecorder(), null);
            });
            awaitState(pair.socket(), SocketState.CLOSING);
            release.countDown();
            assertEquals(0, reopened.get(10, TimeUnit.SECONDS), "close() returned before the socket was closed");
        } finally {
            callers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * A handler of the socket's own pipeline on a caller's executor group: the socket's writes and close pass
     * through that thread, so a close() there may not wait for the send it just made.
     */
    @EachTransport
    void closeOnTheExecutorOfAHandlerInTheSocketsOwnPipelineReturnsAtOnce(NettyTransport transport) throws Exception {
        DefaultEventExecutorGroup handlers = new DefaultEventExecutorGroup(1);
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            pair.transport().channel().pipeline().addFirst(handlers, new ChannelDuplexHandler() {
                @Override
                public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                    ctx.write(msg, promise);
                }
            });
            CallbackRecorder recorder = new CallbackRecorder();
            assertEquals(0, pair.socket().openAsync(pair.transport(), recorder, null));
            recorder.next();
            Future<SendSyncResult> sentThenClosed = handlers.next().submit(() -> {
                SendSyncResult sent = pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1})}, recorder, null);
                pair.socket().close();
                return sent;
            });
            assertEquals(SendSyncResult.OK, sentThenClosed.get(10, TimeUnit.SECONDS), "close() waited for itself");
            recorder.next(); // the send's callback
            pair.socket().close();
            assertEquals(SocketState.CLOSED, pair.socket().state());
        } finally {
            handlers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Polls the socket's state until it is {@code expected}, for at most the recorder's time-out. */
    private static void awaitState(NettyAsyncSocket socket, SocketState expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CallbackRecorder.TIMEOUT_SECONDS);
        while (socket.state() != expected) {
            assertTrue(System.nanoTime() < deadline, "still " + socket.state() + ", not " + expected);
            Thread.onSpinWait();
        }
    }
}
