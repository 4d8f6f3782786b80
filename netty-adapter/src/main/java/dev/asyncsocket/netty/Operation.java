package dev.asyncsocket.netty;

import dev.asyncsocket.OutstandingOperations;

/**
 * An accepted send or receive on its way to the event loop. It is its own node in the
 * {@link OperationQueue}, so queueing it allocates nothing.
 *
 * <p>Completed exactly once, on the event loop (or, after the loop has terminated, on the thread that
 * sweeps up): a second completion is a bug and fails loudly.
 */
abstract class Operation {

    /** Written by the producer that links the next node, read by the event loop. */
    volatile Operation next;

    private final OutstandingOperations outstanding;
    private boolean completed;

    Operation(OutstandingOperations outstanding) {
        this.outstanding = outstanding;
    }

    /** Starts the operation on its connection; runs on the event loop. */
    abstract void start(Connection connection);

    /** Completes the operation without doing it: the connection is gone. */
    abstract void abandon();

    final boolean isCompleted() {
        return completed;
    }

    /** Marks the operation complete; call right before its callback. */
    final void markCompleted() {
        if (completed) {
            throw new IllegalStateException("completed twice: " + this);
        }
        completed = true;
    }

    /** Call after the callback has returned. */
    final void callbackReturned() {
        outstanding.completed();
    }
}
