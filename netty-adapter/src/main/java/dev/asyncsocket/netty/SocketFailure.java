package dev.asyncsocket.netty;

import java.util.Objects;

/**
 * Why an operation completed ERROR or ABANDONED: see {@link NettyAsyncSocket#lastFailure()}.
 *
 * @param kind  what ended the operation; never {@code null}
 * @param cause the exception behind it where there is one (a reset's {@link java.io.IOException}, the
 *              exception of a handler in front, a failed write's cause), else {@code null}
 */
public record SocketFailure(FailureKind kind, Throwable cause) {

    public SocketFailure {
        Objects.requireNonNull(kind, "kind");
    }
}
