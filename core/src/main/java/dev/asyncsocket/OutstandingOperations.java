package dev.asyncsocket;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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

    public void accepted() {
        count.incrementAndGet();
    }

    /** Call after the operation's callback has returned. */
    public void completed() {
        long left = count.decrementAndGet();
        if (left < 0) {
            throw new IllegalStateException("more completions than accepted operations");
        }
        if (left == 0 && waiting) {
            synchronized (this) {
                notifyAll();
            }
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
