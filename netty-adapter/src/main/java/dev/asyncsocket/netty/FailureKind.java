package dev.asyncsocket.netty;

/**
 * Why an operation of a {@link NettyAsyncSocket} completed ERROR or ABANDONED: the kind of a
 * {@link SocketFailure}, read with {@link NettyAsyncSocket#lastFailure()}. A client may tell from it whether
 * the connection is gone and who ended it, e.g. to decide whether to reconnect.
 */
public enum FailureKind {
    /**
     * The peer ended its sending direction (a TCP FIN, or a TLS close_notify): no more bytes will come; sends
     * may still work.
     */
    END_OF_STREAM,
    /**
     * An I/O error ended the connection: a reset, an abort, a broken pipe, a timeout, a TLS failure (the cause
     * says which), seen by a receive or by a send's write.
     */
    CONNECTION_LOST,
    /** This socket's own {@code close()} or {@code destroy()} ended the operation. */
    CLOSED_LOCALLY,
    /**
     * The engine shut down under the open socket: its event loop ended or was ending (an EOF seen then
     * counts as this: io_uring's loop ends the reads it leaves so).
     */
    ENGINE_SHUT_DOWN,
    /**
     * Something other than this socket closed the channel: a handler in front, or the channel's owner; or Netty,
     * on the peer's EOF, on a plain channel without half-closure that read before the socket opened (see
     * {@link NettySocketTransport#of}).
     */
    CHANNEL_CLOSED,
    /**
     * The channel's output was shut down (its owner's {@code DuplexChannel.shutdownOutput()}, or a handler's)
     * while it stays open: a send whose bytes had not all gone out completes ERROR, and {@code sendAsync}
     * refuses sends (ERROR) from then on. Receives still work until the peer ends its side.
     */
    OUTPUT_SHUT_DOWN,
    /** A handler in front of the socket failed (the cause), or passed something other than bytes (no cause). */
    PIPELINE_ERROR,
    /**
     * A send's write failed while the connection may still stand: a handler in front refused it, or its buffer
     * could not be read or copied (the cause). A write the network failed is {@link #CONNECTION_LOST}.
     */
    WRITE_FAILED,
    /** A receive's buffers took no byte: no room was left in them, or writing them faulted (the cause). */
    NO_ROOM;

    /** This kind without a cause, made once, so that failures without one allocate nothing. */
    private final SocketFailure withoutCause = new SocketFailure(this, null);

    /** This kind with {@code cause}; the shared instance when there is none. */
    SocketFailure because(Throwable cause) {
        return cause == null ? withoutCause : new SocketFailure(this, cause);
    }

    /** This kind without a cause (a shared instance). */
    SocketFailure alone() {
        return withoutCause;
    }
}
