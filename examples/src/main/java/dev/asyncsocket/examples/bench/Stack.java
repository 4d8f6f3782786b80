package dev.asyncsocket.examples.bench;

/**
 * One of the three implementations compared: it owns its single client thread and connects clients on it.
 * Used from the benchmark's main thread; {@link #close()} ends the thread.
 */
interface Stack extends AutoCloseable {

    /** The column title in the report. */
    String name();

    /**
     * Connects a client to {@code 127.0.0.1:port} for {@code workload}, reporting to {@code events}.
     *
     * @throws Exception if the connection cannot be made within a few seconds
     */
    Client connect(Workload workload, int port, ClientEvents events) throws Exception;

    /** The one thread this stack's clients run on, for its CPU time. */
    Thread clientThread();

    @Override
    void close();
}
