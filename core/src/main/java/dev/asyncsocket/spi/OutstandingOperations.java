package dev.asyncsocket.spi;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Counts the operations a socket accepted and has not completed yet, so that a close can wait until
 * every accepted operation's callback has returned.
 *
 * <p>Thread-safe. {@link #accepted()} and {@link #completed()} are one atomic add each; the monitor is
 * touched only when the count drops to zero while somebody waits.
 */
public final class OutstandingOperations {

    private final AtomicLong count = new AtomicLong();
    private volatile boolean waiting;
    private final AtomicReference<Runnable> whenNone = new AtomicReference<>();

    public void accepted() {
        count.incrementAndGet();
    }

    /** Call after the operation's callback has returned. */
    public void completed() {
        long left = count.decrementAndGet();
        if (left < 0) {
            throw new IllegalStateException("more completions than accepted operations");
        }
        if (left == 0) {
            if (waiting) {
                synchronized (this) {
                    notifyAll();
                }
            }
            runWhenNone();
        }
    }

    /**
     * Runs {@code action} once no operation is outstanding, without waiting: at once if none is, else on the
     * thread that completes the last one. One action at a time; it runs exactly once.
     */
    public void whenNone(Runnable action) {
        if (!whenNone.compareAndSet(null, action)) {
            throw new IllegalStateException("an action is already waiting");
        }
        if (count.get() == 0) {
            runWhenNone();
        }
    }

    private void runWhenNone() {
        // A plain read first: the count reaches zero often (every ping-pong round trip), an action rarely waits.
        if (whenNone.get() == null) {
            return;
        }
        Runnable action = whenNone.getAndSet(null);
        if (action != null) {
            action.run();
        }
    }

    public long count() {
        return count.get();
    }

    /**
     * Waits until no operation is outstanding.
     *
     * @return true if none is outstanding, false if {@code timeout} passed first
     */
    public boolean awaitNone(long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        boolean interrupted = false;
        try {
            synchronized (this) {
                waiting = true;
                try {
                    while (count.get() != 0) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return false;
                        }
                        try {
                            TimeUnit.NANOSECONDS.timedWait(this, left);
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    return true;
                } finally {
                    waiting = false;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
