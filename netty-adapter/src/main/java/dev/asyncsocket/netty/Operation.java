package dev.asyncsocket.netty;

/**
 * An accepted send or receive on its way to the event loop. It is its own node in the
 * {@link OperationQueue}, so queueing it allocates nothing; an interface, so that a send can also be the
 * promise of its own write.
 *
 * <p>Completed exactly once, on the event loop (or, after the loop has terminated, on the thread that
 * sweeps up): implementations fail loudly on a second completion.
 */
interface Operation {

    /** The next node in the inbox: written (volatile) by the producer that links it, read by the event loop. */
    Operation next();

    void next(Operation next);

    /** Starts the operation on its connection; runs on the event loop. */
    void start(Connection connection);

    /**
     * Completes the operation without doing it: the connection is gone. On the event loop, or, once the loop
     * has terminated, on the thread that sweeps up.
     */
    void abandon(Connection connection);
}
