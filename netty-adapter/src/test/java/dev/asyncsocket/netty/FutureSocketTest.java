package dev.asyncsocket.netty;

import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.FutureStages;
import dev.asyncsocket.netty.testing.LoopbackPair;
import dev.asyncsocket.netty.testing.Ports;
import io.netty.channel.Channel;
import io.netty.util.concurrent.BlockingOperationException;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FutureSocket}: open, send and receive as futures that complete on the socket's event loop, fail with
 * the socket's failure as a {@link SocketFailureException}, and refuse a wait where it could deadlock.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FutureSocketTest {

    private static final long WAIT = CallbackRecorder.TIMEOUT_SECONDS;

    @EachTransport
    void aSendAndAReceiveCompleteWithNothingAndTheBytesReceived(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport); FutureSocket socket = open(pair)) {
            assertEquals(null, socket.send(ByteBuffer.wrap("hello".getBytes())).get(WAIT, SECONDS));
            assertArrayEquals("hello".getBytes(), pair.peerRead(5));

            ByteBuffer in = ByteBuffer.allocate(8);
            CompletableFuture<Integer> received = socket.receive(in);
            pair.peerWrite(new byte[] {1, 2, 3});
            assertEquals(3, received.get(WAIT, SECONDS));
            assertEquals(3, in.position());
        }
    }

    @EachTransport
    void aStageChainedToAReceiveRunsOnTheSocketsEventLoopRightInItsCallback(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport); FutureSocket socket = open(pair)) {
            CompletableFuture<Boolean> onTheLoop = socket.receive(ByteBuffer.allocate(1))
                    .thenApply(n -> pair.transport().channel().eventLoop().inEventLoop());
            pair.peerWrite(new byte[] {1});
            assertTrue(onTheLoop.get(WAIT, SECONDS));
        }
    }

    @EachTransport
    void aPeerResetFailsAPendingReceiveWithConnectionLostAndTheResetAsCause(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport); FutureSocket socket = open(pair)) {
            CompletableFuture<Integer> received = socket.receive(ByteBuffer.allocate(8));
            pair.peerReset();
            SocketFailureException failed = failure(received);
            assertEquals(FailureKind.CONNECTION_LOST, failed.kind());
            assertInstanceOf(IOException.class, failed.getCause());
            assertEquals(failed.failure(), socket.socket().lastFailure());
        }
    }

    /** EOF is not a failure: -1, as AsynchronousSocketChannel.read gives, and the other direction still works. */
    @EachTransport
    void thePeersEofCompletesEveryReceiveAfterTheLastByteWithEndOfStream(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport); FutureSocket socket = open(pair)) {
            pair.peerWrite(new byte[] {7});
            pair.peerShutdownOutput();
            assertEquals(1, socket.receive(ByteBuffer.allocate(8)).get(WAIT, SECONDS));
            assertEquals(FutureSocket.END_OF_STREAM, socket.receive(ByteBuffer.allocate(8)).get(WAIT, SECONDS));
            assertEquals(FutureSocket.END_OF_STREAM, socket.receive(ByteBuffer.allocate(8)).get(WAIT, SECONDS));
            socket.send(ByteBuffer.wrap(new byte[] {9})).get(WAIT, SECONDS);
            assertArrayEquals(new byte[] {9}, pair.peerRead(1));
        }
    }

    @EachTransport
    void aLocalCloseFailsAPendingReceiveAndEveryLaterCallWithClosedLocally(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport); FutureSocket socket = open(pair)) {
            CompletableFuture<Integer> received = socket.receive(ByteBuffer.allocate(8));
            socket.close();
            assertEquals(FailureKind.CLOSED_LOCALLY, failure(received).kind());
            for (CompletableFuture<?> refused : List.of(
                    socket.send(ByteBuffer.allocate(1)), socket.receive(ByteBuffer.allocate(1)))) {
                assertTrue(refused.isCompletedExceptionally(), "failed already when the call returned");
                assertEquals(FailureKind.CLOSED_LOCALLY, failure(refused).kind());
            }
        }
    }

    @EachTransport
    void theEngineShuttingDownFailsAPendingReceiveWithEngineShutDown(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        engine.incRef(); // the test's own, for after the pair released one
        try (LoopbackPair pair = LoopbackPair.open(engine); LoopbackPair.Connected fresh = pair.connectAgain();
             FutureSocket socket = FutureSocket.open(engine, fresh.transport()).get(WAIT, SECONDS)) {
            CompletableFuture<Integer> received = socket.receive(ByteBuffer.allocate(8));
            engine.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS);
            assertEquals(FailureKind.ENGINE_SHUT_DOWN, failure(received).kind());
        } finally {
            engine.decRef();
        }
    }

    @EachTransport
    void badInputGivesAFutureAlreadyFailedWithIllegalArgumentExceptionInsteadOfAThrow(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport); FutureSocket socket = open(pair)) {
            List<Supplier<CompletableFuture<?>>> badCalls = List.of(
                    () -> socket.send((ByteBuffer[]) null),
                    () -> socket.send(),
                    () -> socket.send(ByteBuffer.allocate(0)),
                    () -> socket.send(ByteBuffer.allocate(1), null),
                    () -> socket.receive((ByteBuffer[]) null),
                    () -> socket.receive(ByteBuffer.allocate(1).asReadOnlyBuffer()),
                    () -> socket.receive(ByteBuffer.allocate(0)),
                    () -> FutureSocket.open(pair.engine(), null));
            for (Supplier<CompletableFuture<?>> call : badCalls) {
                CompletableFuture<?> refused = call.get();
                assertTrue(refused.isCompletedExceptionally(), "failed already when the call returned");
                ExecutionException failed = assertThrows(ExecutionException.class, refused::get);
                assertInstanceOf(IllegalArgumentException.class, failed.getCause());
            }
            // The socket still works after them.
            socket.send(ByteBuffer.wrap(new byte[] {1})).get(WAIT, SECONDS);
            assertArrayEquals(new byte[] {1}, pair.peerRead(1));
        }
    }

    @EachTransport
    void anOpenOnAConnectionAlreadyGoneFailsWithChannelClosed(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            pair.transport().channel().close().await(WAIT, SECONDS);
            CompletableFuture<FutureSocket> opened = FutureSocket.open(pair.engine(), pair.transport());
            assertEquals(FailureKind.CHANNEL_CLOSED, failure(opened).kind());
        }
    }

    /**
     * A channel made but never registered (a pipeline owner handing it over too early) has no event loop to close
     * it on: the open fails as on a connection already gone, and the channel is closed, instead of a throw.
     */
    @EachTransport
    void anOpenOnAChannelNeverRegisteredFailsWithChannelClosedInsteadOfThrowing(NettyTransport transport)
            throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        try {
            Channel unregistered = transport.socketChannelType().getConstructor().newInstance();
            CompletableFuture<FutureSocket> opened = FutureSocket.open(engine, NettySocketTransport.of(unregistered));
            assertEquals(FailureKind.CHANNEL_CLOSED, failure(opened).kind());
            assertFalse(unregistered.isOpen(), "the facade closes what it took over");
        } finally {
            engine.decRef();
        }
    }

    /** The facade took the transport over: a failed open does not leave its connection behind. */
    @EachTransport
    void anOpenWithoutAUsableEngineFailsWithIllegalArgumentExceptionAndClosesTheConnection(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            CompletableFuture<FutureSocket> opened = FutureSocket.open(null, pair.transport());
            ExecutionException failed = assertThrows(ExecutionException.class, opened::get);
            assertInstanceOf(IllegalArgumentException.class, failed.getCause());
            assertEquals(-1, pair.peer().getInputStream().read(), "the peer sees the connection end");
        }
    }

    /** The channel is another socket's: the refusal leaves it alone. */
    @EachTransport
    void anOpenOnAChannelAnotherSocketHasOpenFailsWithIllegalStateExceptionAndLeavesItOpen(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            CompletableFuture<FutureSocket> opened = FutureSocket.open(pair.engine(), pair.transport());
            ExecutionException failed = assertThrows(ExecutionException.class, opened::get);
            assertInstanceOf(IllegalStateException.class, failed.getCause());
            assertTrue(pair.transport().channel().isActive());
        }
    }

    /** Waiting inside a callback for what only that callback's loop can complete would deadlock: it fails fast. */
    @EachTransport
    void waitingOnAPendingFutureInsideACallbackThrowsBlockingOperationExceptionAtOnce(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport); FutureSocket socket = open(pair)) {
            SocketFuture<Integer> first = socket.receive(ByteBuffer.allocate(1));
            CompletableFuture<List<Throwable>> insideTheCallback = first.thenApply(received -> {
                assertEquals(received, first.join(), "a done future may be read on the loop");
                CompletableFuture<Integer> pending = socket.receive(ByteBuffer.allocate(1));
                CompletableFuture<Integer> derived = pending.thenApply(n -> n + 1);
                return List.of(
                        assertThrows(BlockingOperationException.class, pending::join),
                        assertThrows(BlockingOperationException.class, pending::get),
                        assertThrows(BlockingOperationException.class, () -> pending.get(1, SECONDS)),
                        assertThrows(BlockingOperationException.class, derived::join));
            });
            pair.peerWrite(new byte[] {1});
            assertEquals(4, insideTheCallback.get(WAIT, SECONDS).size());
        }
    }

    @EachTransport
    void aChainOfStagesEchoesEveryByteBackUntilThePeersEof(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport); FutureSocket socket = open(pair)) {
            CompletableFuture<Long> echoed = FutureStages.echoUntilEndOfStream(socket, 4);
            pair.peerWrite("abc".getBytes());
            assertArrayEquals("abc".getBytes(), pair.peerRead(3));
            pair.peerWrite("defghij".getBytes());
            assertArrayEquals("defghij".getBytes(), pair.peerRead(7));
            pair.peerShutdownOutput();
            assertEquals(10L, echoed.get(WAIT, SECONDS));
        }
    }

    /** A client connecting from an event loop, as one reconnecting from a stage would. */
    @EachTransport
    void connectOpensASocketOnANewConnectionFromAnEventLoop(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport);
             ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<FutureSocket> connecting = new CompletableFuture<>();
            pair.engine().eventLoopGroup().execute(() -> FutureSocket.connect(pair.engine(), "127.0.0.1",
                    server.getLocalPort(), 5000).whenComplete((s, e) -> connecting.complete(s)));
            try (FutureSocket socket = connecting.get(WAIT, SECONDS); Socket peer = server.accept()) {
                socket.send(ByteBuffer.wrap(new byte[] {5})).get(WAIT, SECONDS);
                assertEquals(5, peer.getInputStream().read());
            }
        }
    }

    @EachTransport
    void connectToAPortNobodyListensOnFailsWithConnectException(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            int closedPort = Ports.nobodyListens();
            ExecutionException failed = assertThrows(ExecutionException.class, () ->
                    FutureSocket.connect(pair.engine(), "127.0.0.1", closedPort, 5000).get(WAIT, SECONDS));
            assertInstanceOf(ConnectException.class, failed.getCause());
        }
    }

    @EachTransport
    void anOpenWhoseFutureWasCancelledClosesTheSocketItOpened(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            CompletableFuture<FutureSocket> opened = pair.onTheLoop(() -> { // the open completes after this returns
                CompletableFuture<FutureSocket> pending = FutureSocket.open(pair.engine(), pair.transport());
                assertTrue(pending.cancel(false), "cancelled before the open completed");
                return pending;
            });
            assertTrue(opened.isCancelled());
            assertEquals(0, pair.peerReadToEof(), "no one is left to close the socket but the facade");
        }
    }

    @EachTransport
    void aConnectWhoseFutureWasCancelledClosesTheSocketItOpensLater(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<FutureSocket> connecting = FutureSocket.connect(engine, "127.0.0.1", server.getLocalPort(), 10_000);
            assertTrue(connecting.cancel(false) || connecting.isDone());
            try (Socket peer = server.accept()) {
                if (!connecting.isCancelled()) {
                    connecting.get(WAIT, SECONDS).close(); // it won the race: nothing was left behind
                }
                peer.setSoTimeout((int) SECONDS.toMillis(WAIT));
                assertEquals(-1, peer.getInputStream().read(), "the socket opened after the cancel was closed");
            }
        } finally {
            engine.decRef();
        }
    }

    private static FutureSocket open(LoopbackPair pair) throws Exception {
        return FutureSocket.open(pair.engine(), pair.transport()).get(WAIT, SECONDS);
    }

    /** What {@code future} failed with, which must be a {@link SocketFailureException}. */
    private static SocketFailureException failure(CompletableFuture<?> future) throws InterruptedException {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> future.get(WAIT, SECONDS));
        return assertInstanceOf(SocketFailureException.class, failed.getCause());
    }
}
