package dev.asyncsocket;

/**
 * The threads that run a socket's I/O and callbacks (c-pal's EXECUTION_ENGINE_HANDLE).
 * Reference counted: the count starts at 1, every socket created on the engine holds one reference
 * until it is destroyed, and the engine releases its threads when the count reaches 0.
 */
public interface ExecutionEngine {
    void incRef();

    void decRef();
}
