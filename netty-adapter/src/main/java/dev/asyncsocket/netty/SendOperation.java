package dev.asyncsocket.netty;

import dev.asyncsocket.Callbacks;
import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.OutstandingOperations;
import dev.asyncsocket.SendResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One accepted send: the caller's buffers wrapped (not copied) in one {@link ByteBuf}, and the callback
 * that the write's outcome completes. The send is itself the promise of its write: completing the promise
 * completes the send, with no listener to register or notify. A lone direct buffer goes out in a
 * {@link CallerBufferView} taken on the event loop, where views are recycled, so such a send costs this one
 * object. Confined to the event loop once started.
 *
 * <p>A {@link ByteBuf} holds at most {@code Integer.MAX_VALUE} bytes and a send up to UINT32_MAX, and one
 * write should gather no more buffers than one writev takes: a payload past either limit leaves as several
 * consecutive writes, the last of which is this send's own; Netty completes writes in order, so its outcome
 * stands for the whole.
 */
final class SendOperation<C> extends DefaultChannelPromise implements Operation, CallerBufferView.ReleaseObserver {

    /**
     * The most buffers one write carries: the kernel's IOV_MAX. Netty's native transports stall on a single
     * message of more gathered components than one writev takes.
     */
    static final int MAX_BUFFERS_PER_PART = 1024;

    /** What this send's own write carries; for a lone direct buffer, made by {@link #start}. */
    private ByteBuf data;
    /** A lone direct buffer and its bounds when the send was made, or {@code null}. */
    private final ByteBuffer lone;
    private final int lonePosition;
    private final int loneLimit;
    /** For a payload over Integer.MAX_VALUE bytes: the parts written before {@code data}, and their promises. */
    private final ByteBuf[] leading;
    private final ChannelPromise[] leadingWritten;
    /** The caller's callback; {@code null} once called, which is how a completed send is told apart. */
    private OnSendComplete<C> callback;
    private final C context;
    private final OutstandingOperations outstanding;
    private volatile Operation next;
    private Connection connection;
    /** Whether a recycled {@code data} had been written in part when Netty released it. */
    private boolean partlyWrittenAtRelease;
    /** The result, once the write's outcome is known; the callback may still wait for earlier sends. */
    private SendResult outcome;

    // Codes_SRS_ASYNC_SOCKET_WIN32_01_028: [ Otherwise async_socket_send_async shall create a context for the send where the payload, on_send_complete and on_send_complete_context shall be stored. ]
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_057: [ An event to be used for the OVERLAPPED structure passed to socket_transport_send shall be created and stored in the context. ]
    /** A send of {@code payload} ({@code totalBytes} in all, already checked), its buffers wrapped, positions untouched. */
    SendOperation(Channel channel, ByteBuffer[] payload, long totalBytes, OnSendComplete<C> callback,
                  C context, OutstandingOperations outstanding) {
        super(channel);
        this.callback = callback;
        this.context = context;
        this.outstanding = outstanding;
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_050: [ The context shall also allocate enough memory to keep an array of buffer_count SOCKET_BUFFER items. ]
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_056: [ async_socket_send_async shall set the SOCKET_BUFFER items to point to the memory/length of the buffers in payload. ]
        boolean loneDirect = payload.length == 1 && CallerBufferView.canView(payload[0]);
        this.lone = loneDirect ? payload[0] : null;
        this.lonePosition = loneDirect ? lone.position() : 0;
        this.loneLimit = loneDirect ? lone.limit() : 0;
        if (loneDirect) {
            this.leading = null;
            this.leadingWritten = null;
        } else if (totalBytes <= Integer.MAX_VALUE && payload.length <= MAX_BUFFERS_PER_PART) {
            this.leading = null;
            this.leadingWritten = null;
            this.data = wrap(payload, 0, payload.length);
        } else {
            ByteBuf[] parts = wrapInParts(payload);
            this.leading = Arrays.copyOf(parts, parts.length - 1);
            this.leadingWritten = new ChannelPromise[leading.length];
            this.data = parts[parts.length - 1];
        }
    }

    /**
     * A buffer over {@code payload[from, to)} that keeps its indexes after its release (it is not recycled),
     * so that a failed write can tell how far it got: one buffer alone is wrapped as Netty does, several go
     * in a composite of views.
     */
    private static ByteBuf wrap(ByteBuffer[] payload, int from, int to) {
        if (to - from == 1) {
            return Unpooled.wrappedBuffer(payload[from]);
        }
        CompositeByteBuf composite = new CompositeByteBuf(UnpooledByteBufAllocator.DEFAULT, true, to - from);
        for (int i = from; i < to; i++) {
            ByteBuffer buffer = payload[i];
            composite.addComponent(true, CallerBufferView.canView(buffer) ? CallerBufferView.of(buffer, null) : Unpooled.wrappedBuffer(buffer));
        }
        return composite;
    }

    /**
     * Consecutive runs of buffers, each at most Integer.MAX_VALUE bytes (one buffer never holds more) and
     * {@link #MAX_BUFFERS_PER_PART} buffers.
     */
    private static ByteBuf[] wrapInParts(ByteBuffer[] payload) {
        List<ByteBuf> parts = new ArrayList<>();
        int from = 0;
        long runBytes = 0;
        for (int i = 0; i < payload.length; i++) {
            int remaining = payload[i].remaining();
            if (runBytes + remaining > Integer.MAX_VALUE || i - from == MAX_BUFFERS_PER_PART) {
                parts.add(wrap(payload, from, i));
                from = i;
                runBytes = 0;
            }
            runBytes += remaining;
        }
        parts.add(wrap(payload, from, payload.length));
        return parts.toArray(new ByteBuf[0]);
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
    public void start(Connection connection) {
        this.connection = connection;
        if (lone != null) {
            data = CallerBufferView.of(lone, lonePosition, loneLimit, this);
        }
        if (leading != null) {
            for (int i = 0; i < leading.length; i++) {
                leadingWritten[i] = channel().newPromise();
                channel().write(leading[i], leadingWritten[i]);
            }
        }
        connection.write(data, this);
    }

    @Override
    public void abandon(Connection connection) {
        this.connection = connection;
        if (leading != null) {
            for (ByteBuf part : leading) {
                part.release();
            }
        }
        if (data != null) {
            data.release();
        }
        outcome = SendResult.ABANDONED;
        connection.abandoned(this);
    }

    /** Completes a send whose event loop ended before its callback could run: with its outcome if it had one. */
    void completeAfterLoopEnded() {
        complete(outcome != null ? outcome : SendResult.ABANDONED);
    }

    boolean isCompleted() {
        return callback == null;
    }

    // The write's outcome, however it arrives: Netty's outbound buffer uses trySuccess and tryFailure, a
    // handler in front may use any of these.

    @Override
    public ChannelPromise setSuccess(Void result) {
        super.setSuccess(result);
        writeDone();
        return this;
    }

    @Override
    public boolean trySuccess(Void result) {
        return super.trySuccess(result) && writeDone();
    }

    @Override
    public ChannelPromise setFailure(Throwable cause) {
        super.setFailure(cause);
        writeDone();
        return this;
    }

    @Override
    public boolean tryFailure(Throwable cause) {
        return super.tryFailure(cause) && writeDone();
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return super.cancel(mayInterruptIfRunning) && writeDone();
    }

    /**
     * The write has its outcome; the connection runs the callback in order. Netty has released the wrapper
     * before it completes the write's promise, which is this send, so the callback may hand the caller's
     * buffers back. (A handler in front that kept a reference past the promise would break Netty's own
     * ownership rule for promises; waiting for the last reference instead would let such a handler hold
     * back the callback, and with it close(), forever.)
     */
    private boolean writeDone() {
        connection.writeDone(this);
        return true;
    }

    /** Fixes the result from the write's outcome, as it stands now. Event loop only. */
    void settle() {
        outcome = result();
    }

    boolean isSettled() {
        return outcome != null;
    }

    // Codes_SRS_ASYNC_SOCKET_WIN32_01_064: [ overlapped shall be used to determine the context of the IO. ]
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_065: [ If the context of the IO indicates that a send has completed: ]
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_068: [ on_io_complete shall close the event handle created in async_socket_send_async/async_socket_receive_async. ]
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_072: [ on_io_complete shall free the IO context. ]
    /** Runs the callback with the settled result; the sends accepted before this one have completed. */
    void complete() {
        complete(outcome);
    }

    @Override
    public void released(int readerIndex, int capacity) {
        partlyWrittenAtRelease = readerIndex > 0 && readerIndex < capacity;
    }

    private SendResult result() {
        if (isSuccess()) {
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_066: [ If io_result is NO_ERROR, the on_send_complete callback passed to async_socket_send_async shall be called with on_send_complete_context as argument and ASYNC_SOCKET_SEND_OK. ]
            return SendResult.OK;
        }
        if (connection.isClosing()) {
            return SendResult.ABANDONED; // close() or destroy() came first: the contract's "else ABANDONED"
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_102: [ If io_result is NO_ERROR, but the number of bytes send is different than the sum of all buffer sizes passed to async_socket_send_async, the on_send_complete callback passed to async_socket_send_async shall be called with on_send_complete_context as context and ASYNC_SOCKET_SEND_ERROR. ]
        // How far the transport got: past 0 and short of the end is a partial send. A recycled view told
        // at its release; any other wrapper keeps its indexes after it.
        boolean partlyWritten = (data instanceof CallerBufferView ? partlyWrittenAtRelease : partlyRead(data))
                || leadingPartWritten();
        if (!partlyWritten && cause() instanceof ClosedChannelException) {
            return SendResult.ABANDONED;
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_067: [ If io_result is not NO_ERROR, the on_send_complete callback passed to async_socket_send_async shall be called with on_send_complete_context as argument and ASYNC_SOCKET_SEND_ERROR. ]
        return SendResult.ERROR;
    }

    private static boolean partlyRead(ByteBuf buf) {
        return buf.readerIndex() > 0 && buf.readerIndex() < buf.writerIndex();
    }

    private boolean leadingPartWritten() {
        if (leading == null) {
            return false;
        }
        for (int i = 0; i < leading.length; i++) {
            if (leadingWritten[i].isSuccess() || leading[i].readerIndex() > 0) {
                return true;
            }
        }
        return false;
    }

    private void complete(SendResult result) {
        OnSendComplete<C> once = callback;
        if (once == null) {
            throw new IllegalStateException("completed twice: " + this);
        }
        callback = null;
        Callbacks.sendComplete(once, context, result);
        outstanding.completed();
    }
}
