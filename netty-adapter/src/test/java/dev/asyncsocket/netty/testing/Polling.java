package dev.asyncsocket.netty.testing;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Waiting for a condition that nothing reports (a count, a state another thread sets): it is polled. */
public final class Polling {

    private Polling() {
    }

    /**
     * Polls {@code condition} every millisecond for up to {@link CallbackRecorder#TIMEOUT_SECONDS}; fails with
     * {@code otherwise} if it never held.
     */
    public static void awaitTrue(BooleanSupplier condition, Supplier<String> otherwise) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CallbackRecorder.TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(otherwise.get());
            }
            Thread.sleep(1);
        }
    }
}
