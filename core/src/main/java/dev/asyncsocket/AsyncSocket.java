package dev.asyncsocket;

import java.nio.ByteBuffer;

/**
 * An asynchronous stream socket with exactly one completion callback per accepted operation
 * (c-pal's {@code async_socket}).
 *
 * <p>A socket starts closed. {@link #openAsync} binds it to a connected {@link SocketTransport};
 * while it is open, {@link #sendAsync} and {@link #receiveAsync} start operations whose results arrive
 * through their callbacks. {@link #close} ends the connection and completes everything still pending;
 * {@link #destroy} closes and releases the socket's reference on its {@link ExecutionEngine}.
 *
 * <p>Payloads are arrays of {@link ByteBuffer}, heap or direct; the bytes of a buffer are those between
 * its position and its limit. The array may be reused as soon as the call returns; the buffers are lent
 * to the operation until its callback runs.
 *
 * <p>Guarantees: every call that returned success gets exactly one callback, whatever happens after it;
 * a call that returned failure gets none. Callbacks run on the socket's I/O thread, never on the stack
 * of the call that started the operation, so a callback may start further operations, close or destroy
 * the socket. Sends reach the wire and complete in the order their calls returned, each contiguous;
 * receives complete in the order they were posted, each with the next bytes of the stream. The socket
 * reads from the network only while a receive is pending. All methods are thread-safe and none throws
 * for bad input.
 */
public interface AsyncSocket {

    /**
     * Opens the socket on a connected transport and takes ownership of it.
     *
     * @return 0 if the open was accepted: the socket is open when this returns and
     *     {@code onOpenComplete} follows with {@link OpenResult#OK}. Non-zero, with no callback and the
     *     transport left with the caller, if {@code transport} or {@code onOpenComplete} is {@code null},
     *     the transport belongs to another implementation, is not connected or is in use by another open
     *     socket, or this socket is not closed.
     */
    <C> int openAsync(SocketTransport transport, OnOpenComplete<C> onOpenComplete, C context);

    /**
     * Closes the connection. Pending receives complete {@link ReceiveResult#ABANDONED}; pending sends
     * complete {@link SendResult#OK} if their bytes were already written, else {@link SendResult#ABANDONED}.
     * On a thread that may wait, returns once every accepted operation's callback has returned, and the
     * socket may then be opened again with a fresh transport; a close racing another one returns once that
     * one is done. On a thread that must not wait (inside a callback, on any event loop, or on the executor
     * that runs completions after an engine shut down; an implementation says which threads those are),
     * returns at once: the remaining callbacks run after the current one returns, and the socket is closed
     * once the last of them has run. Does nothing else unless the socket is open.
     */
    void close();

    /**
     * Sends the bytes of every buffer, in order, as one contiguous piece of the stream. The buffers must stay
     * unchanged until the callback: they may be written from where they are, with no copy (an implementation
     * may copy small sends). Their positions and limits are never changed.
     * The array and each buffer's position and limit are read once, during the call: a send is accepted or
     * refused as they were then, whatever another thread does to them meanwhile. What a pending send
     * holds in memory, per send and per buffer, each implementation documents.
     *
     * @return {@link SendSyncResult#OK} if the send was accepted ({@code onSendComplete} follows exactly
     *     once); {@link SendSyncResult#NOT_OPEN} if the socket is not open or its connection was reset;
     *     {@link SendSyncResult#ERROR} for bad input: a {@code null} or empty array, a {@code null}
     *     buffer, a buffer with nothing remaining, more than 4,294,967,295 bytes in all, or a
     *     {@code null} callback; also where the implementation says so (its engine shutting down, say).
     */
    <C> SendSyncResult sendAsync(ByteBuffer[] payload, OnSendComplete<C> onSendComplete, C context);

    /**
     * Posts buffers for the next bytes of the stream. The receive completes as soon as at least one byte
     * is available; bytes are written at each buffer's position, filling the buffers in order, and each
     * position advances by what was written. After the peer's EOF or reset, receives are still accepted:
     * they get the bytes that arrived before it, and then complete {@link ReceiveResult#ABANDONED}. A
     * receive whose buffers take no byte when its turn comes (no room left, because the caller filled them
     * meanwhile, e.g. one buffer posted in two receives; or memory that faults when written) completes
     * {@link ReceiveResult#ERROR} with 0 bytes, and the bytes go to the next receive. The array is read once,
     * during the call; the buffers in it are lent until the callback.
     *
     * @return 0 if the receive was accepted ({@code onReceiveComplete} follows exactly once); non-zero,
     *     with no callback, if the socket is not open or its event loop is shutting down, or for bad input:
     *     a {@code null} or empty array, a {@code null}, read-only or full buffer, more than
     *     4,294,967,295 bytes in all, or a {@code null} callback.
     */
    <C> int receiveAsync(ByteBuffer[] payload, OnReceiveComplete<C> onReceiveComplete, C context);

    /** Not implemented, as in c-pal: always returns non-zero and never calls back. */
    <C> int notifyIoAsync(NotifyIoType ioType, OnNotifyIoComplete<C> onNotifyIoComplete, C context);

    /**
     * Closes the socket if it is open and releases its reference on the execution engine. Where waiting is
     * allowed (see {@link #close}) it first waits for an open or close under way to end; elsewhere it
     * returns at once, and the reference is released once the socket is closed. The socket must not be
     * used afterwards; calls on a destroyed socket fail as on a closed one. Safe to call more than once and
     * from inside a callback.
     */
    void destroy();
}
