package dev.asyncsocket;

/**
 * The states of an {@link AsyncSocket} and the transitions between them, all in one place:
 * <pre>
 *   CLOSED --beginOpen--> OPENING --opened--> OPEN --beginClose--> CLOSING --closed--> CLOSED
 *                         OPENING --openFailed--> CLOSED
 * </pre>
 */
public enum SocketState {
    CLOSED, OPENING, OPEN, CLOSING;

    /** Whether {@code next} may follow this state. */
    public boolean canMoveTo(SocketState next) {
        switch (this) {
            case CLOSED:
                return next == OPENING;
            case OPENING:
                return next == OPEN || next == CLOSED;
            case OPEN:
                return next == CLOSING;
            case CLOSING:
                return next == CLOSED;
            default:
                throw new AssertionError(this);
        }
    }

    /** Whether an open or a close is under way, which {@link AsyncSocket#destroy} waits out. */
    public boolean isTransient() {
        return this == OPENING || this == CLOSING;
    }
}
