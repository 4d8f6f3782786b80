package dev.asyncsocket.netty;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.SocketState;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import io.netty.channel.Channel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DestroyTest {

    private final CallbackRecorder recorder = new CallbackRecorder();

    @EachTransport
    void destroyClosesAnOpenSocketCompletesWhatIsPendingAndReleasesTheEngine(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            Channel channel = pair.transport().channel();
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, recorder, null);
            assertEquals(2, pair.engine().refCount(), "the fixture's and the socket's");
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_006
            pair.socket().destroy();
            assertFalse(channel.isOpen());
            assertEquals(ReceiveResult.ABANDONED, recorder.all().get(0).result());
            // Tests_SRS_ASYNC_SOCKET_WIN32_42_005
            assertEquals(1, pair.engine().refCount());
            pair.awaitEventLoopTurn();
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_005
            assertNull(channel.pipeline().get(TailHandler.class));
        }
    }

    @EachTransport
    void aDestroyedSocketRefusesEverythingAndASecondDestroyDoesNothing(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport); LoopbackPair.Connected fresh = pair.connectAgain()) {
            pair.socket().destroy();
            pair.socket().destroy();
            assertEquals(1, pair.engine().refCount(), "released exactly once");
            assertNotEquals(0, pair.socket().openAsync(fresh.transport(), recorder, null));
            assertEquals(SendSyncResult.NOT_OPEN, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, null));
            assertNotEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, null));
            pair.socket().close();
            assertEquals(0, recorder.count());
            assertTrue(fresh.transport().channel().isActive(), "a refused transport stays with the caller");
        }
    }

    @EachTransport
    void destroyWaitsForACloseUnderWayOnAnotherThread(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            CountDownLatch release = pair.holdInsideACallback();
            CompletableFuture<Void> close = CompletableFuture.runAsync(pair.socket()::close);
            awaitState(pair.socket(), SocketState.CLOSING);
            CompletableFuture<Void> destroy = CompletableFuture.runAsync(pair.socket()::destroy);
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_093
            assertThrows(TimeoutException.class, () -> destroy.get(200, TimeUnit.MILLISECONDS),
                    "destroy waits while the socket is CLOSING");
            release.countDown();
            close.get(10, TimeUnit.SECONDS);
            destroy.get(10, TimeUnit.SECONDS);
            assertEquals(SocketState.CLOSED, pair.socket().state());
            assertEquals(1, pair.engine().refCount());
        }
    }

    @EachTransport
    void destroyFromInsideACallbackClosesAfterItReturnsAndReleasesTheEngine(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result, bytes) -> {
                pair.socket().destroy();
                recorder.onReceiveComplete("destroyer", result, bytes);
            }, null);
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, "second");
            pair.peerWrite(new byte[] {1});
            assertEquals("destroyer", recorder.next().context());
            CallbackRecorder.Callback second = recorder.next();
            assertEquals("second", second.context());
            assertEquals(ReceiveResult.ABANDONED, second.result());
            pair.awaitEventLoopTurn();
            assertEquals(SocketState.CLOSED, pair.socket().state());
            assertEquals(1, pair.engine().refCount());
        }
    }

    private static void awaitState(NettyAsyncSocket socket, SocketState expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (socket.state() != expected) {
            assertTrue(System.nanoTime() < deadline, "state stayed " + socket.state());
            Thread.onSpinWait();
        }
    }

    /**
     * The socket holds the engine's last reference, and its close began in a callback: the release happens on
     * the event loop, which cannot wait for its own threads to end, so the destroy that waited for the close
     * waits for them too.
     */
    @EachTransport
    void aBlockingDestroyThatEndsTheEngineReturnsOnceTheEnginesThreadsEnded(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            NettySocketTransport connected = NettySocketTransport.connect(engine, "127.0.0.1",
                    ((InetSocketAddress) server.getLocalAddress()).getPort(), 5000);
            try (Socket peer = server.accept().socket()) {
                NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
                assertEquals(0, socket.openAsync(connected, recorder, null));
                recorder.next();
                engine.decRef(); // the socket holds the last reference now
                CompletableFuture<Boolean> destroyed = new CompletableFuture<>();
                Thread destroyer = new Thread(() -> {
                    socket.destroy();
                    destroyed.complete(engine.eventLoopGroup().isTerminated());
                });
                socket.receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result, bytes) -> {
                    socket.close(); // on the loop: the close finishes, and releases, after this callback
                    destroyer.start();
                    awaitWaiting(destroyer);
                }, null);
                peer.getOutputStream().write(1);
                assertTrue(destroyed.get(20, TimeUnit.SECONDS), "destroy() returned while the engine's threads ran");
                assertEquals(0, engine.refCount());
            }
        }
    }

    /** Polls until {@code thread} waits (in destroy), for at most the recorder's time-out. */
    private static void awaitWaiting(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CallbackRecorder.TIMEOUT_SECONDS);
        while (thread.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }
}
