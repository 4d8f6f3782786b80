package dev.asyncsocket.examples.bench;

/**
 * Streaming (A, D): keeps the workload's window of sends outstanding, the next send going out as one
 * completes; nothing comes back. Threading as {@link Driver}.
 */
final class StreamDriver extends Driver {

    StreamDriver(Workload workload) {
        super(workload);
    }

    @Override
    protected void sendsCompleted(int sends) {
        grant(sends);
    }

    @Override
    protected long expectedReceived(long streamed) {
        return 0;
    }
}
