package dev.asyncsocket.examples.soak;

import java.io.PrintStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Makes the soak's blocking {@code close()} and {@code destroy()} calls (those from threads that may block) on a
 * thread of its own, and waits for each up to a bound: one that does not return is reported, with the stack it
 * is stuck in, and the soak goes on instead of hanging. Thread-safe.
 */
final class Closer {

    /** How the calls went: each returned within the bound, or did not; none may throw. */
    record Summary(long calls, long notReturned, long threw, long worstNanos, long boundSeconds) {

        boolean passed() {
            return notReturned == 0 && threw == 0;
        }

        void print(PrintStream out) {
            out.printf("closes          blocking close()/destroy() %,d, returned %,d (worst %.1f ms), not returned within %d s: %d,"
                    + " threw %d%n", calls, calls - notReturned, worstNanos / 1e6, boundSeconds, notReturned, threw);
        }
    }

    private final long boundSeconds;
    private final Consumer<String> problems;
    private final AtomicInteger threadCount = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "soak-closer-" + threadCount.incrementAndGet());
        thread.setDaemon(true); // one stuck in a close that never returns must not keep the JVM alive
        return thread;
    });
    private final LongAdder calls = new LongAdder();
    private final LongAdder notReturned = new LongAdder();
    private final LongAdder threw = new LongAdder();
    private final AtomicLong worstNanos = new AtomicLong();

    Closer(long boundSeconds, Consumer<String> problems) {
        this.boundSeconds = boundSeconds;
        this.problems = problems;
    }

    /**
     * Runs {@code call}, a blocking close or destroy of {@code what}, and waits for it.
     *
     * @return whether it returned within the bound
     */
    boolean run(String what, Runnable call) {
        AtomicReference<Thread> runner = new AtomicReference<>();
        long started = System.nanoTime();
        calls.increment();
        Future<?> done = threads.submit(() -> {
            runner.set(Thread.currentThread());
            call.run();
        });
        try {
            done.get(boundSeconds, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            notReturned.increment();
            Thread stuck = runner.get();
            problems.accept(what + " did not return within " + boundSeconds + " s"
                    + (stuck == null ? "" : "; " + stuck.getName() + " is at:\n" + RaceSoak.stackOf(stuck)));
            return false;
        } catch (ExecutionException e) {
            threw.increment();
            problems.accept(what + " threw " + e.getCause());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            worstNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
        }
    }

    /** Lets the threads go; one stuck in a call stays stuck, as a daemon. */
    void shutdown() {
        threads.shutdown();
    }

    Summary summary() {
        return new Summary(calls.sum(), notReturned.sum(), threw.sum(), worstNanos.get(), boundSeconds);
    }
}
