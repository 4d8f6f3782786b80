package dev.asyncsocket.examples.soak;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Makes a few of the soak's callbacks throw, once their bookkeeping is done: a RuntimeException, or an Error
 * made here (never a real one). The library must log each and carry on as if nothing happened, so the links'
 * books still balance. Thread-safe.
 */
final class CallbackThrows {

    /** What a callback throws. */
    enum Kind { RUNTIME_EXCEPTION, OUT_OF_MEMORY_ERROR, STACK_OVERFLOW_ERROR }

    /** Which callback threw. */
    enum Callback { OPEN, SEND, RECEIVE }

    /** How many throws of each kind, and how many of them the library logged. */
    record Summary(Map<Kind, Long> thrown, Map<Callback, Long> byCallback, long logged) {

        long total() {
            return thrown.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Each throw was logged, once: none escaped the library's guard, none was lost or doubled. */
        boolean passed() {
            return logged == total();
        }

        void print(PrintStream out) {
            out.printf("throws          by callbacks on checked links %,d: %s (%s); logged by the library %,d%n", total(),
                    EnumCounts.describe(thrown), EnumCounts.describe(byCallback), logged);
        }
    }

    private static final String MARK = "thrown by a RaceSoak callback on purpose";

    private final int oneIn;
    private final EnumCounts<Kind> thrown = new EnumCounts<>(Kind.class);
    private final EnumCounts<Callback> byCallback = new EnumCounts<>(Callback.class);
    private final LongAdder logged = new LongAdder();

    /** Throws from one callback in {@code oneIn}. */
    CallbackThrows(int oneIn) {
        this.oneIn = oneIn;
    }

    /** Call last in a callback: throws, now and then. */
    void maybeThrow(Callback callback) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (random.nextInt(oneIn) != 0) {
            return;
        }
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        thrown.increment(kind);
        byCallback.increment(callback);
        switch (kind) {
            case OUT_OF_MEMORY_ERROR:
                throw new OutOfMemoryError(MARK);
            case STACK_OVERFLOW_ERROR:
                throw new StackOverflowError(MARK);
            default:
                throw new IllegalStateException(MARK);
        }
    }

    /** Whether {@code thrown} is one of these throws; if so, counts it as logged. */
    boolean loggedOneOfOurs(Throwable thrown) {
        if (thrown == null || !MARK.equals(thrown.getMessage())) {
            return false;
        }
        logged.increment();
        return true;
    }

    Summary summary() {
        return new Summary(thrown.snapshot(), byCallback.snapshot(), logged.sum());
    }
}
