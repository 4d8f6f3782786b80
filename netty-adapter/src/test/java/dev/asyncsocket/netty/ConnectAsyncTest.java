package dev.asyncsocket.netty;

import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.Latches;
import dev.asyncsocket.netty.testing.LoopbackPair;
import dev.asyncsocket.netty.testing.Polling;
import dev.asyncsocket.netty.testing.Ports;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NettySocketTransport#connectAsync}: never blocks, works from callbacks, fails with its cause. */
class ConnectAsyncTest {

    @EachTransport
    void aConnectionIsMadeWithoutBlockingAndOpensASocket(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport);
             ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<NettySocketTransport> connecting =
                    NettySocketTransport.connectAsync(pair.engine(), "127.0.0.1", server.getLocalPort(), 5000);
            NettySocketTransport connected = connecting.get(10, TimeUnit.SECONDS);
            try (var peer = server.accept()) {
                assertTrue(connected.channel().isActive());
                NettyAsyncSocket socket = NettyAsyncSocket.create(pair.engine());
                CallbackRecorder recorder = new CallbackRecorder();
                assertEquals(0, socket.openAsync(connected, recorder, null));
                assertEquals(OpenResult.OK, recorder.next().result());
                socket.destroy();
            }
        }
    }

    @EachTransport
    void aRefusedConnectionFailsTheFutureWithConnectException(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            int closedPort = Ports.nobodyListens();
            ExecutionException failed = assertThrows(ExecutionException.class, () ->
                    NettySocketTransport.connectAsync(pair.engine(), "127.0.0.1", closedPort, 5000).get(10, TimeUnit.SECONDS));
            assertInstanceOf(ConnectException.class, failed.getCause(), failed.getCause().toString());
        }
    }

    @EachTransport
    void aConnectionNobodyAnswersFailsTheFutureWithConnectTimeoutExceptionOnceItsTimeRanOut(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport); Ports.Silent silent = Ports.thatNeverAnswers()) {
            CompletableFuture<NettySocketTransport> connecting =
                    NettySocketTransport.connectAsync(pair.engine(), "127.0.0.1", silent.port(), 300);
            ExecutionException failed = assertThrows(ExecutionException.class, () -> connecting.get(10, TimeUnit.SECONDS));
            assertInstanceOf(ConnectTimeoutException.class, failed.getCause(), failed.getCause().toString());
        }
    }

    @EachTransport
    void badArgumentsFailTheFutureWithIllegalArgumentException(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            for (CompletableFuture<NettySocketTransport> bad : List.of(
                    NettySocketTransport.connectAsync(null, "127.0.0.1", 1, 1000),
                    NettySocketTransport.connectAsync(pair.engine(), null, 1, 1000),
                    NettySocketTransport.connectAsync(pair.engine(), "127.0.0.1", 70000, 1000),
                    NettySocketTransport.connectAsync(pair.engine(), "127.0.0.1", 1, 0))) {
                ExecutionException failed = assertThrows(ExecutionException.class, () -> bad.get(1, TimeUnit.SECONDS));
                assertInstanceOf(IllegalArgumentException.class, failed.getCause());
            }
        }
    }

    /** A client reconnecting from the callback that told it its connection ended. */
    @EachTransport
    void aConnectionIsMadeFromInsideACallback(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport);
             ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<CompletableFuture<NettySocketTransport>> fromCallback = new CompletableFuture<>();
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result, bytes) -> {
                assertEquals(ReceiveResult.ABANDONED, result);
                fromCallback.complete(NettySocketTransport.connectAsync(pair.engine(), "127.0.0.1", server.getLocalPort(), 5000));
            }, null);
            pair.peerShutdownOutput();
            NettySocketTransport reconnected = fromCallback.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
            server.accept().close();
            assertTrue(reconnected.channel().isActive());
            reconnected.channel().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /**
     * A host name is looked up off the event loops, on the library's lookup threads, which the test holds: the
     * lookup waits its turn there, the connect's loop keeps running tasks meanwhile (a slow DNS answer stalls
     * no socket of that loop), and the connect completes once the lookup is let through.
     */
    @EachTransport
    void aHostNameIsLookedUpOffTheEventLoopWhichKeepsRunningWhileTheLookupWaits(NettyTransport transport)
            throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        CountDownLatch release = new CountDownLatch(1);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int threads = OffLoopNameResolverGroup.LOOKUP_THREADS;
            CountDownLatch held = new CountDownLatch(threads);
            for (int i = 0; i < threads; i++) {
                OffLoopNameResolverGroup.LOOKUPS.execute(() -> {
                    held.countDown();
                    Latches.awaitQuietly(release);
                });
            }
            assertTrue(held.await(10, TimeUnit.SECONDS), "the lookup threads never ran the holding tasks");
            CompletableFuture<NettySocketTransport> connecting =
                    NettySocketTransport.connectAsync(engine, "localhost", server.getLocalPort(), 5000);
            Polling.awaitTrue(() -> !OffLoopNameResolverGroup.LOOKUPS.getQueue().isEmpty(),
                    () -> "the name's lookup never reached the lookup threads");
            engine.eventLoopGroup().submit(() -> null).get(10, TimeUnit.SECONDS); // the one loop runs meanwhile
            assertFalse(connecting.isDone(), "connected before the name was looked up: " + connecting);

            release.countDown();
            NettySocketTransport connected = connecting.get(10, TimeUnit.SECONDS);
            try (Socket peer = server.accept()) {
                assertTrue(peer.getInetAddress().isLoopbackAddress());
                assertTrue(connected.channel().isActive());
                connected.channel().close().syncUninterruptibly();
            }
        } finally {
            release.countDown();
            engine.decRef();
        }
    }

    /**
     * Lookups run on threads of their own, not on Netty's global executor, where this library runs what is left
     * of the callbacks once an engine has ended, and callers run tasks of their own: a blocking connect to a
     * host name made from such a task connects. (A lookup queued behind the very task that waits for it would
     * never run: the connect would give up after its time-out.)
     */
    @EachTransport
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aBlockingConnectToAHostNameConnectsFromATaskOnNettysGlobalExecutor(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport);
             ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            NettySocketTransport connected = GlobalEventExecutor.INSTANCE.submit(() -> NettySocketTransport.connect(
                    pair.engine(), "localhost", server.getLocalPort(), 2000)).get(20, TimeUnit.SECONDS);
            assertNotNull(connected, "the connect failed: its lookup waited behind the task that made it");
            try (Socket peer = server.accept()) {
                assertTrue(connected.channel().isActive());
                connected.channel().close().syncUninterruptibly();
            }
        }
    }

    /** A client that gave up on a connect (cancelled it, or {@code orTimeout}) is left no connection it cannot see. */
    @EachTransport
    void aConnectionMadeAfterItsFutureWasCancelledIsClosed(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CountDownLatch release = new CountDownLatch(1);
            engine.eventLoopGroup().execute(() -> Latches.awaitQuietly(release)); // the one loop, held
            CompletableFuture<NettySocketTransport> connecting =
                    NettySocketTransport.connectAsync(engine, "127.0.0.1", server.getLocalPort(), 5000);
            assertTrue(connecting.cancel(false), "cancelled before the held loop could connect");
            release.countDown();
            try (Socket peer = server.accept()) {
                peer.setSoTimeout(10_000);
                assertEquals(-1, peer.getInputStream().read(), "the connection no one holds is closed");
            }
        } finally {
            engine.decRef();
        }
    }

    /** An application shutting down while its client reconnects: the connect under way fails and says why. */
    @EachTransport
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aConnectUnderWayWhenTheEngineShutsDownFailsWithIllegalStateException(NettyTransport transport)
            throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        try (Ports.Silent silent = Ports.thatNeverAnswers()) {
            CompletableFuture<NettySocketTransport> connecting =
                    NettySocketTransport.connectAsync(engine, "127.0.0.1", silent.port(), 30_000);
            // The engine's one loop registers the channel and sends its SYN, which the listener drops, in the
            // tasks queued before this one: the connect is under way once it has run.
            assertTrue(engine.eventLoopGroup().next().submit(() -> { }).await(10, TimeUnit.SECONDS));
            engine.decRef();
            ExecutionException failed = assertThrows(ExecutionException.class, () -> connecting.get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, failed.getCause(), failed.getCause().toString());
        }
    }

    /**
     * A group whose loops end one after the other (any engine's shutdown, or an owner ending one loop of a
     * borrowed group) still says it is running until the last one ends: a connect handed to a loop that has
     * ended must fail, not stay pending, or a client that reconnects meanwhile waits forever.
     */
    @EachTransport
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aConnectHandedToALoopThatHasEndedFailsInsteadOfStayingPending(NettyTransport transport) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, transport.ioHandlerFactory());
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            NettyExecutionEngine engine = NettyExecutionEngine.wrap(group);
            EventExecutor ended = group.next();
            assertTrue(ended.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS));
            for (int i = 0; i < 4; i++) { // round robin: half of them go to the loop that has ended
                CompletableFuture<NettySocketTransport> connecting =
                        NettySocketTransport.connectAsync(engine, "127.0.0.1", server.getLocalPort(), 5000);
                try {
                    connecting.get(10, TimeUnit.SECONDS).channel().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                } catch (ExecutionException failed) {
                    assertInstanceOf(IllegalStateException.class, failed.getCause(), failed.getCause().toString());
                }
            }
            engine.decRef();
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }
}
