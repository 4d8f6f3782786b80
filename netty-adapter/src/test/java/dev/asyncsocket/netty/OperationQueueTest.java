package dev.asyncsocket.netty;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inbox: many producers, one consumer, each operation polled once, each producer's in its order. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OperationQueueTest {

    @Test
    void anEmptyQueueIsEmptyAndPollsNothing() {
        OperationQueue queue = new OperationQueue();
        assertTrue(queue.isEmpty());
        assertNull(queue.poll());
    }

    @Test
    void operationsComeOutInTheOrderTheyWentIn() {
        OperationQueue queue = new OperationQueue();
        List<Tagged> offered = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Tagged operation = new Tagged(0, i);
            offered.add(operation);
            queue.offer(operation);
            assertFalse(queue.isEmpty());
        }
        for (Tagged operation : offered) {
            assertSame(operation, queue.poll());
        }
        assertNull(queue.poll());
        assertTrue(queue.isEmpty());
    }

    @Test
    void manyProducersLoseNothingDuplicateNothingAndKeepEachProducersOrder() throws Exception {
        int producers = 4;
        int each = 200_000;
        OperationQueue queue = new OperationQueue();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    queue.offer(new Tagged(producer, i));
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        int[] next = new int[producers];
        int polled = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (polled < producers * each) {
            Tagged operation = (Tagged) queue.poll();
            if (operation == null) {
                // A producer between its swap and its link hides what follows for a moment.
                assertTrue(System.nanoTime() < deadline, "polled " + polled + " of " + producers * each);
                Thread.onSpinWait();
                continue;
            }
            assertEquals(next[operation.producer], operation.sequence, "producer " + operation.producer + "'s order");
            next[operation.producer]++;
            polled++;
        }
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        assertNull(queue.poll(), "nothing more than was offered");
        assertTrue(queue.isEmpty());
    }

    /** An operation that only carries who offered it and when. */
    private static final class Tagged extends OperationQueue.Stub {
        final int producer;
        final int sequence;

        Tagged(int producer, int sequence) {
            this.producer = producer;
            this.sequence = sequence;
        }
    }
}
