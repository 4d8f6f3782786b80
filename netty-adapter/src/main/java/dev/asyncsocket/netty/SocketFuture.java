package dev.asyncsocket.netty;

import io.netty.channel.Channel;
import io.netty.util.concurrent.BlockingOperationException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The result of a {@link FutureSocket} operation: a {@link CompletableFuture} that will not be waited for
 * where the wait could deadlock. {@link #get()}, {@link #get(long, TimeUnit)} (with a positive time-out) and
 * {@link #join()} of a future not yet done throw Netty's {@link BlockingOperationException} at once on a
 * thread that must not block: any Netty event loop (every callback and every stage that a completion runs
 * is on one) and Netty's global executor, as Netty's own promises do. A done future may be read anywhere;
 * compose stages instead of waiting ({@code thenCompose}, {@code whenComplete}).
 *
 * <p>The stages made from it ({@code thenApply}, {@code thenCompose}, ...) are {@code SocketFuture}s too,
 * with the same check. Completing or cancelling one from outside does not cancel the operation behind it:
 * the operation goes on, and its result (the bytes a receive took, for one) is not seen. Thread-safe.
 */
public final class SocketFuture<T> extends CompletableFuture<T> {

    /** The channel whose operation this is, or {@code null}: a wait on its pipeline's executors is refused too. */
    private final Channel channel;

    SocketFuture(Channel channel) {
        this.channel = channel;
    }

    /** An already failed future. */
    static <T> SocketFuture<T> failed(Channel channel, Throwable cause) {
        SocketFuture<T> failed = new SocketFuture<>(channel);
        failed.completeExceptionally(cause);
        return failed;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new SocketFuture<>(channel);
    }

    /** {@inheritDoc} @throws BlockingOperationException if not done and the calling thread must not block */
    @Override
    public T get() throws InterruptedException, ExecutionException {
        refuseBlockingWait();
        return super.get();
    }

    /**
     * {@inheritDoc} A time-out of 0 or less only polls, as Netty's {@code await} does, and is allowed anywhere.
     *
     * @throws BlockingOperationException if not done, {@code timeout} is positive and the calling thread must
     *     not block
     */
    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (timeout > 0) {
            refuseBlockingWait();
        }
        return super.get(timeout, unit);
    }

    /** {@inheritDoc} @throws BlockingOperationException if not done and the calling thread must not block */
    @Override
    public T join() {
        refuseBlockingWait();
        return super.join();
    }

    private void refuseBlockingWait() {
        if (!isDone() && !(channel == null ? CurrentThread.mayBlock() : CurrentThread.mayBlock(channel))) {
            throw new BlockingOperationException("a wait for " + this + " on " + Thread.currentThread().getName()
                    + ", which must not block (it may be the thread that completes it): compose stages instead");
        }
    }
}
