package dev.asyncsocket.netty;

/**
 * Told when a {@link NettyAsyncSocket}'s send pressure changes: see
 * {@link NettyAsyncSocket#setOnWritabilityChanged}.
 *
 * @param <C> the context the listener was registered with
 */
@FunctionalInterface
public interface OnWritabilityChanged<C> {

    /**
     * The socket's writability changed.
     *
     * @param context  the context given with the listener
     * @param writable {@code false}: the bytes queued went past the high water mark, and a producer should hold
     *                 its sends; {@code true}: they dropped to the low water mark or below, and it may go on.
     *                 Calls alternate, starting with {@code false} (unless the listener was set while the
     *                 socket was unwritable).
     */
    void onWritabilityChanged(C context, boolean writable);
}
