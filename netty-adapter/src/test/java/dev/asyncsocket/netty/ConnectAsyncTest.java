package dev.asyncsocket.netty;

import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import dev.asyncsocket.netty.testing.Ports;

import io.netty.channel.ConnectTimeoutException;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
}
