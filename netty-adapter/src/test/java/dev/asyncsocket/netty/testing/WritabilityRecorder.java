package dev.asyncsocket.netty.testing;

import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.OnWritabilityChanged;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records what a socket's writability listener is told, in order, with what the socket said at that moment,
 * the thread, and whether the call came from inside a {@code sendAsync} of that thread (the test marks its
 * sends with {@link #sending}). Register it with {@link #listenTo}. Thread-safe.
 */
public final class WritabilityRecorder implements OnWritabilityChanged<Object> {

    /** One notification: the value told, the socket's queued bytes then, the thread, and whether inside a send. */
    public record Told(boolean writable, long queuedBytes, Thread thread, boolean insideSendAsync) {
    }

    private final NettyAsyncSocket socket;
    /** Guarded by itself; waited on for new notifications. */
    private final List<Told> all = new ArrayList<>();
    private final ThreadLocal<Boolean> inSend = ThreadLocal.withInitial(() -> false);

    private WritabilityRecorder(NettyAsyncSocket socket) {
        this.socket = socket;
    }

    /** A recorder registered as {@code socket}'s listener. */
    public static WritabilityRecorder listenTo(NettyAsyncSocket socket) {
        WritabilityRecorder recorder = new WritabilityRecorder(socket);
        socket.setOnWritabilityChanged(recorder, null);
        return recorder;
    }

    @Override
    public void onWritabilityChanged(Object context, boolean writable) {
        Told told = new Told(writable, socket.counters().queuedSendBytes(), Thread.currentThread(), inSend.get());
        synchronized (all) {
            all.add(told);
            all.notifyAll();
        }
    }

    /** Runs {@code sends} marked as inside {@code sendAsync} on this thread. */
    public void sending(Runnable sends) {
        inSend.set(true);
        try {
            sends.run();
        } finally {
            inSend.set(false);
        }
    }

    /** The notification at {@code index} (0 for the first), waiting for it; fails the test if it does not come. */
    public Told told(int index) throws InterruptedException {
        await(told -> told.size() > index, "notification " + index);
        synchronized (all) {
            return all.get(index);
        }
    }

    /** Waits until a notification at {@code index} or later says writable; fails the test if none comes. */
    public void awaitWritableFrom(int index) throws InterruptedException {
        await(told -> told.subList(Math.min(index, told.size()), told.size()).stream().anyMatch(Told::writable),
                "writable from notification " + index);
    }

    /** Every notification so far, in order. */
    public List<Told> all() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** How many notifications came so far: an index for {@link #awaitWritableFrom}. */
    public int count() {
        synchronized (all) {
            return all.size();
        }
    }

    private void await(Predicate<List<Told>> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CallbackRecorder.TIMEOUT_SECONDS);
        synchronized (all) {
            while (!condition.test(all)) {
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, "no " + what + " within " + CallbackRecorder.TIMEOUT_SECONDS + " s: " + all);
                TimeUnit.NANOSECONDS.timedWait(all, left);
            }
        }
    }
}
