package dev.asyncsocket.netty;

import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;

import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The factories of connected transports: connect, and listen/accept. */
class ListenerTest {

    @EachTransport
    void aListenerAcceptsConnectionsThatTwoSocketsThenTalkOver(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 2);
        try (NettySocketListener listener = NettySocketListener.listen(engine, "127.0.0.1", 0)) {
            assertNotNull(listener);
            assertTrue(listener.port() > 0);
            NettySocketTransport client = NettySocketTransport.connect(engine, "127.0.0.1", listener.port(), 5000);
            NettySocketTransport server = listener.accept(5000);
            assertNotNull(client);
            assertNotNull(server);
            for (Channel channel : new Channel[] {client.channel(), server.channel()}) {
                assertTrue(channel.config().getOption(ChannelOption.TCP_NODELAY));
                assertTrue(channel.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE));
                assertFalse(channel.config().isAutoRead());
            }
            CallbackRecorder recorder = new CallbackRecorder();
            NettyAsyncSocket a = NettyAsyncSocket.create(engine);
            NettyAsyncSocket b = NettyAsyncSocket.create(engine);
            a.openAsync(client, recorder, null);
            b.openAsync(server, recorder, null);
            assertEquals(OpenResult.OK, recorder.next().result());
            assertEquals(OpenResult.OK, recorder.next().result());
            ByteBuffer in = ByteBuffer.allocate(5);
            b.receiveAsync(new ByteBuffer[] {in}, recorder, null);
            a.sendAsync(new ByteBuffer[] {ByteBuffer.wrap("hello".getBytes())}, recorder, null);
            int received = 0;
            while (received < 5) {
                CallbackRecorder.Callback done = recorder.next();
                if (done.result() instanceof ReceiveResult) {
                    received += done.bytes();
                    if (received < 5) {
                        b.receiveAsync(new ByteBuffer[] {in}, recorder, null);
                    }
                }
            }
            assertEquals("hello", new String(in.array()));
            a.destroy();
            b.destroy();
        } finally {
            engine.decRef();
        }
    }

    @EachTransport
    void acceptReturnsNullOnTimeOutAndAfterClose(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        NettySocketListener listener = NettySocketListener.listen(engine, "127.0.0.1", 0);
        assertNull(listener.accept(10));
        NettySocketTransport waiting = NettySocketTransport.connect(engine, "127.0.0.1", listener.port(), 5000);
        assertNotNull(waiting);
        listener.close();
        assertNull(listener.accept(10));
        listener.close();
        // The connection was never handed out, so the listener closed its end: the client sees the end of stream.
        NettyAsyncSocket client = NettyAsyncSocket.create(engine);
        CallbackRecorder recorder = new CallbackRecorder();
        client.openAsync(waiting, recorder, null);
        recorder.next();
        client.receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, null);
        assertEquals(ReceiveResult.ABANDONED, recorder.next().result());
        client.destroy();
        engine.decRef();
    }

    @EachTransport
    void closeWakesAThreadBlockedInAcceptWhichReturnsNull(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        NettySocketListener listener = NettySocketListener.listen(engine, "127.0.0.1", 0);
        CompletableFuture<NettySocketTransport> accepted = new CompletableFuture<>();
        Thread acceptor = new Thread(() -> accepted.complete(listener.accept(60_000)), "acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (acceptor.getState() != Thread.State.WAITING && acceptor.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(System.nanoTime() < deadline, "the acceptor never blocked: " + acceptor.getState());
            Thread.onSpinWait();
        }
        listener.close();
        acceptor.join(10_000);
        assertFalse(acceptor.isAlive(), "accept(60 s) still blocked 10 s after close() returned");
        assertNull(accepted.join(), "what accept returned");
        engine.decRef();
    }

    @EachTransport
    void connectAndListenReturnNullOnFailure(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        int freePort;
        try (ServerSocket probe = new ServerSocket(0)) {
            freePort = probe.getLocalPort();
        }
        assertNull(NettySocketTransport.connect(engine, "127.0.0.1", freePort, 2000), "nobody listens");
        assertNull(NettySocketTransport.connect(null, "127.0.0.1", freePort, 2000));
        assertNull(NettySocketTransport.connect(engine, null, freePort, 2000));
        assertNull(NettySocketTransport.connect(engine, "127.0.0.1", 70_000, 2000));
        assertNull(NettySocketTransport.connect(engine, "127.0.0.1", freePort, 0));
        try (NettySocketListener taken = NettySocketListener.listen(engine, "127.0.0.1", 0)) {
            assertNull(NettySocketListener.listen(engine, "127.0.0.1", taken.port()), "the port is taken");
        }
        assertNull(NettySocketListener.listen(null, "127.0.0.1", 0));
        assertNull(NettySocketListener.listen(engine, "127.0.0.1", -1));
        assertNull(NettySocketListener.listen(engine, "127.0.0.1", 0, 0), "no room for a connection");
        engine.decRef();
        assertNull(NettySocketTransport.connect(engine, "127.0.0.1", freePort, 2000), "the engine is shut down");
    }

    @EachTransport
    void connectFromAnEventLoopReturnsNullInsteadOfBlockingIt(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        try (NettySocketListener listener = NettySocketListener.listen(engine, "127.0.0.1", 0)) {
            CompletableFuture<NettySocketTransport> fromLoop = new CompletableFuture<>();
            engine.eventLoopGroup().execute(() ->
                    fromLoop.complete(NettySocketTransport.connect(engine, "127.0.0.1", listener.port(), 2000)));
            assertNull(fromLoop.get(10, TimeUnit.SECONDS));
        } finally {
            engine.decRef();
        }
    }
}
