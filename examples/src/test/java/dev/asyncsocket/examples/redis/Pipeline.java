package dev.asyncsocket.examples.redis;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issues commands from the test's thread with at most {@code depth} waiting for their replies, and checks every
 * reply as it comes (on the event loop); {@link #awaitAll()} waits for the last and fails the test on any problem.
 */
final class Pipeline {

    private final int depth;
    private final Semaphore room;
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

    Pipeline(int depth) {
        this.depth = depth;
        this.room = new Semaphore(depth);
    }

    /**
     * Issues one command once there is room.
     *
     * @param check what is wrong with its reply, or {@code null}
     */
    void send(Supplier<CompletableFuture<?>> command, Function<Object, String> check) throws InterruptedException {
        assertTrue(room.tryAcquire(RedisUnderTest.WAIT_SECONDS, TimeUnit.SECONDS), "no reply for " + RedisUnderTest.WAIT_SECONDS + " s");
        command.get().whenComplete((reply, failed) -> {
            String problem = failed != null ? "failed: " + failed : check.apply(reply);
            if (problem != null) {
                problems.add(problem);
            }
            room.release();
        });
    }

    /** Waits for every reply, then fails if any was wrong. */
    void awaitAll() throws InterruptedException {
        assertTrue(room.tryAcquire(depth, RedisUnderTest.WAIT_SECONDS, TimeUnit.SECONDS), "replies missing after " + RedisUnderTest.WAIT_SECONDS + " s");
        room.release(depth);
        List<String> wrong = List.copyOf(problems);
        assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())), wrong.size() + " replies were wrong");
    }
}
