package dev.asyncsocket.examples.bench;

import dev.asyncsocket.OpenResult;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketTransport;
import dev.asyncsocket.netty.NettyTransport;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The stack under test: {@link NettyAsyncSocket} on an engine of one event-loop thread. Connects with the
 * library's own {@link NettySocketTransport#connect} and opens a socket on each connection. Used from the
 * benchmark's main thread.
 */
final class AsyncSocketStack implements Stack {

    static final String NAME = "AsyncSocket";
    private static final int TIMEOUT_MS = 5000;

    private final NettyExecutionEngine engine;

    /** @param copyBelow the engine's {@link NettyExecutionEngine#sendCopyThreshold(int)} */
    AsyncSocketStack(NettyTransport transport, int copyBelow) {
        this.engine = NettyExecutionEngine.create(transport, 1);
        if (engine == null) {
            throw new BenchmarkFailure(transport + " is not available");
        }
        engine.sendCopyThreshold(copyBelow);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Client connect(Workload workload, int port, ClientEvents events) throws Exception {
        NettySocketTransport transport = NettySocketTransport.connect(engine, "127.0.0.1", port, TIMEOUT_MS);
        if (transport == null) {
            throw new BenchmarkFailure("AsyncSocket: cannot connect to port " + port);
        }
        NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
        CompletableFuture<OpenResult> opened = new CompletableFuture<>();
        if (socket.openAsync(transport, (ctx, result) -> opened.complete(result), null) != 0
                || opened.get(TIMEOUT_MS, TimeUnit.MILLISECONDS) != OpenResult.OK) {
            transport.channel().close();
            socket.destroy();
            throw new BenchmarkFailure("AsyncSocket: open failed");
        }
        return AsyncSocketClient.start(socket, transport.channel().eventLoop(), workload, events);
    }

    @Override
    public Thread clientThread() {
        return NettyTransports.threadOf(engine.eventLoopGroup());
    }

    @Override
    public void close() {
        engine.decRef(); // the sockets were destroyed with their clients: this ends the engine's thread
    }
}
