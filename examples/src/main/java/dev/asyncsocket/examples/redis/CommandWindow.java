package dev.asyncsocket.examples.redis;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Issues commands from one thread with at most {@code depth} waiting for their replies (the caller waits for room),
 * and checks each reply as it comes, on the event loop. Used by the demo and the tests.
 */
public final class CommandWindow {

    private final int depth;
    private final long waitSeconds;
    private final Semaphore room;
    private final AtomicLong answered = new AtomicLong();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

    /** @param waitSeconds how long to wait for room, or for the last replies, before giving up */
    public CommandWindow(int depth, long waitSeconds) {
        this.depth = depth;
        this.waitSeconds = waitSeconds;
        this.room = new Semaphore(depth);
    }

    /**
     * Issues one command once there is room.
     *
     * @param check what is wrong with its reply, or {@code null} if nothing
     * @throws TimeoutException if no reply made room in time
     */
    public void send(Supplier<CompletableFuture<?>> command, Function<Object, String> check)
            throws InterruptedException, TimeoutException {
        if (!room.tryAcquire(waitSeconds, TimeUnit.SECONDS)) {
            throw new TimeoutException("no reply for " + waitSeconds + " s with " + depth + " commands in flight");
        }
        command.get().whenComplete((reply, failed) -> {
            String problem = failed != null ? "failed: " + failed : check.apply(reply);
            if (problem != null) {
                problems.add(problem);
            }
            answered.incrementAndGet();
            room.release();
        });
    }

    /** What is wrong with reply {@code index}, or {@code null} if nothing. */
    @FunctionalInterface
    public interface ReplyCheck {
        String problemWith(int index, Object reply);
    }

    /**
     * Issues commands {@code 0} to {@code count - 1} through a window of {@code depth}, and waits for the last.
     *
     * @return what was wrong with the replies; empty if every one was right
     */
    public static List<String> runAll(int count, int depth, long waitSeconds, IntFunction<CompletableFuture<?>> issue,
                                      ReplyCheck check) throws InterruptedException, TimeoutException {
        CommandWindow window = new CommandWindow(depth, waitSeconds);
        for (int i = 0; i < count; i++) {
            int index = i;
            window.send(() -> issue.apply(index), reply -> check.problemWith(index, reply));
        }
        return window.awaitAll();
    }

    /** How many commands have been answered (or failed) so far. */
    public long answered() {
        return answered.get();
    }

    /**
     * Waits for every reply.
     *
     * @return what was wrong with the replies, in the order seen; empty if every one was right
     * @throws TimeoutException if replies are still missing after the wait
     */
    public List<String> awaitAll() throws InterruptedException, TimeoutException {
        if (!room.tryAcquire(depth, waitSeconds, TimeUnit.SECONDS)) {
            throw new TimeoutException((depth - room.availablePermits()) + " replies missing after " + waitSeconds + " s");
        }
        room.release(depth);
        return List.copyOf(problems);
    }
}
