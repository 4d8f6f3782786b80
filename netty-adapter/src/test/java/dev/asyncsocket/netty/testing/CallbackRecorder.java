package dev.asyncsocket.netty.testing;

import dev.asyncsocket.OnOpenComplete;
import dev.asyncsocket.OnReceiveComplete;
import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Records every callback it is given, in the order they ran, with the context and the thread, so that a
 * test can wait for them and check result, count and order. Use its methods as the callbacks:
 * {@code socket.sendAsync(payload, recorder::onSendComplete, context)}. Thread-safe.
 */
public final class CallbackRecorder implements OnOpenComplete<Object>, OnSendComplete<Object>, OnReceiveComplete<Object> {

    /** How long {@link #next()} waits before failing the test. */
    public static final long TIMEOUT_SECONDS = 10;

    /** One callback: which kind, its result (an OpenResult, SendResult or ReceiveResult), bytes, context, thread. */
    public record Callback(Enum<?> result, int bytes, Object context, Thread thread) {
    }

    private final BlockingQueue<Callback> callbacks = new LinkedBlockingQueue<>();
    private final List<Callback> all = new ArrayList<>();

    @Override
    public void onOpenComplete(Object context, OpenResult result) {
        record(new Callback(result, 0, context, Thread.currentThread()));
    }

    @Override
    public void onSendComplete(Object context, SendResult result) {
        record(new Callback(result, 0, context, Thread.currentThread()));
    }

    @Override
    public void onReceiveComplete(Object context, ReceiveResult result, int bytesReceived) {
        record(new Callback(result, bytesReceived, context, Thread.currentThread()));
    }

    private void record(Callback callback) {
        synchronized (all) {
            all.add(callback);
        }
        callbacks.add(callback);
    }

    /** The next callback, waiting for it; fails the test if none comes within {@link #TIMEOUT_SECONDS}. */
    public Callback next() throws InterruptedException {
        Callback callback = callbacks.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(callback, "no callback within " + TIMEOUT_SECONDS + " s");
        return callback;
    }

    /** The next {@code count} callbacks, in order. */
    public List<Callback> next(int count) throws InterruptedException {
        List<Callback> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            result.add(next());
        }
        return result;
    }

    /** Every callback recorded so far, in order, whether or not {@link #next()} returned it. */
    public List<Callback> all() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** How many callbacks ran so far. */
    public int count() {
        synchronized (all) {
            return all.size();
        }
    }
}
