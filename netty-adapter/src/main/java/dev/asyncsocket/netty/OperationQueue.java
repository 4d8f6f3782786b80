package dev.asyncsocket.netty;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * The operations that API calls hand to one connection's event loop: an unbounded multi-producer,
 * single-consumer queue whose nodes are the operations themselves (Vyukov's intrusive MPSC queue).
 *
 * <p>{@link #offer} is wait-free and may be called from any thread; {@link #poll} only from the consumer
 * (the event loop). FIFO in the order the producers' swaps on {@code tail} took effect. A producer caught
 * between its swap and its link hides the nodes behind it for a moment: {@link #poll} may then return
 * {@code null} though the queue is not empty, and that producer must, after linking, make sure the
 * consumer runs again ({@link Connection} does so by scheduling a drain).
 */
final class OperationQueue {

    private static final AtomicReferenceFieldUpdater<OperationQueue, Operation> TAIL =
            AtomicReferenceFieldUpdater.newUpdater(OperationQueue.class, Operation.class, "tail");

    private volatile Operation tail;
    /** The last node consumed (initially a stub); only the consumer touches it. */
    private Operation head;

    OperationQueue() {
        Operation stub = new Stub();
        head = stub;
        tail = stub;
    }

    void offer(Operation operation) {
        Operation previous = TAIL.getAndSet(this, operation);
        previous.next(operation);
    }

    /** Whether nothing is queued, not even by a producer still linking its node. Consumer only. */
    boolean isEmpty() {
        return tail == head;
    }

    /** The oldest operation, or {@code null} if there is none (or none linked yet). */
    Operation poll() {
        Operation next = head.next();
        if (next == null) {
            return null;
        }
        head.next(null); // let the consumed node go
        head = next;
        return next;
    }

    /** An operation that is only a node: the queue's stub, and a test's marker. Never started nor abandoned. */
    static class Stub implements Operation {
        private volatile Operation next;

        @Override
        public Operation next() {
            return next;
        }

        @Override
        public void next(Operation next) {
            this.next = next;
        }

        @Override
        public void start(Hooks connection) {
            throw new AssertionError("stub");
        }

        @Override
        public void abandon(Hooks connection) {
            throw new AssertionError("stub");
        }
    }
}
