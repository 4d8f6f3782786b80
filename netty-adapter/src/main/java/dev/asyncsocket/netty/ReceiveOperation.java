package dev.asyncsocket.netty;

import dev.asyncsocket.spi.Callbacks;
import dev.asyncsocket.OnReceiveComplete;
import dev.asyncsocket.spi.Payload;
import dev.asyncsocket.ReceiveResult;
import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;

/**
 * One accepted receive: the caller's buffers and the callback. Bytes are copied in at each buffer's
 * position, in order, and each position advances by what it got. Confined to the event loop once started.
 */
final class ReceiveOperation<C> implements Operation {

    /** The only buffer when there is one, so a one-buffer receive needs no array. */
    private final ByteBuffer single;
    private final ByteBuffer[] buffers;
    private final OnReceiveComplete<C> callback;
    private final C context;
    private volatile Operation next;
    /** Where the completion is counted: set when the receive starts or is abandoned, before it completes. */
    private Hooks connection;
    private boolean completed;

    // Codes_SRS_ASYNC_SOCKET_WIN32_01_077
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_078
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_079
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_080
    // (The operation is its own completion handle: its node in the inbox and its place in the receive queue.)
    private ReceiveOperation(ByteBuffer single, ByteBuffer[] buffers, OnReceiveComplete<C> callback, C context) {
        this.single = single;
        this.buffers = buffers;
        this.callback = callback;
        this.context = context;
    }

    /**
     * A receive into {@code payload}, read once: the array's elements are taken before they are checked, so
     * that another thread writing the array meanwhile cannot slip an element past the checks. The caller may
     * reuse the array once the call returns; the buffers are lent until the callback.
     *
     * @return {@code null} for bad input (see {@link Payload#receiveTotal})
     */
    static <C> ReceiveOperation<C> of(ByteBuffer[] payload, OnReceiveComplete<C> callback, C context) {
        if (payload == null) {
            return null;
        }
        if (payload.length == 1) {
            ByteBuffer only = payload[0];
            return Payload.bytesOf(only, true) == Payload.INVALID
                    ? null : new ReceiveOperation<>(only, null, callback, context);
        }
        ByteBuffer[] snapshot = payload.clone();
        return Payload.receiveTotal(snapshot) == Payload.INVALID
                ? null : new ReceiveOperation<>(null, snapshot, callback, context);
    }

    @Override
    public Operation next() {
        return next;
    }

    @Override
    public void next(Operation next) {
        this.next = next;
    }

    @Override
    public void start(Hooks connection) {
        this.connection = connection;
        connection.post(this);
    }

    @Override
    public void abandon(Hooks connection) {
        this.connection = connection;
        connection.failed(connection.whyClosing());
        abandon();
    }

    /** Completes ABANDONED; the caller has recorded why ({@link Hooks#failed}). */
    void abandon() {
        // Codes_SRS_ASYNC_SOCKET_WIN32_42_001
        // Codes_SRS_ASYNC_SOCKET_WIN32_42_003
        complete(ReceiveResult.ABANDONED, 0);
    }

    /** Whether any of the buffers has room left now (the caller may have filled them meanwhile). */
    boolean hasRoom() {
        if (single != null) {
            return single.hasRemaining();
        }
        for (ByteBuffer buffer : buffers) {
            if (buffer.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Copies as many of {@code source}'s readable bytes as the buffers have room for. A buffer that cannot be
     * written (a fault in mapped memory, a buffer the caller moved meanwhile) ends the copy: what was copied
     * before it counts, and the bytes not copied stay in {@code source}.
     *
     * @return the number of bytes copied; never more than the buffers hold
     * @throws RuntimeException or Error if the first buffer could not take a single byte
     */
    int fill(ByteBuf source) {
        if (single != null) {
            return copy(source, single);
        }
        int copied = 0;
        for (int i = 0; i < buffers.length && source.isReadable(); i++) {
            try {
                copied += copy(source, buffers[i]);
            } catch (RuntimeException | Error e) {
                if (copied == 0) {
                    throw e;
                }
                return copied;
            }
        }
        return copied;
    }

    /**
     * An empty buffer over this receive's memory for the transport to read into, or {@code null} unless the
     * receive is one direct buffer. Its bytes land in place; {@link #advance} then accounts for them.
     */
    ByteBuf lendableBuffer() {
        if (single == null || !CallerBufferView.canView(single)) {
            return null;
        }
        int position = single.position();
        int limit = single.limit();
        return limit > position ? CallerBufferView.of(single, position, limit, null).clear() : null;
    }

    /** Moves the position past {@code count} bytes the transport wrote in place; returns {@code count}. */
    int advance(int count) {
        try {
            single.position(single.position() + count);
        } catch (IllegalArgumentException e) {
            // The caller moved the buffer meanwhile: the bytes are where it was; its position is the caller's.
        }
        return count;
    }

    private static int copy(ByteBuf source, ByteBuffer target) {
        int count = Math.min(source.readableBytes(), target.remaining());
        if (count > 0) {
            int limit = target.limit();
            target.limit(target.position() + count);
            try {
                source.readBytes(target);
            } finally {
                target.limit(limit);
            }
        }
        return count;
    }

    void complete(ReceiveResult result, int bytesReceived) {
        if (completed) {
            throw new IllegalStateException("completed twice: " + this);
        }
        completed = true;
        try {
            connection.receiveCompleting(result, bytesReceived);
            Callbacks.receiveComplete(callback, context, result, bytesReceived);
        } finally {
            connection.completed();
        }
    }
}
