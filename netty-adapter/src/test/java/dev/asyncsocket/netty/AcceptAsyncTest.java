package dev.asyncsocket.netty;

import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.FutureStages;
import io.netty.channel.Channel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NettySocketListener#acceptAsync()}: a future per connection, oldest first, from any thread, ended
 * with a {@link ListenerClosedException} when the listener closes, and bounded.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AcceptAsyncTest {

    private static final long WAIT = CallbackRecorder.TIMEOUT_SECONDS;

    private NettyExecutionEngine engine;
    private NettySocketListener listener;
    private final List<Channel> clients = new ArrayList<>();

    /** One event loop: the server channel and every connection's activation run on it, in arrival order. */
    private void listen(NettyTransport transport, int maxPending) {
        engine = NettyExecutionEngine.create(transport, 1);
        listener = NettySocketListener.listen(engine, "127.0.0.1", 0, maxPending);
    }

    /** A client connection, made and awaited: connections made one after another arrive in that order. */
    private Channel connect() throws Exception {
        Channel client = NettySocketTransport.connectAsync(engine, "127.0.0.1", listener.port(), 5000)
                .get(WAIT, SECONDS).channel();
        clients.add(client);
        return client;
    }

    @AfterEach
    void closeAll() {
        clients.forEach(client -> client.close().awaitUninterruptibly(WAIT, SECONDS));
        listener.close();
        engine.decRef();
        assertTrue(engine.eventLoopGroup().isTerminated(), "the engine's threads are still running");
    }

    @EachTransport
    void waitingFuturesGetTheConnectionsInTheOrderTheyWereAskedFor(NettyTransport transport) throws Exception {
        listen(transport, 8);
        List<CompletableFuture<NettySocketTransport>> accepts =
                List.of(listener.acceptAsync(), listener.acceptAsync(), listener.acceptAsync());
        for (int i = 0; i < accepts.size(); i++) {
            Channel client = connect();
            assertIsServerEndOf(client, accepts.get(i).get(WAIT, SECONDS));
            for (CompletableFuture<NettySocketTransport> later : accepts.subList(i + 1, accepts.size())) {
                assertFalse(later.isDone(), "a later future got the connection of an earlier one");
            }
        }
    }

    @EachTransport
    void connectionsThatArrivedBeforeAnyFutureAreHandedOutOldestFirst(NettyTransport transport) throws Exception {
        listen(transport, 8);
        List<Channel> arrived = List.of(connect(), connect(), connect());
        for (Channel client : arrived) {
            assertIsServerEndOf(client, listener.acceptAsync().get(WAIT, SECONDS));
        }
    }

    @EachTransport
    void acceptAsyncIsCalledFromAnEventLoopAndCompletesThere(NettyTransport transport) throws Exception {
        listen(transport, 8);
        CompletableFuture<Boolean> onALoop = new CompletableFuture<>();
        engine.eventLoopGroup().execute(() -> listener.acceptAsync().whenComplete((accepted, failed) ->
                onALoop.complete(failed == null && accepted.channel().eventLoop().inEventLoop())));
        connect();
        assertTrue(onALoop.get(WAIT, SECONDS));
    }

    @EachTransport
    void aWaitingFutureFailsWithListenerClosedWhenTheListenerClosesAndSoDoesOneAskedForAfter(
            NettyTransport transport) throws Exception {
        listen(transport, 8);
        CompletableFuture<NettySocketTransport> waiting = listener.acceptAsync();
        listener.close();
        assertListenerClosed(waiting);
        CompletableFuture<NettySocketTransport> after = listener.acceptAsync();
        assertTrue(after.isCompletedExceptionally(), "failed already when the call returned");
        assertListenerClosed(after);
    }

    @EachTransport
    void aWaitingFutureFailsWithListenerClosedWhenTheEngineShutsDown(NettyTransport transport) throws Exception {
        listen(transport, 8);
        CompletableFuture<NettySocketTransport> waiting = listener.acceptAsync();
        engine.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS);
        assertListenerClosed(waiting);
    }

    @EachTransport
    void noMoreThanMaxPendingFuturesWaitAndACancelledOneGivesUpItsPlace(NettyTransport transport) throws Exception {
        listen(transport, 2);
        CompletableFuture<NettySocketTransport> first = listener.acceptAsync();
        CompletableFuture<NettySocketTransport> second = listener.acceptAsync();
        ExecutionException refused = assertThrows(ExecutionException.class, () -> listener.acceptAsync().get());
        assertInstanceOf(IllegalStateException.class, refused.getCause());

        assertTrue(first.cancel(false));
        CompletableFuture<NettySocketTransport> third = listener.acceptAsync();
        assertFalse(third.isDone(), "the cancelled future's place was given to it");
        assertIsServerEndOf(connect(), second.get(WAIT, SECONDS));
        assertIsServerEndOf(connect(), third.get(WAIT, SECONDS));
    }

    /** Mixing both: a future that waits is served first; accept gets a connection that arrives while none does. */
    @EachTransport
    void aWaitingFutureIsServedBeforeABlockingAccept(NettyTransport transport) throws Exception {
        listen(transport, 8);
        CompletableFuture<NettySocketTransport> waiting = listener.acceptAsync();
        Channel first = connect();
        assertIsServerEndOf(first, waiting.get(WAIT, SECONDS));
        assertNull(listener.accept(50), "the future took the only connection");
        Channel second = connect();
        assertIsServerEndOf(second, listener.accept(WAIT * 1000));
    }

    /** A server and a client made of stages only: nothing in it blocks, so all of it may run on event loops. */
    @EachTransport
    void acceptAsyncConnectAndFuturesMakeAnEchoWithoutABlockingCall(NettyTransport transport) throws Exception {
        listen(transport, 8);
        CompletableFuture<Long> served = listener.acceptAsync()
                .thenCompose(accepted -> FutureSocket.open(engine, accepted))
                .thenCompose(server -> FutureStages.echoUntilEndOfStream(server, 16).whenComplete((n, e) -> server.close()));
        CompletableFuture<ByteBuffer> client = FutureSocket.connect(engine, "127.0.0.1", listener.port(), 5000)
                .thenCompose(socket -> socket.send(ByteBuffer.wrap("hello".getBytes()))
                        .thenCompose(sent -> FutureStages.receiveFully(socket, ByteBuffer.allocate(5)))
                        .whenComplete((back, e) -> socket.close()));
        assertArrayEquals("hello".getBytes(), client.get(WAIT, SECONDS).array());
        assertEquals(5L, served.get(WAIT, SECONDS), "bytes echoed until the client's close");
    }

    private static void assertIsServerEndOf(Channel client, NettySocketTransport accepted) {
        assertEquals(client.localAddress(), accepted.channel().remoteAddress(), "not the connection expected");
        accepted.channel().close().awaitUninterruptibly(WAIT, SECONDS);
    }

    private static void assertListenerClosed(CompletableFuture<NettySocketTransport> future) throws Exception {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> future.get(WAIT, SECONDS));
        assertInstanceOf(ListenerClosedException.class, failed.getCause());
    }
}
