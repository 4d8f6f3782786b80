package dev.asyncsocket.examples.fault;

import dev.asyncsocket.OpenResult;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketTransport;
import dev.asyncsocket.netty.NettyTransport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An open {@link NettyAsyncSocket} connected through a {@link FaultProxy} to a blocking {@link Socket} peer,
 * on an engine of 2 event-loop threads. The proxy's client side is the socket, its server side the peer:
 * {@code toPeer} faults act on what the socket sends, {@code toSocket} faults on what the peer sends.
 * {@link #close()} destroys the socket, closes the rest and checks that the engine's threads have ended.
 */
public final class ProxiedPair implements AutoCloseable {

    private final NettyExecutionEngine engine;
    private final ServerSocket server;
    private final FaultProxy proxy;
    private final Socket peer;
    private final NettyAsyncSocket socket;

    private ProxiedPair(NettyTransport kind, FaultProxy.Faults toPeer, FaultProxy.Faults toSocket) throws Exception {
        engine = NettyExecutionEngine.create(kind, 2);
        assertNotNull(engine, kind + " is not available");
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        proxy = FaultProxy.start(server.getLocalPort(), toPeer, toSocket);
        NettySocketTransport transport = NettySocketTransport.connect(engine, "127.0.0.1", proxy.port(), 5000);
        assertNotNull(transport, "connect to the proxy failed");
        server.setSoTimeout(10_000);
        peer = server.accept();
        peer.setSoTimeout(30_000);
        socket = NettyAsyncSocket.create(engine);
        assertNotNull(socket);
        CompletableFuture<OpenResult> opened = new CompletableFuture<>();
        assertEquals(0, socket.openAsync(transport, (ctx, result) -> opened.complete(result), null));
        assertEquals(OpenResult.OK, opened.get(10, TimeUnit.SECONDS));
    }

    public static ProxiedPair open(NettyTransport kind, FaultProxy.Faults toPeer, FaultProxy.Faults toSocket)
            throws Exception {
        return new ProxiedPair(kind, toPeer, toSocket);
    }

    public NettyAsyncSocket socket() {
        return socket;
    }

    public Socket peer() {
        return peer;
    }

    public FaultProxy proxy() {
        return proxy;
    }

    @Override
    public void close() throws IOException {
        socket.destroy();
        peer.close();
        proxy.close();
        server.close();
        engine.decRef();
        assertTrue(engine.eventLoopGroup().isTerminated(), "the engine's threads are still running");
    }
}
