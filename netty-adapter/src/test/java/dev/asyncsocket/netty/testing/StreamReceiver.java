package dev.asyncsocket.netty.testing;

import dev.asyncsocket.AsyncSocket;
import dev.asyncsocket.ReceiveResult;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Receives a stream of a known length on any {@link AsyncSocket}, as an application does: one receive at a
 * time, each posted from the callback of the one before, until the whole length came. Start it, do what makes
 * the bytes come, then {@link #await()} them. Thread-safe.
 */
public final class StreamReceiver {

    private final AsyncSocket socket;
    private final int length;
    private final int bufferSize;
    /** Written by the receive callbacks only, which run one after another. */
    private final ByteArrayOutputStream received;
    private volatile int receivedCount;
    private final CompletableFuture<byte[]> done = new CompletableFuture<>();

    private StreamReceiver(AsyncSocket socket, int length, int bufferSize) {
        this.socket = socket;
        this.length = length;
        this.bufferSize = bufferSize;
        this.received = new ByteArrayOutputStream(length);
    }

    /** Posts the first receive of buffers of up to {@code bufferSize} bytes, for {@code length} bytes in all. */
    public static StreamReceiver start(AsyncSocket socket, int length, int bufferSize) {
        StreamReceiver receiver = new StreamReceiver(socket, length, bufferSize);
        receiver.post();
        return receiver;
    }

    private void post() {
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(bufferSize, length - receivedCount));
        if (socket.receiveAsync(new ByteBuffer[] {buffer}, (context, result, bytes) -> received(buffer, result, bytes), null) != 0) {
            done.completeExceptionally(new AssertionError("receiveAsync refused a receive after " + receivedCount + " of "
                    + length + " bytes"));
        }
    }

    private void received(ByteBuffer buffer, ReceiveResult result, int bytes) {
        if (result != ReceiveResult.OK || bytes != buffer.position()) {
            done.completeExceptionally(new AssertionError("a receive completed " + result + " with " + bytes + " bytes (it wrote "
                    + buffer.position() + ") after " + receivedCount + " of " + length + " bytes"));
            return;
        }
        received.write(buffer.array(), 0, bytes);
        receivedCount = received.size();
        if (receivedCount < length) {
            post();
        } else {
            done.complete(received.toByteArray());
        }
    }

    /**
     * The whole stream, waiting up to {@link CallbackRecorder#TIMEOUT_SECONDS}; fails the test, saying how many
     * bytes came, if it does not come whole by then or a receive does not complete OK.
     */
    public byte[] await() throws InterruptedException {
        try {
            return done.get(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return fail("received " + receivedCount + " of " + length + " bytes within " + CallbackRecorder.TIMEOUT_SECONDS + " s");
        } catch (ExecutionException e) {
            throw (AssertionError) e.getCause();
        }
    }
}
