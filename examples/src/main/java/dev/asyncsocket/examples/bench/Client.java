package dev.asyncsocket.examples.bench;

/**
 * The client end of one connection, as a {@link Driver} runs it. Each stack implements it with its own
 * idiomatic primitives; the driver's logic is written once against this interface.
 *
 * <p>Threading: a client has one thread its events run on (the stack's single event-loop or completion
 * thread). {@link #send()} and {@link #flush()} are called only there, from events or from tasks given to
 * {@link #execute}. {@link #execute} and {@link #close()} may be called from any thread. A client receives
 * from the moment it is connected: every byte that arrives is reported to its {@link ClientEvents}.
 */
interface Client extends AutoCloseable {

    /** Runs {@code task} on the client's thread, never at the same time as one of its events. */
    void execute(Runnable task);

    /** Starts one send of the workload's message: the same buffers every time, never modified. */
    void send();

    /** Ends a burst of sends; a stack that batches its writes puts them on the wire by now. */
    void flush();

    /** Closes the connection; the events that follow are not failures. */
    @Override
    void close();
}
