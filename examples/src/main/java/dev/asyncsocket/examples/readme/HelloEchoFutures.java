package dev.asyncsocket.examples.readme;

import dev.asyncsocket.netty.FutureSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketListener;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.concurrent.TimeUnit.SECONDS;

public final class HelloEchoFutures {

    /** Starts an echo server, has a client send it "hello", and returns what came back. */
    public static String hello() throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create();     // event loops, best transport here
        if (engine == null) {
            throw new IllegalStateException("no event loops");
        }
        try (NettySocketListener listener = NettySocketListener.listen(engine, "127.0.0.1", 0)) {
            // The server: the next connection, opened, echoing until the client's end of stream.
            CompletableFuture<Void> served = listener.acceptAsync()
                    .thenCompose(connection -> FutureSocket.open(engine, connection))
                    .thenCompose(server -> echo(server, ByteBuffer.allocate(1024), new CompletableFuture<>())
                            .whenComplete((done, failed) -> server.close()));

            // The client: connect, send, receive the 5 bytes back, close.
            ByteBuffer reply = ByteBuffer.allocate(5);
            CompletableFuture<String> greeted = FutureSocket.connect(engine, "127.0.0.1", listener.port(), 3_000)
                    .thenCompose(client -> client.send(ByteBuffer.wrap("hello".getBytes(US_ASCII)))
                            .thenCompose(sent -> receiveFully(client, reply))
                            .whenComplete((done, failed) -> client.close()))
                    .thenApply(done -> new String(reply.array(), US_ASCII));

            // The one wait, on this thread. Stages run on event loops, where a wait throws instead.
            return greeted.thenCombine(served, (text, done) -> text).get(5, SECONDS);
        } finally {
            engine.decRef();     // the engine ends once the sockets are closed too
        }
    }

    /** Sends back what comes, until the end of stream (-1); each round starts when the last one is done. */
    static CompletableFuture<Void> echo(FutureSocket socket, ByteBuffer buffer, CompletableFuture<Void> ended) {
        socket.receive(buffer.clear()).whenComplete((received, failed) -> {
            if (failed != null) {
                ended.completeExceptionally(failed);     // a SocketFailureException: kind() says why
            } else if (received == FutureSocket.END_OF_STREAM) {
                ended.complete(null);
            } else {
                socket.send(buffer.flip()).whenComplete((sent, sendFailed) -> {
                    if (sendFailed != null) {
                        ended.completeExceptionally(sendFailed);
                    } else {
                        echo(socket, buffer, ended);
                    }
                });
            }
        });
        return ended;
    }

    /** A receive completes on the first bytes: receives again until the buffer is full. */
    static CompletableFuture<Void> receiveFully(FutureSocket socket, ByteBuffer buffer) {
        return socket.receive(buffer).thenCompose(received -> received == FutureSocket.END_OF_STREAM
                ? CompletableFuture.failedFuture(new EOFException("the stream ended early"))
                : buffer.hasRemaining() ? receiveFully(socket, buffer) : CompletableFuture.completedFuture(null));
    }
}
