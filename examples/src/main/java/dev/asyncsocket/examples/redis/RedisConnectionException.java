package dev.asyncsocket.examples.redis;

import dev.asyncsocket.netty.SocketFailure;

import java.io.IOException;

/**
 * The connection ended before the command's reply came, or had ended before the command was issued: the command
 * may or may not have run on the server. Every command pending when a connection ends fails with the same
 * instance.
 */
public final class RedisConnectionException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient SocketFailure failure;

    /**
     * @param failure what the socket reported ({@link dev.asyncsocket.netty.NettyAsyncSocket#lastFailure()}), or
     *                {@code null} when the client itself ended the connection (a protocol error, a close)
     * @param cause   the exception behind it, if any
     */
    public RedisConnectionException(String message, SocketFailure failure, Throwable cause) {
        super(failure == null ? message : message + " (" + failure.kind() + ")", cause);
        this.failure = failure;
    }

    /**
     * Why the socket ended, as it reported it: {@code END_OF_STREAM} when the server closed the connection
     * (e.g. {@code CLIENT KILL}), {@code CONNECTION_LOST} on a reset; {@code null} when the client ended it.
     */
    public SocketFailure failure() {
        return failure;
    }
}
