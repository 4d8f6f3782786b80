package dev.asyncsocket.examples.bench.jmh;

import dev.asyncsocket.examples.bench.Loopback;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A batch of operations that runs on the socket's event loop while the benchmark thread waits, allocating
 * nothing itself: the batch starts as a task on the loop, the subclass's callbacks carry it on, and its
 * last one wakes the waiting thread. A batch that fails or takes more than ten seconds fails the benchmark.
 *
 * <p>Threading: {@link #runAndAwait()} from the benchmark thread; everything else on the event loop.
 */
abstract class EventLoopBatch implements Runnable {

    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Loopback loopback;
    private volatile Thread waiter;
    private volatile boolean done;
    private volatile String failure;

    EventLoopBatch(Loopback loopback) {
        this.loopback = loopback;
    }

    final Loopback loopback() {
        return loopback;
    }

    /** Runs one batch on the event loop and returns when it has finished. */
    final void runAndAwait() {
        done = false;
        waiter = Thread.currentThread();
        loopback.eventLoop().execute(this);
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (!done) {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("batch did not finish within 10 s");
            }
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    @Override
    public final void run() {
        begin();
    }

    /** Starts the batch; on the event loop. */
    protected abstract void begin();

    /** The batch is complete: wakes the benchmark thread. */
    protected final void finish() {
        done = true;
        LockSupport.unpark(waiter);
    }

    protected final void fail(String why) {
        failure = why;
        finish();
    }
}
