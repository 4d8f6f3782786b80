package dev.asyncsocket.examples.bench;

import dev.asyncsocket.OpenResult;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketTransport;
import dev.asyncsocket.netty.NettyTransport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An open {@link NettyAsyncSocket} on an engine of one event-loop thread, connected over 127.0.0.1 to the
 * side-by-side benchmark's plain-Netty {@link Peer} (on a thread of its own) that discards what it reads or
 * streams: the fixture of the microbenchmarks. Created, used and closed from one thread outside the loops.
 */
public final class Loopback implements AutoCloseable {

    private static final int TIMEOUT_MS = 5000;

    private final NettyExecutionEngine engine;
    private final EventLoopGroup peerGroup;
    private final Peer peer;
    private final NettyAsyncSocket socket;
    private final EventLoop eventLoop;

    private Loopback(NettyTransport transport, Workload.PeerMode mode) throws Exception {
        engine = NettyExecutionEngine.create(transport, 1);
        if (engine == null) {
            throw new IllegalStateException(transport + " is not available");
        }
        peerGroup = NettyTransports.singleThreadGroup(transport, "bench-peer");
        peer = Peer.listen(peerGroup, transport, mode);
        NettySocketTransport connected = NettySocketTransport.connect(engine, "127.0.0.1", peer.port(), TIMEOUT_MS);
        if (connected == null) {
            close();
            throw new IllegalStateException("cannot connect");
        }
        peer.awaitConnected();
        socket = NettyAsyncSocket.create(engine);
        CompletableFuture<OpenResult> opened = new CompletableFuture<>();
        if (socket.openAsync(connected, (ctx, result) -> opened.complete(result), null) != 0
                || opened.get(TIMEOUT_MS, TimeUnit.MILLISECONDS) != OpenResult.OK) {
            close();
            throw new IllegalStateException("open failed");
        }
        eventLoop = connected.channel().eventLoop();
    }

    /** A socket whose peer discards everything it reads. */
    public static Loopback toDiscardingPeer(NettyTransport transport) throws Exception {
        return new Loopback(transport, Workload.PeerMode.DISCARD);
    }

    /** A socket whose peer streams to it, as fast as it reads, from now until closed. */
    public static Loopback fromStreamingPeer(NettyTransport transport) throws Exception {
        Loopback loopback = new Loopback(transport, Workload.PeerMode.STREAM);
        loopback.peer.startStreaming();
        return loopback;
    }

    public NettyAsyncSocket socket() {
        return socket;
    }

    /** The loop the socket's callbacks run on. */
    public EventLoop eventLoop() {
        return eventLoop;
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.destroy();
        }
        if (peer != null) {
            peer.close();
        }
        NettyTransports.shutDown(peerGroup);
        engine.decRef();
    }
}
