package dev.asyncsocket.netty;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import dev.asyncsocket.spi.Callbacks;
import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.spi.Payload;
import dev.asyncsocket.SendResult;
import io.netty.buffer.ByteBuf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;

/**
 * One accepted send: the caller's buffers wrapped (not copied) in one {@link ByteBuf}, or for a small send
 * copied into the connection's batch ({@link SendBatcher}), and the callback that the write's outcome
 * completes. The write's promise tells it the outcome, with no listener to register or notify:
 * <ul>
 *   <li>while the socket's handler is alone in the pipeline, the connection's one {@link StraightWrites}, for
 *       a send or a batch (whose last send is told), so that such a send costs this one object (a lone direct
 *       buffer goes out in a {@link CallerBufferView} taken on the event loop, where views are recycled);</li>
 *   <li>with handlers in front, a promise of its own ({@link SendWrite}), as a handler may settle it any way;
 *       so has a batch whose sends started before a handler was added, written below it.</li>
 * </ul>
 * Confined to the event loop once started.
 *
 * <p>The caller's arguments are read once, when the send is made ({@link #of}): each buffer's position and
 * limit, and each element of the array, so that another thread changing them meanwhile cannot slip a bad
 * pair past the checks; a refused send has made no wrapper. Several buffers (or a heap one) go out in
 * {@link GatheredBuffers} over a {@link PayloadSnapshot} of them, with no object per buffer: such a send holds
 * about 12 bytes a buffer (16 where the JVM does not compress references) for its life, all allocated on the
 * caller's thread, within the seed's context budget per buffer. A payload over {@code Integer.MAX_VALUE} bytes or
 * {@link #MAX_BUFFERS_PER_WRITE} buffers leaves as several consecutive writes ({@link LeadingParts}), the
 * last of which is this send's own.
 */
final class SendOperation<C> implements Operation, CallerBufferView.ReleaseObserver {

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(SendOperation.class);

    /**
     * The most buffers one write carries: the kernel's IOV_MAX. Netty's native transports stall on a single
     * message of more gathered components than one writev takes.
     */
    static final int MAX_BUFFERS_PER_WRITE = 1024;

    private static final VarHandle VIEW_RELEASED;

    static {
        try {
            VIEW_RELEASED = MethodHandles.lookup().findVarHandle(SendOperation.class, "viewReleased", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a write whose promise a handler dropped counts as failing with, at the pipeline's teardown. */
    private static final ClosedChannelException DROPPED = new ClosedChannelException();

    /**
     * The promise of this send's own write, or of its batch's if it is the last, with handlers in front; else
     * {@code null}.
     */
    private SendWrite write;
    /** What this send's own write carries; for a lone direct buffer, made by {@link #start}. */
    private ByteBuf data;
    /** A lone direct buffer and its bounds when the send was made, or {@code null} (and once copied). */
    private ByteBuffer lone;
    private final int lonePosition;
    /** For an oversize payload, the writes before {@code data}; else {@code null}. */
    private final LeadingParts leading;
    /** The caller's callback; {@code null} once called, which is how a completed send is told apart. */
    private OnSendComplete<C> callback;
    private final C context;
    private volatile Operation next;
    private Hooks connection;
    /** Whether a recycled view of this send's had been written in part when Netty released it. */
    private boolean partlyWrittenAtRelease;
    /**
     * Whether this send's recycled view was released (on whatever thread let it go last): from then on nothing
     * reads the caller's memory through it. Written with release and read with acquire semantics
     * ({@link #VIEW_RELEASED}), not as a volatile: a store fence per send for a flag read only at the pipeline's
     * teardown ({@link #settleDropped}) would cost the send path for nothing.
     */
    private boolean viewReleased;
    /**
     * For a send written straight to the transport (under the connection's {@link StraightWrites}), or the last
     * of a batch: whether its write has ended, and why it failed ({@code null} if it did not).
     */
    private boolean straightWriteEnded;
    private Throwable straightCause;
    /** The result, once the write's outcome is known; the callback may still wait for earlier sends. */
    private SendResult outcome;
    /** Why, for an outcome other than OK; recorded right before the callback runs. */
    private SocketFailure failure;
    /** The payload's size: what the socket's counters and send pressure count. */
    private final long bytes;
    /**
     * For a send copied into a batch (see {@link SendBatcher}): the send before it in the same batch, or
     * {@code null}. The last send of a batch holds the promise of the batch's write, and {@code data} is then
     * the batch's buffer.
     */
    private SendOperation<?> batchedBefore;
    /** Where this send's bytes end in its batch's buffer (they start where {@code batchedBefore}'s end); 0 if none. */
    private int batchEnd;

    // Codes_SRS_ASYNC_SOCKET_WIN32_01_028
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_057
    private SendOperation(ByteBuf data, ByteBuffer lone, int lonePosition, LeadingParts leading, long bytes,
                          OnSendComplete<C> callback, C context) {
        this.data = data;
        this.lone = lone;
        this.lonePosition = lonePosition;
        this.leading = leading;
        this.callback = callback;
        this.context = context;
        this.bytes = bytes;
    }

    /**
     * A send of {@code payload}, its arguments read once, positions untouched: a lone direct buffer as its
     * reference and bounds (wrapped on the event loop), anything else as a {@link PayloadSnapshot} that the
     * send's writes read through.
     *
     * @return {@code null} for bad input (see {@link Payload#sendTotal}), with nothing left to release
     */
    static <C> SendOperation<C> of(ByteBuffer[] payload, OnSendComplete<C> callback, C context) {
        if (payload != null && payload.length == 1) {
            ByteBuffer only = payload[0];
            if (only != null && CallerBufferView.canView(only)) {
                int position = only.position();
                int limit = only.limit();
                return limit <= position ? null
                        : new SendOperation<>(null, only, position, null, limit - position, callback, context);
            }
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_050
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_056
        PayloadSnapshot snapshot = PayloadSnapshot.of(payload);
        if (snapshot == null) {
            return null;
        }
        List<ByteBuf> writesBefore = null;
        long total = 0;
        int first = 0;
        while (true) {
            // The next write: as many buffers as one writev takes, and as many bytes as one ByteBuf holds.
            int end = first;
            long bytes = 0;
            while (end < snapshot.count() && end - first < MAX_BUFFERS_PER_WRITE
                    && bytes + snapshot.bytes(end) <= Integer.MAX_VALUE) {
                bytes += snapshot.bytes(end++);
            }
            ByteBuf write = new GatheredBuffers(snapshot, first, end, (int) bytes);
            total += bytes;
            if (end == snapshot.count()) {
                LeadingParts leading = writesBefore == null ? null : new LeadingParts(writesBefore);
                return new SendOperation<>(write, null, 0, leading, total, callback, context);
            }
            writesBefore = writesBefore == null ? new ArrayList<>() : writesBefore;
            writesBefore.add(write);
            first = end;
        }
    }

    @Override
    public Operation next() {
        return next;
    }

    @Override
    public void next(Operation next) {
        this.next = next;
    }

    /**
     * Writes the send: straight to the transport under the connection's {@link StraightWrites} if it offers it,
     * else with a promise of its own ({@link SendWrite}). Whatever fails before the write is handed to Netty (a
     * view that cannot be made over the caller's memory) completes the send with ERROR, in its turn; nothing is
     * thrown out of the drain.
     */
    @Override
    public void start(Hooks connection) {
        this.connection = connection;
        try {
            if (connection.batch(this)) {
                return; // copied: the caller's buffers are let go, the bytes leave with the batch
            }
            if (lone != null) {
                data = CallerBufferView.of(lone, lonePosition, loneLimit(), this);
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("a send's buffer could not be wrapped; the send completes ERROR", e);
            releaseData();
            outcome = SendResult.ERROR;
            failure = FailureKind.WRITE_FAILED.because(e);
            connection.endedBeforeWrite(this);
            return;
        }
        StraightWrites straight = leading == null ? connection.straightWrites() : null;
        if (leading != null) {
            leading.write(connection.channel());
        }
        connection.writing(this);
        if (straight != null) {
            straight.write(data, this);
        } else {
            connection.channel().write(data, ownWrite());
        }
    }

    @Override
    public void abandon(Hooks connection) {
        this.connection = connection;
        releaseData();
        outcome = SendResult.ABANDONED;
        failure = connection.whyClosing();
        connection.endedBeforeWrite(this);
    }

    /** This send's straight write has ended: failed with {@code cause}, or succeeded ({@code null}). */
    void straightWriteEnded(Throwable cause) {
        straightCause = cause;
        straightWriteEnded = true;
    }

    /**
     * How many bytes this send carries, if it leaves as one write (so that it could be copied into a batch);
     * -1 for an oversize send.
     */
    int bytesInOneWrite() {
        return leading != null ? -1 : (int) bytes;
    }

    /**
     * Copies this send's bytes at the end of {@code batch}, after those of {@code before} (the send before it
     * in the batch, or {@code null}), and lets the caller's buffers go. Event loop only.
     */
    void copyInto(ByteBuf batch, SendOperation<?> before) {
        if (lone != null) {
            copyLone(batch);
        } else {
            ByteBuf source = data;
            data = null;
            try {
                batch.writeBytes(source, source.readerIndex(), source.readableBytes());
            } finally {
                source.release();
            }
        }
        batchedBefore = before;
        batchEnd = batch.writerIndex();
    }

    /**
     * Copies the lone buffer's bytes, as they were bounded when the send was made, with an absolute bulk put:
     * neither its position nor its limit is touched (other sends may be lending the same buffer), and no
     * wrapper is made for the copy. A caller that lowered the limit meanwhile still has its bytes sent, as
     * {@link CallerBufferView} does: the put checks the live limit, which another thread may lower between any
     * check of ours and the put's own, so the put itself tells, and a duplicate bounded by the capacity copies.
     */
    private void copyLone(ByteBuf batch) {
        int length = (int) bytes;
        batch.ensureWritable(length);
        int at = batch.writerIndex();
        ByteBuffer target = batch.internalNioBuffer(at, length);
        try {
            target.put(target.position(), lone, lonePosition, length);
        } catch (IndexOutOfBoundsException limitLowered) {
            target.put(target.position(), CallerMemory.whole(lone), lonePosition, length);
        }
        batch.writerIndex(at + length);
        lone = null;
    }

    /** Where the lone buffer's bytes end: its limit when the send was made. */
    private int loneLimit() {
        return lonePosition + (int) bytes;
    }

    private int batchStart() {
        return batchedBefore == null ? 0 : batchedBefore.batchEnd;
    }

    /**
     * Makes this send, the last of its batch, the one whose write's outcome settles the batch. It keeps a
     * reference to the batch's buffer so that, once Netty released it, it can still tell how far the write got.
     */
    void closeBatch(ByteBuf batch) {
        data = batch.retain();
    }

    /** Makes the promise of this send's own write (or its batch's, whose last send it is), and returns it. */
    SendWrite ownWrite() {
        write = new SendWrite(connection.channel(), this);
        return write;
    }

    /** Lets go of a send that was made but not accepted: nothing calls back. */
    void refuse() {
        releaseData();
    }

    private void releaseData() {
        if (leading != null) {
            leading.release();
        }
        if (data != null) {
            data.release();
        }
    }

    /** Completes a send whose event loop ended before its callback could run: with its outcome if it had one. */
    void completeAfterLoopEnded() {
        if (outcome == null && batchEnd > 0 && data != null) {
            settleBatch(); // the last of a batch: lets go of the batch's buffer
        }
        if (outcome == null && !isSuccess()) {
            failure = FailureKind.ENGINE_SHUT_DOWN.alone();
        }
        complete(outcome != null ? outcome : isSuccess() ? SendResult.OK : SendResult.ABANDONED);
    }

    /** The payload's size. */
    long bytes() {
        return bytes;
    }

    boolean isCompleted() {
        return callback == null;
    }

    /**
     * The write has its outcome (told by its promise, on any thread); the connection runs the callback in
     * order. Netty has released the wrapper before it completes the write's promise, so the callback may hand
     * the caller's buffers back. (A handler in front that kept a reference past the promise would break
     * Netty's own ownership rule for promises; waiting for the last reference instead would let such a
     * handler hold back the callback, and with it close(), forever.)
     */
    void writeDone() {
        connection.writeDone(this);
    }

    private boolean isSuccess() {
        return write != null ? write.isSuccess() : straightWriteEnded && straightCause == null;
    }

    private Throwable cause() {
        return write != null ? write.cause() : straightCause;
    }

    /**
     * Fixes the result from the write's outcome, as it stands now, once every part of an oversize send has
     * its outcome too (Netty may read the caller's buffers until then); else returns false and asks again
     * when the next part is done. Event loop only.
     */
    boolean settle() {
        if (outcome == null && leading != null && !leading.allDone(() -> connection.writeDone(this))) {
            return false;
        }
        if (outcome == null && batchEnd > 0) {
            settleBatch();
        } else if (outcome == null) {
            outcome = result();
        }
        return true;
    }

    /**
     * The batch's write, whose outcome this send, its last, was told, has ended: fixes the result of every send
     * in the batch. If the transport stopped part-way (the batch goes below every handler, so its reader index
     * is the transport's), the sends whose bytes all went out are OK and the others fail as a send of their own
     * would.
     */
    private void settleBatch() {
        settleBatch(isSuccess(), cause());
    }

    private void settleBatch(boolean succeeded, Throwable cause) {
        int written = data.readerIndex();
        boolean partWay = written > 0 && written < data.writerIndex();
        data.release();
        data = null;
        for (SendOperation<?> send = this; send != null; send = send.batchedBefore) {
            send.outcome = succeeded || (partWay && written >= send.batchEnd) ? SendResult.OK
                    : send.failedResult(partWay && written > send.batchStart(), cause);
        }
    }

    boolean isSettled() {
        return outcome != null;
    }

    // Codes_SRS_ASYNC_SOCKET_WIN32_01_064
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_065
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_068
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_072
    /** Runs the callback with the settled result; the sends accepted before this one have completed. */
    void complete() {
        complete(outcome);
    }

    @Override
    public void released(int readerIndex, int capacity) {
        partlyWrittenAtRelease = readerIndex > 0 && readerIndex < capacity;
        VIEW_RELEASED.setRelease(this, true);
    }

    private SendResult result() {
        if (isSuccess() && (leading == null || leading.allSucceeded())) {
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_066
            return SendResult.OK;
        }
        return failedResult(partlyWritten(), cause());
    }

    /**
     * How far the transport got: past 0 and short of the end is a partial send. A recycled view told at its
     * release; any other wrapper keeps its indexes after it.
     */
    private boolean partlyWritten() {
        return (data instanceof CallerBufferView ? partlyWrittenAtRelease : partlyRead(data))
                || (leading != null && leading.anyWritten());
    }

    /**
     * Whether this send has no outcome yet because a write of its own (with a promise of its own: behind a
     * handler in front, or an oversize send's) still has none. Event loop only.
     */
    boolean awaitsOwnWrite() {
        return outcome == null && write != null && (!write.isDone() || (leading != null && leading.anyPending()));
    }

    /**
     * Ends a send whose own write never got its outcome although the channel has closed and left its loop,
     * its pipeline torn down, and whose buffers were all let go: a handler in front dropped the write, and its
     * promise, which Netty's rules forbid, and nothing can complete it any more. It ends as a write the closed
     * channel refused (for a batch's promise, the whole batch), so that its callback comes and {@code close()}
     * returns; the promise, should it still complete, is then ignored. A write still held (by a handler that
     * passes it on later, from a thread of its own, say) is left to its promise: ending the send would hand the
     * caller back memory that the handler may still read. Returns whether it ended the send. Event loop only.
     */
    boolean settleDropped() {
        if (!awaitsOwnWrite() || !buffersLetGo()) {
            return false;
        }
        if (batchEnd > 0) {
            settleBatch(false, DROPPED);
        } else {
            outcome = failedResult(partlyWritten(), DROPPED);
        }
        return true;
    }

    /**
     * Whether every buffer this send's writes lent out was released, so that nothing reads the caller's memory
     * any more. A batch's is a copy: the caller's buffers were let go when their bytes were copied.
     */
    private boolean buffersLetGo() {
        if (batchEnd > 0) {
            return true;
        }
        // A recycled view may serve another send once released: its own count says nothing about this one.
        boolean own = data instanceof CallerBufferView
                ? (boolean) VIEW_RELEASED.getAcquire(this) : data.refCnt() == 0;
        return own && (leading == null || leading.allReleased());
    }

    /** The result of a send whose write failed with {@code cause}, having written some of its bytes or none. */
    private SendResult failedResult(boolean partlyWritten, Throwable cause) {
        if (connection.isClosing()) {
            failure = connection.whyClosing();
            return SendResult.ABANDONED; // close() or destroy() came first: the contract's "else ABANDONED"
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_102
        if (cause instanceof ClosedChannelException) {
            failure = connection.whyChannelClosed(); // Netty's shared exception says less than who closed it
            if (!partlyWritten && failure.kind() != FailureKind.OUTPUT_SHUT_DOWN) {
                return SendResult.ABANDONED; // the connection went away before it: as at a close
            }
        } else {
            failure = connection.whyWriteFailed(cause); // the network's doing, or a handler in front's
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_067
        return SendResult.ERROR;
    }

    private static boolean partlyRead(ByteBuf buf) {
        return buf.readerIndex() > 0 && buf.readerIndex() < buf.writerIndex();
    }

    private void complete(SendResult result) {
        OnSendComplete<C> once = callback;
        if (once == null) {
            throw new IllegalStateException("completed twice: " + this);
        }
        callback = null;
        try {
            connection.sendCompleting(bytes, result);
            if (result != SendResult.OK) {
                connection.failed(failure != null ? failure : connection.whyClosing());
            }
            Callbacks.sendComplete(once, context, result);
        } finally {
            connection.completed();
        }
    }
}
