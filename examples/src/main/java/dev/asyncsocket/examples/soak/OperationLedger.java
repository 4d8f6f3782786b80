package dev.asyncsocket.examples.soak;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the exactly-once guarantee of one socket (or of many): every call that returned success gets
 * exactly one callback, a call that returned failure gets none.
 *
 * <p>Use: create an {@link Op} before the call and pass it as the call's context; after the call returns,
 * report the verdict with {@link #accepted} or {@link #refused}; from the callback, call {@link #called}.
 * The callback may run before the verdict is reported (on another thread), and the ledger copes with
 * either order. Only counters are kept, so an {@code Op} is garbage once its callback ran. Thread-safe.
 */
public final class OperationLedger {

    private static final int ACCEPTED = 1;
    private static final int REFUSED = 2;
    private static final int CALLED = 4;

    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder completedAccepted = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder calledWhenRefused = new LongAdder();

    /** One operation, handed to the API as (part of) its context. */
    public static final class Op {
        private final AtomicInteger state = new AtomicInteger();
        /** Free for the caller: what the callback needs to know about the operation. */
        public final Object attachment;

        public Op(Object attachment) {
            this.attachment = attachment;
        }
    }

    public Op newOp() {
        return new Op(null);
    }

    /** The call returned success: exactly one callback must follow. */
    public void accepted(Op op) {
        int before = op.state.getAndUpdate(s -> s | ACCEPTED);
        accepted.increment();
        if ((before & CALLED) != 0) {
            completedAccepted.increment();
        }
    }

    /** The call returned failure: no callback may follow. */
    public void refused(Op op) {
        int before = op.state.getAndUpdate(s -> s | REFUSED);
        refused.increment();
        if ((before & CALLED) != 0) {
            calledWhenRefused.increment();
        }
    }

    /**
     * A callback ran for {@code op}.
     *
     * @return false if it is not the first callback for {@code op} (a duplicate, counted as a failure)
     */
    public boolean called(Op op) {
        int before = op.state.getAndUpdate(s -> s | CALLED);
        if ((before & CALLED) != 0) {
            duplicates.increment();
            return false;
        }
        if ((before & ACCEPTED) != 0) {
            completedAccepted.increment();
        } else if ((before & REFUSED) != 0) {
            calledWhenRefused.increment();
        }
        return true;
    }

    public long accepted() {
        return accepted.sum();
    }

    public long refused() {
        return refused.sum();
    }

    /** Accepted operations whose callback has run. */
    public long completed() {
        return completedAccepted.sum();
    }

    /** Accepted operations still waiting for their callback; once everything has ended, the lost ones. */
    public long outstanding() {
        return accepted.sum() - completedAccepted.sum();
    }

    /** Second (or later) callbacks for one operation. */
    public long duplicates() {
        return duplicates.sum();
    }

    /** Callbacks for operations whose call had returned failure. */
    public long calledWhenRefused() {
        return calledWhenRefused.sum();
    }

    @Override
    public String toString() {
        return "accepted " + accepted() + ", completed " + completed() + ", refused " + refused()
                + ", duplicates " + duplicates() + ", called when refused " + calledWhenRefused();
    }
}
