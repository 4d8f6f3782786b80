package dev.asyncsocket.netty;

import java.io.IOException;

/**
 * An operation of a {@link FutureSocket} ended because the connection did (or the socket was not open): the
 * {@link SocketFailure} that {@link NettyAsyncSocket#lastFailure()} gave for it, as an exception. Switch on
 * {@link #kind()} to decide what to do, e.g. reconnect after {@link FailureKind#CONNECTION_LOST}; the cause,
 * where there is one, is the failure's (a reset's {@link IOException}, a handler's exception).
 */
public final class SocketFailureException extends IOException {

    private static final long serialVersionUID = 1L;

    private final FailureKind kind;

    /**
     * @param what    the operation and how it ended, e.g. "receive ABANDONED"
     * @param failure why; its cause becomes this exception's cause
     */
    public SocketFailureException(String what, SocketFailure failure) {
        super(what + ": " + failure.kind() + (failure.cause() == null ? "" : " (" + failure.cause() + ")"),
                failure.cause());
        this.kind = failure.kind();
    }

    /** What ended the operation. */
    public FailureKind kind() {
        return kind;
    }

    /** The failure: {@link #kind()} and the {@linkplain #getCause() cause}. */
    public SocketFailure failure() {
        return new SocketFailure(kind, getCause());
    }
}
