package dev.asyncsocket.spi;

import dev.asyncsocket.SocketState;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SocketLifecycleTest {

    private final SocketLifecycle lifecycle = new SocketLifecycle();

    @Test
    void aSocketStartsClosedAndGoesThroughOpeningToOpen() {
        assertEquals(SocketState.CLOSED, lifecycle.state());
        assertTrue(lifecycle.beginOpen());
        assertEquals(SocketState.OPENING, lifecycle.state());
        lifecycle.opened();
        assertEquals(SocketState.OPEN, lifecycle.state());
    }

    @Test
    void anOpenCanOnlyBeginFromClosed() {
        assertTrue(lifecycle.beginOpen());
        assertFalse(lifecycle.beginOpen(), "OPENING");
        lifecycle.opened();
        assertFalse(lifecycle.beginOpen(), "OPEN");
    }

    @Test
    void aFailedOpenReturnsToClosed() {
        lifecycle.beginOpen();
        lifecycle.openFailed();
        assertEquals(SocketState.CLOSED, lifecycle.state());
        assertTrue(lifecycle.beginOpen());
    }

    @Test
    void aCloseOfASocketThatIsNotOpenDoesNothing() {
        assertFalse(lifecycle.beginClose());
        assertEquals(SocketState.CLOSED, lifecycle.state());
    }

    @Test
    void callsAreLetInOnlyWhileOpen() {
        assertFalse(lifecycle.enterApi(), "CLOSED");
        lifecycle.beginOpen();
        assertFalse(lifecycle.enterApi(), "OPENING");
        lifecycle.opened();
        assertTrue(lifecycle.enterApi());
        lifecycle.exitApi();
    }

    @Test
    void aTransitionFromTheWrongStateFailsLoudly() {
        assertThrows(IllegalStateException.class, lifecycle::opened);
        assertThrows(IllegalStateException.class, lifecycle::closed);
    }

    @Test
    void closeWaitsForEveryCallInsideTheGateAndRefusesNewOnes() throws Exception {
        open();
        assertTrue(lifecycle.enterApi());
        CompletableFuture<Boolean> close = CompletableFuture.supplyAsync(lifecycle::beginClose);
        awaitState(SocketState.CLOSING);
        assertFalse(lifecycle.enterApi(), "no call is let in once the close began");
        assertFalse(close.isDone(), "close must wait for the call inside");
        lifecycle.exitApi();
        assertTrue(close.get(10, TimeUnit.SECONDS));
        lifecycle.closed();
        assertEquals(SocketState.CLOSED, lifecycle.state());
    }

    @Test
    void awaitSettledWaitsWhileAnOpenIsUnderWay() throws Exception {
        lifecycle.beginOpen();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<SocketState> settled = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            return lifecycle.awaitSettled();
        });
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        assertFalse(settled.isDone());
        lifecycle.opened();
        assertEquals(SocketState.OPEN, settled.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aSocketCanBeOpenedAgainAfterItClosed() {
        open();
        assertTrue(lifecycle.beginClose());
        lifecycle.closed();
        assertTrue(lifecycle.beginOpen());
    }

    private void open() {
        lifecycle.beginOpen();
        lifecycle.opened();
    }

    private void awaitState(SocketState expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lifecycle.state() != expected) {
            assertTrue(System.nanoTime() < deadline, "state stayed " + lifecycle.state());
            Thread.onSpinWait();
        }
    }
}
