package dev.asyncsocket;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static dev.asyncsocket.SocketState.CLOSED;
import static dev.asyncsocket.SocketState.CLOSING;
import static dev.asyncsocket.SocketState.OPEN;
import static dev.asyncsocket.SocketState.OPENING;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SocketStateTest {

    @Test
    void onlyTheDocumentedTransitionsAreAllowed() {
        assertEquals(EnumSet.of(OPENING), successors(CLOSED));
        assertEquals(EnumSet.of(OPEN, CLOSED), successors(OPENING));
        assertEquals(EnumSet.of(CLOSING), successors(OPEN));
        assertEquals(EnumSet.of(CLOSED), successors(CLOSING));
    }

    @Test
    void openingAndClosingAreTheTransientStates() {
        Set<SocketState> transients = EnumSet.noneOf(SocketState.class);
        for (SocketState state : SocketState.values()) {
            if (state.isTransient()) {
                transients.add(state);
            }
        }
        assertEquals(EnumSet.of(OPENING, CLOSING), transients);
    }

    private static Set<SocketState> successors(SocketState from) {
        Set<SocketState> next = EnumSet.noneOf(SocketState.class);
        for (SocketState to : SocketState.values()) {
            if (from.canMoveTo(to)) {
                next.add(to);
            }
        }
        return next;
    }
}
