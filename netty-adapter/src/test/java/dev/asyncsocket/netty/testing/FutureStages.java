package dev.asyncsocket.netty.testing;

import dev.asyncsocket.netty.FutureSocket;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Loops made of {@link FutureSocket} stages only: each step is chained to the last one's completion, on the
 * socket's event loop; nothing waits. Stateless.
 */
public final class FutureStages {

    private FutureStages() {
    }

    /** Receives until {@code buffer} is full; completes with it, or with the first failure or an early EOF. */
    public static CompletableFuture<ByteBuffer> receiveFully(FutureSocket socket, ByteBuffer buffer) {
        return socket.receive(buffer).thenCompose(received -> received == FutureSocket.END_OF_STREAM
                ? CompletableFuture.failedFuture(new EOFException("the stream ended " + buffer.remaining() + " bytes short"))
                : buffer.hasRemaining() ? receiveFully(socket, buffer) : CompletableFuture.completedFuture(buffer));
    }

    /**
     * Receives, sends back what came, again, until the peer's end of stream; completes with how many bytes
     * went back, or with the first failure.
     */
    public static CompletableFuture<Long> echoUntilEndOfStream(FutureSocket socket, int bufferSize) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        next(socket, ByteBuffer.allocate(bufferSize), 0, done);
        return done;
    }

    private static void next(FutureSocket socket, ByteBuffer buffer, long echoed, CompletableFuture<Long> done) {
        socket.receive(buffer.clear()).whenComplete((received, receiveFailed) -> {
            if (receiveFailed != null) {
                done.completeExceptionally(receiveFailed);
            } else if (received == FutureSocket.END_OF_STREAM) {
                done.complete(echoed);
            } else {
                socket.send(buffer.flip()).whenComplete((sent, sendFailed) -> {
                    if (sendFailed != null) {
                        done.completeExceptionally(sendFailed);
                    } else {
                        next(socket, buffer, echoed + received, done);
                    }
                });
            }
        });
    }
}
