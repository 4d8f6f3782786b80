package dev.asyncsocket.examples.bench;

/**
 * Receiving (E): sends nothing; the round must receive exactly what the peer streamed. Threading as
 * {@link Driver}.
 */
final class ReceiveDriver extends Driver {

    ReceiveDriver(Workload workload) {
        super(workload);
    }

    @Override
    protected long expectedReceived(long streamed) {
        return streamed;
    }
}
