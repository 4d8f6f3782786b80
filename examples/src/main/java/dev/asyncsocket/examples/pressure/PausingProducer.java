package dev.asyncsocket.examples.pressure;

import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.NettyAsyncSocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Streams {@code total} bytes over an open socket and heeds its send pressure: it sends while the socket is
 * writable, stops when it is not, and goes on when the socket's writability listener says it is writable
 * again. So a peer that reads slowly holds at most the socket's high water mark, and one chunk, in this
 * process, however much is left to send. It needs no thread of its own: the first round runs on the thread
 * that starts it, the next ones on the socket's event loop, inside the listener.
 *
 * <p>The rounds take this object's lock, held only while {@code sendAsync} calls run (they never block), so
 * that a round started by the listener waits for one still under way instead of racing it; either way the
 * round that comes last sees the socket's writability as it is now, so no wake-up is lost.
 */
public final class PausingProducer {

    private final NettyAsyncSocket socket;
    private final ByteBuffer chunk;
    private final long total;
    private final CompletableFuture<Long> done = new CompletableFuture<>();
    /** Guarded by this. */
    private long sent;
    private int pauses;
    private long mostQueued;
    /** Written by the send callbacks only, which run one at a time. */
    private volatile long completed;

    private PausingProducer(NettyAsyncSocket socket, ByteBuffer chunk, long total) {
        this.socket = socket;
        this.chunk = chunk;
        this.total = total;
    }

    /**
     * Starts streaming {@code total} bytes, as many copies of {@code chunk} as it takes (the last one cut short),
     * on an open socket. The chunk is lent to the socket until {@link #done()} completes.
     */
    public static PausingProducer start(NettyAsyncSocket socket, ByteBuffer chunk, long total) {
        PausingProducer producer = new PausingProducer(socket, chunk.asReadOnlyBuffer(), total);
        socket.setOnWritabilityChanged((self, writable) -> {
            if (writable) {
                self.sendWhileWritable();
            }
        }, producer);
        producer.sendWhileWritable();
        return producer;
    }

    /** Completes with the bytes sent once every send completed OK; exceptionally at the first that did not. */
    public CompletableFuture<Long> done() {
        return done;
    }

    /** How many times the producer stopped because the socket was not writable. */
    public synchronized int pauses() {
        return pauses;
    }

    /** The most bytes the socket held queued right after one of this producer's sends. */
    public synchronized long mostQueued() {
        return mostQueued;
    }

    private synchronized void sendWhileWritable() {
        while (sent < total && !done.isDone()) {
            if (!socket.isWritable()) {
                pauses++;
                return; // the listener calls again once the socket is writable
            }
            ByteBuffer next = chunk.duplicate();
            next.limit((int) Math.min(next.limit(), total - sent));
            SendSyncResult accepted = socket.sendAsync(new ByteBuffer[] {next}, this::onSent, next.remaining());
            if (accepted != SendSyncResult.OK) {
                done.completeExceptionally(new IOException("a send was refused: " + accepted));
                return;
            }
            sent += next.remaining();
            mostQueued = Math.max(mostQueued, socket.counters().queuedSendBytes());
        }
    }

    private void onSent(Integer bytes, SendResult result) {
        if (result != SendResult.OK) {
            done.completeExceptionally(new IOException("a send completed " + result + ": " + socket.lastFailure()));
            return;
        }
        long now = completed + bytes;
        completed = now;
        if (now == total) {
            done.complete(now);
        }
    }
}
