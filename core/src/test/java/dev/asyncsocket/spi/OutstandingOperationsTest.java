package dev.asyncsocket.spi;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutstandingOperationsTest {

    private final OutstandingOperations outstanding = new OutstandingOperations();

    @Test
    void awaitNoneReturnsAtOnceWhenNothingIsOutstanding() {
        assertTrue(outstanding.awaitNone(0, TimeUnit.SECONDS));
    }

    @Test
    void awaitNoneWaitsForTheLastCompletion() throws Exception {
        outstanding.accepted();
        outstanding.accepted();
        CompletableFuture<Boolean> none = CompletableFuture.supplyAsync(() -> outstanding.awaitNone(10, TimeUnit.SECONDS));
        outstanding.completed();
        assertEquals(1, outstanding.count());
        outstanding.completed();
        assertTrue(none.get(10, TimeUnit.SECONDS));
    }

    @Test
    void awaitNoneGivesUpAfterItsTimeout() {
        outstanding.accepted();
        assertFalse(outstanding.awaitNone(10, TimeUnit.MILLISECONDS));
    }

    @Test
    void anActionForWhenNoneIsOutstandingRunsAtOnceIfNoneIs() {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        outstanding.whenNone(runs::incrementAndGet);
        assertEquals(1, runs.get());
    }

    @Test
    void anActionForWhenNoneIsOutstandingRunsOnceAfterTheLastCompletion() {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        outstanding.accepted();
        outstanding.accepted();
        outstanding.whenNone(runs::incrementAndGet);
        outstanding.completed();
        assertEquals(0, runs.get());
        outstanding.completed();
        assertEquals(1, runs.get());
        outstanding.accepted();
        outstanding.completed();
        assertEquals(1, runs.get(), "it runs exactly once");
    }

    @Test
    void aCompletionWithoutAnAcceptedOperationIsABug() {
        assertThrows(IllegalStateException.class, outstanding::completed);
    }
}
