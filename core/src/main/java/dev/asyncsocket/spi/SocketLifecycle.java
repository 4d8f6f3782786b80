package dev.asyncsocket.spi;

import dev.asyncsocket.SocketState;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The state of one socket and the gate its send and receive calls pass through, as c-pal's
 * {@code state} and {@code pending_api_calls}.
 *
 * <p>A send or receive call brackets its work with {@link #enterApi()} and {@link #exitApi()}; it is let
 * in only while the socket is {@link SocketState#OPEN}. {@link #beginClose()} moves OPEN to CLOSING and
 * then waits until no call is inside the gate, so that no operation is accepted once the close has
 * started its work. Calls inside the gate never block, so that wait is short.
 *
 * <p>Thread-safe. Transitions are compare-and-set; waiting for transitions uses this object's monitor,
 * which the hot path ({@link #enterApi()}/{@link #exitApi()}) touches only while a close is waiting.
 */
public final class SocketLifecycle {

    private final AtomicReference<SocketState> state = new AtomicReference<>(SocketState.CLOSED);
    private final AtomicInteger apiCalls = new AtomicInteger();

    public SocketState state() {
        return state.get();
    }

    /** CLOSED to OPENING; false if the socket was in any other state. */
    public boolean beginOpen() {
        return move(SocketState.CLOSED, SocketState.OPENING);
    }

    /** OPENING to OPEN. */
    public void opened() {
        moveOrFail(SocketState.OPENING, SocketState.OPEN);
    }

    /** OPENING back to CLOSED. */
    public void openFailed() {
        moveOrFail(SocketState.OPENING, SocketState.CLOSED);
    }

    /**
     * OPEN to CLOSING, then waits until every send or receive call already inside the gate has left it.
     *
     * @return false, at once, if the socket was not open
     */
    public boolean beginClose() {
        if (!move(SocketState.OPEN, SocketState.CLOSING)) {
            return false;
        }
        awaitUntil(() -> apiCalls.get() == 0);
        return true;
    }

    /** CLOSING to CLOSED. */
    public void closed() {
        moveOrFail(SocketState.CLOSING, SocketState.CLOSED);
    }

    /** Waits while an open or a close is under way; returns the state then (a new open may already have begun). */
    public SocketState awaitSettled() {
        awaitUntil(() -> !state.get().isTransient());
        return state.get();
    }

    /** Waits on this monitor until {@code done}; an interrupt is kept for the caller, not acted on. */
    private void awaitUntil(BooleanSupplier done) {
        boolean interrupted = false;
        synchronized (this) {
            while (!done.getAsBoolean()) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets a send or receive call in; false, with nothing to undo, if the socket is not open. */
    public boolean enterApi() {
        apiCalls.incrementAndGet();
        if (state.get() != SocketState.OPEN) {
            exitApi();
            return false;
        }
        return true;
    }

    /** The call that {@link #enterApi()} let in has finished its work. */
    public void exitApi() {
        // The decrement and the state read pair with beginClose's state write and count read (both volatile):
        // either this call sees CLOSING and wakes the closer, or the closer sees the count at zero.
        if (apiCalls.decrementAndGet() == 0 && state.get() == SocketState.CLOSING) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private boolean move(SocketState from, SocketState to) {
        if (!from.canMoveTo(to)) {
            throw new IllegalStateException(from + " cannot move to " + to);
        }
        if (!state.compareAndSet(from, to)) {
            return false;
        }
        if (!to.isTransient()) {
            synchronized (this) {
                notifyAll();
            }
        }
        return true;
    }

    private void moveOrFail(SocketState from, SocketState to) {
        if (!move(from, to)) {
            throw new IllegalStateException("expected " + from + " but was " + state.get());
        }
    }

    @Override
    public String toString() {
        return state.get() + " (" + apiCalls.get() + " calls inside)";
    }
}
