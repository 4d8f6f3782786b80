package dev.asyncsocket.netty;

import dev.asyncsocket.AsyncSocket;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.spi.OutstandingOperations;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The send side's pressure on one socket, as a Netty channel's writability: the socket turns unwritable when
 * the bytes queued (sends accepted whose callback has not run, counted by {@link SocketCounters}) go past the
 * high water mark, and writable again once they drop to the low one or below. The listener is told of each
 * change in a task of its own on the socket's event loop, never on the stack of a {@code sendAsync}.
 *
 * <p>The state is {@code changes}, the number of changes so far: even is writable, odd unwritable. Only a
 * {@code sendAsync} caller turns it odd (a CAS from even, after its send was counted and before it is
 * handed to the loop), and only the thread that completes sends turns it even (after a send left the
 * queue). Hence:
 * <ul>
 *   <li>it never stays unwritable with nothing queued: the send whose acceptance turned it odd completes
 *       after that CAS, and every completion that leaves the queue at or below the low mark turns it even;</li>
 *   <li>the listener is told every change, in order, so its calls alternate; changes that ran both ways
 *       before the task ran are told as one such pair, so a producer that saw the socket unwritable meanwhile
 *       is still told it is writable again;</li>
 *   <li>a completion reads the state before the bytes queued, so it turns the socket writable only on counts
 *       that include the send that made it unwritable: a producer that sends only while it is writable keeps
 *       at most the high mark plus one send queued.</li>
 * </ul>
 * Each notification task counts as an outstanding operation of the socket, so it runs before the socket
 * turns CLOSED: none arrives after a new open. Thread-safe. Beyond the counters' own adds, a send costs a
 * volatile read or two here; a CAS and a task only where the state changes.
 */
final class SendPressure implements Runnable {

    /** As Netty's default {@code WriteBufferWaterMark}. */
    static final long DEFAULT_LOW_WATER_MARK = 32 * 1024;
    static final long DEFAULT_HIGH_WATER_MARK = 64 * 1024;

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(SendPressure.class);
    /** What listeners throw goes where what the other callbacks throw goes. */
    private static final InternalLogger CALLBACKS = InternalLoggerFactory.getInstance(AsyncSocket.class);
    private static final AtomicLongFieldUpdater<SendPressure> CHANGES =
            AtomicLongFieldUpdater.newUpdater(SendPressure.class, "changes");
    private static final AtomicIntegerFieldUpdater<SendPressure> TELLING =
            AtomicIntegerFieldUpdater.newUpdater(SendPressure.class, "telling");

    /** Both marks, replaced together. */
    private record WaterMarks(long low, long high) {
    }

    /** A listener and its context. */
    private record Listener<C>(OnWritabilityChanged<C> onChanged, C context) {
        void tell(boolean writable) {
            try {
                onChanged.onWritabilityChanged(context, writable);
            } catch (Throwable t) {
                String message = "onWritabilityChanged threw; the socket carries on";
                if (t instanceof VirtualMachineError) {
                    CALLBACKS.error(message, t);
                } else {
                    CALLBACKS.warn(message, t);
                }
            }
        }
    }

    private final SocketCounters counters;
    private final OutstandingOperations outstanding;
    private volatile WaterMarks marks = new WaterMarks(DEFAULT_LOW_WATER_MARK, DEFAULT_HIGH_WATER_MARK);
    private volatile Listener<?> listener;
    /** The number of changes: even while writable. */
    private volatile long changes;
    /** 1 while a notification task is scheduled. */
    private volatile int telling;
    /** The changes the listener was told of (or that passed while there was none); by the notification task. */
    private volatile long told;

    SendPressure(SocketCounters counters, OutstandingOperations outstanding) {
        this.counters = counters;
        this.outstanding = outstanding;
    }

    boolean isWritable() {
        return isWritable(changes);
    }

    private static boolean isWritable(long changes) {
        return (changes & 1) == 0;
    }

    long lowWaterMark() {
        return marks.low();
    }

    long highWaterMark() {
        return marks.high();
    }

    /** Sets both marks, or refuses them with a warning that says why; returns whether they were set. */
    boolean setWaterMarks(long low, long high) {
        String refused = low < 0 ? "the low water mark is negative"
                : high < low ? "the high water mark is below the low one" : null;
        if (refused != null) {
            LOG.warn("send water marks {} (low) and {} (high) refused: {}", low, high, refused);
            return false;
        }
        marks = new WaterMarks(low, high);
        return true;
    }

    <C> void setListener(OnWritabilityChanged<C> onChanged, C context) {
        listener = onChanged == null ? null : new Listener<>(onChanged, context);
    }

    /**
     * Counts a send that {@code sendAsync} accepted, and turns the socket unwritable if the bytes queued went
     * past the high mark. Call before the send is handed to the loop. Any thread.
     */
    void accepted(long bytes, Executor loop) {
        long queued = counters.sendAccepted(bytes);
        if (queued <= marks.high()) {
            return;
        }
        for (long now = changes; isWritable(now); now = changes) {
            if (CHANGES.compareAndSet(this, now, now + 1)) {
                scheduleTelling(loop);
                return;
            }
        }
    }

    /**
     * Counts a send about to call back with {@code result}, and turns the socket writable if the bytes queued
     * dropped to the low mark. The thread that completes sends, one at a time.
     */
    void completed(long bytes, SendResult result, Executor loop) {
        counters.sendCompleted(bytes, result);
        long now = changes;
        // The bytes accepted are read after the state: they include those of the send that turned it unwritable.
        if (!isWritable(now) && counters.queuedSendBytes() <= marks.low()
                && CHANGES.compareAndSet(this, now, now + 1)) {
            scheduleTelling(loop);
        }
    }

    private void scheduleTelling(Executor loop) {
        if (telling == 0 && TELLING.compareAndSet(this, 0, 1)) {
            outstanding.accepted();
            loop.execute(this);
        }
    }

    /** The notification task: tells the listener what changed since it last ran. */
    @Override
    public void run() {
        try {
            telling = 0; // before reading the changes: one made after that read schedules another task
            long now = changes;
            long behind = now - told;
            told = now;
            Listener<?> current = listener;
            if (behind == 0 || current == null) {
                return;
            }
            if (behind % 2 == 0) {
                current.tell(!isWritable(now));
            }
            current.tell(isWritable(now));
        } finally {
            outstanding.completed();
        }
    }
}
