package dev.asyncsocket.examples.soak;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A thread that changes what callers hand to the API: the elements of a payload array and the bounds of its
 * buffers, as fast as it can while a call runs ({@link #during}), and now and then while a receive's buffers are
 * lent ({@link #lend}). Callers choose what it changes (a {@link Target}), so that they know what the API may have
 * read. Thread-safe.
 */
final class Mutator {

    /** Something to change, again and again, from the mutator's thread. */
    interface Target {
        void mutate(Random random);
    }

    /** One call under way, and how many times its target was changed so far. */
    private static final class Aim {
        private final Target target;
        private boolean finished;
        volatile long rounds;

        Aim(Target target) {
            this.target = target;
        }

        /** Changes the target once, unless the call is over. */
        synchronized void mutate(Mutator mutator) {
            if (!finished) {
                mutator.mutate(target);
                rounds++;
            }
        }

        /** The call is over: returns once no change is under way, and none follows. */
        synchronized void finish() {
            finished = true;
        }
    }

    private static final long WAKE_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long LENT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Set<Aim> calls = ConcurrentHashMap.newKeySet();
    private final Set<Target> lent = ConcurrentHashMap.newKeySet();
    private final Random random;
    private final Thread thread = new Thread(this::run, "soak-mutator");
    private final LongAdder mutations = new LongAdder();
    private final LongAdder mutatedCalls = new LongAdder();
    private final LongAdder racedCalls = new LongAdder();
    private volatile boolean stopping;

    Mutator(long seed) {
        this.random = new Random(seed);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() throws InterruptedException {
        stopping = true;
        LockSupport.unpark(thread);
        thread.join(5000);
    }

    /**
     * Makes {@code call} while this thread changes {@code target}; waits (up to a millisecond) for it to be at
     * work first, so that the call races it, and leaves the target alone once the call has returned (unless it is
     * {@linkplain #lend lent}). Counts the call as raced if the target changed while it ran.
     */
    <T> T during(Target target, Supplier<T> call) {
        Aim aim = new Aim(target);
        calls.add(aim);
        LockSupport.unpark(thread);
        long giveUp = System.nanoTime() + WAKE_UP_NANOS;
        while (aim.rounds == 0 && System.nanoTime() - giveUp < 0) {
            Thread.yield(); // with more threads than cores, the mutator may need this one's
        }
        long before = aim.rounds;
        try {
            return call.get();
        } finally {
            aim.finish();
            calls.remove(aim);
            mutatedCalls.increment();
            if (aim.rounds > before) {
                racedCalls.increment();
            }
        }
    }

    /** Goes on changing {@code target} now and then, until {@link #giveBack}. */
    void lend(Target target) {
        lent.add(target);
    }

    void giveBack(Target target) {
        lent.remove(target);
    }

    long mutations() {
        return mutations.sum();
    }

    /** Calls made while this thread was changing their arguments. */
    long mutatedCalls() {
        return mutatedCalls.sum();
    }

    /** Calls during which their arguments did change. */
    long racedCalls() {
        return racedCalls.sum();
    }

    private void run() {
        while (!stopping) {
            if (!calls.isEmpty()) {
                for (Aim aim : calls) {
                    aim.mutate(this);
                }
            } else if (!lent.isEmpty()) {
                lent.forEach(this::mutate);
                LockSupport.parkNanos(LENT_PAUSE_NANOS);
            } else {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    private void mutate(Target target) {
        try {
            target.mutate(random);
        } catch (IllegalArgumentException e) {
            // the event loop moved the same buffer's bounds meanwhile: a race this thread is here to make
        }
        mutations.increment();
    }

    // ------------------------------------------------------------------------------------ targets

    /**
     * One element of {@code array} flickers between its buffer and null, and, if {@code position} is set, that
     * buffer's position between where it is and its limit. Every state the API may read is then either bad input
     * or the original, so an accepted call carries exactly the original bytes (for a receive, the original room).
     */
    static Target flicker(ByteBuffer[] array, int index, boolean position) {
        ByteBuffer buffer = array[index];
        int start = buffer.position();
        int limit = buffer.limit();
        return random -> {
            array[index] = random.nextBoolean() ? buffer : null;
            if (position) {
                buffer.position(random.nextBoolean() ? start : limit);
            }
        };
    }

    private static final ByteBuffer NO_ROOM = ByteBuffer.allocate(0);
    private static final ByteBuffer READ_ONLY = ByteBuffer.allocate(64).asReadOnlyBuffer();

    /**
     * Anything goes: any element of {@code array} becomes one of {@code buffers}, null, a buffer with nothing
     * remaining or a read-only one, and any of {@code buffers} gets any bounds within its capacity (a direct one's
     * limit stays where it is unless {@code directLimits}).
     */
    static Target scramble(ByteBuffer[] array, ByteBuffer[] buffers, boolean directLimits) {
        return random -> {
            int index = random.nextInt(array.length);
            int roll = random.nextInt(8);
            array[index] = roll == 0 ? null : roll == 1 ? NO_ROOM : roll == 2 ? READ_ONLY : buffers[random.nextInt(buffers.length)];
            ByteBuffer buffer = buffers[random.nextInt(buffers.length)];
            scrambleBounds(buffer, random, directLimits || !buffer.isDirect());
        };
    }

    /** Gives {@code buffer} a random position, and a random limit if {@code limit}; sometimes nothing between them. */
    static void scrambleBounds(ByteBuffer buffer, Random random, boolean limit) {
        if (limit) {
            buffer.limit(random.nextInt(buffer.capacity() + 1));
        }
        buffer.position(random.nextInt(4) == 0 ? buffer.limit() : random.nextInt(buffer.limit() + 1));
    }
}
