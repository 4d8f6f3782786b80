package dev.asyncsocket.netty;

import java.nio.channels.ClosedChannelException;

/**
 * How a {@link NettySocketListener#acceptAsync()} ends when the listener closed before a connection came
 * (its {@code close()}, or its engine shutting down), or was already closed.
 */
public final class ListenerClosedException extends ClosedChannelException {

    private static final long serialVersionUID = 1L;

    private final String message;

    ListenerClosedException(String message) {
        this.message = message;
    }

    @Override
    public String getMessage() {
        return message;
    }
}
