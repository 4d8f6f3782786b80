package dev.asyncsocket.netty.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Waiting on latches from inside callbacks and tasks, where a checked exception has nowhere to go. */
public final class Latches {

    private Latches() {
    }

    /** Waits up to {@link CallbackRecorder#TIMEOUT_SECONDS}; an interrupt ends the wait and is kept. */
    public static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
