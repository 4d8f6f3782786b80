package dev.asyncsocket.netty;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import dev.asyncsocket.ReceiveResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The receives posted on one connection, in order, and the bytes read beyond what they could hold.
 *
 * <p>Invariants: surplus bytes exist only while no receive is pending (they are handed out as soon as one
 * is posted); the channel reads only while a receive is pending and no surplus is left, which is the
 * socket's backpressure. Once the stream has ended (EOF, reset or close), surplus bytes are still
 * delivered, and after them every receive completes ABANDONED.
 *
 * <p>Confined to the channel's event loop. Callbacks it runs may post receives or close the socket; those
 * go through the connection's inbox, which is pulled into this queue between completions
 * ({@link Owner#pullInbox}: a receive posted by a callback takes the next bytes at once), never from inside a
 * callback.
 */
final class ReceiveQueue {

    /** Why no more bytes will be read. */
    enum End { EOF, RESET, CLOSED }

    /** What the queue needs of the connection it serves, and no more. Event loop only. */
    interface Owner {
        /** Starts what the connection's inbox holds now: a receive that a callback just posted, say. */
        void pullInbox();

        /** Whether the socket is closing: receives that end now end ABANDONED. */
        boolean isClosing();

        /** Records why the ERROR or ABANDONED completion about to run failed; call right before its callback. */
        void failed(SocketFailure why);

        /** Why the channel is closed: this socket's close, a reset, the engine ending, or someone else. */
        SocketFailure whyChannelClosed();
    }

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(ReceiveQueue.class);
    /** Whether a lent buffer came back after its receive completed (see {@link #onRead}); warned once. */
    private static final AtomicBoolean LATE_READ_WARNED = new AtomicBoolean();

    private final Owner owner;
    private final Channel channel;
    private final ArrayDeque<ReceiveOperation<?>> pending = new ArrayDeque<>();
    private ByteBuf surplus;
    private End end;
    /** Why the stream ended, once it has: what receives abandoned from then on report. */
    private volatile SocketFailure endReason; // read by whyRefused() on any thread
    /** The buffer last lent to the transport over the head receive's memory (see {@link #lend()}), or null. */
    private ByteBuf lent;
    /** The receive whose memory {@link #lent} is. */
    private ReceiveOperation<?> lentTo;
    /** Whether this connection warned that its channel's auto-read was turned on again (see {@link #append}). */
    private boolean autoReadWarned;
    /** Whether a read met the peer's EOF (see {@link #onEofRead}). */
    private boolean eofRead;

    ReceiveQueue(Owner owner, Channel channel) {
        this.owner = owner;
        this.channel = channel;
    }

    void post(ReceiveOperation<?> receive) {
        pending.addLast(receive);
    }

    /** Serves pending receives from the surplus, then abandons them if the stream ended, or reads. */
    void serve() {
        if (surplus != null) {
            ByteBuf bytes = surplus;
            surplus = null;
            deliver(bytes);
        }
        if (pending.isEmpty() || surplus != null || owner.isClosing()) {
            return;
        }
        if (end == null && isInputShutdown()) {
            end = End.EOF; // the EOF came before this socket's handler was there to see it
            endReason = endOfStream();
        }
        if (end != null) {
            abandonPending(endReason);
            return;
        }
        failReceivesWithoutRoom();
        if (!pending.isEmpty()) {
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_081
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_082
            channel.read();
        }
    }

    /**
     * A buffer over the memory of the receive at the head of the queue, for the transport to read into,
     * or {@code null} when reading into it is not safe: the receive has more than one buffer or a heap one,
     * surplus bytes must go first, the stream ended, or a handler in front of the socket would see (and
     * might keep) the lent memory.
     */
    ByteBuf lend() {
        ReceiveOperation<?> head = pending.peekFirst();
        if (head == null || surplus != null || end != null || owner.isClosing()
                || channel.pipeline().first() != channel.pipeline().last()) {
            return null;
        }
        lent = head.lendableBuffer();
        lentTo = head;
        return lent;
    }

    /** Whether the read burst under way should go on: only while a receive waits and nothing is left over. */
    boolean wantsMoreBytes() {
        return !pending.isEmpty() && surplus == null && end == null;
    }

    /** Bytes read from the channel; takes ownership of {@code bytes}. */
    void onRead(ByteBuf bytes) {
        if (bytes == lent && lent != null) {
            ReceiveOperation<?> receive = lentTo;
            lent = null;
            lentTo = null;
            if (pending.peekFirst() != receive) {
                dropLateRead(bytes);
                return;
            }
            pending.pollFirst();
            int count = bytes.readableBytes();
            bytes.release();
            receive.complete(ReceiveResult.OK, receive.advance(count));
            owner.pullInbox();
            return;
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_063
        // Bytes with no receive to complete are kept (see deliver), completing nothing.
        if (surplus != null) {
            append(bytes); // cannot happen while a receive waits; kept in order all the same
            return;
        }
        deliver(bytes);
    }

    /**
     * A read into a receive's memory that completed after the receive did (it was abandoned by a close, or
     * failed): only a transport whose reads complete later could do that, and those are never lent a buffer
     * ({@link NettyTransport#mayReadIntoPostedBuffer}). The bytes went into memory the caller already has
     * back, so they cannot be trusted, nor kept; they are dropped with one warning per process.
     */
    private void dropLateRead(ByteBuf bytes) {
        if (LATE_READ_WARNED.compareAndSet(false, true)) {
            LOG.warn("{}: {} bytes were read into the buffer of a receive that had already"
                    + " completed; they cannot be kept, since that memory was already returned to the caller,"
                    + " and are dropped (further cases are not logged)", channel, bytes.readableBytes());
        }
        bytes.release();
    }

    /**
     * A read met the peer's EOF (the transport's read handle told, before Netty acts on it): on a channel that
     * does not allow half-closure, Netty closes the channel next, for that reason.
     */
    void onEofRead() {
        eofRead = true;
    }

    /** Whether a read met the peer's EOF. */
    boolean eofRead() {
        return eofRead;
    }

    /** The channel closed: no more bytes will be read, for the reason the owner knows. */
    void onChannelClosed() {
        onEnd(End.CLOSED, owner.whyChannelClosed());
    }

    /**
     * No more bytes will be read, for {@code reason}; receives still get the surplus first. The first reason
     * stays (a channel closed after a reset was closed by the reset), except that a reset is what the receives
     * abandoned from then on report, even after the EOF or the channel's close.
     */
    void onEnd(End why, SocketFailure reason) {
        onEnd(why, reason, null);
    }

    /**
     * As {@link #onEnd(End, SocketFailure)}, running {@code first} (the channel's close, say) once the reason
     * is recorded and before any receive completes: a caller that a closed channel refuses, on any thread, reads
     * this reason through {@link #endReason()} (after the channel's close, which publishes it).
     */
    void onEnd(End why, SocketFailure reason, Runnable first) {
        if (end == null || why.compareTo(end) > 0) {
            end = why;
        }
        if (endReason == null || (why == End.RESET && (endReason.kind() == FailureKind.END_OF_STREAM
                || endReason.kind() == FailureKind.CHANNEL_CLOSED))) {
            endReason = reason;
        }
        if (first != null) {
            first.run();
        }
        if (surplus == null) {
            abandonPending(endReason);
        }
    }

    /**
     * Why the input ended: the peer's EOF, unless the engine is shutting down, whose loop ends the reads it
     * leaves (io_uring reports them as an EOF).
     */
    SocketFailure endOfStream() {
        return channel.eventLoop().isShuttingDown()
                ? FailureKind.ENGINE_SHUT_DOWN.alone() : FailureKind.END_OF_STREAM.alone();
    }

    /** Why the stream ended, or {@code null} while it goes on. */
    SocketFailure endReason() {
        return endReason;
    }

    /**
     * A failure that is not the end of the stream: a handler in front failed ({@code cause}), or passed
     * something other than bytes ({@code null}).
     */
    void onError(Throwable cause) {
        if (pending.isEmpty()) {
            return;
        }
        SocketFailure why = FailureKind.PIPELINE_ERROR.because(cause);
        ReceiveOperation<?> receive;
        while ((receive = pending.pollFirst()) != null) {
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_070
            owner.failed(why);
            receive.complete(ReceiveResult.ERROR, 0);
        }
    }

    /** The socket is closing, for {@code why}: every pending receive is abandoned and the surplus let go. */
    void close(SocketFailure why) {
        end = End.CLOSED;
        if (endReason == null) {
            endReason = why;
        }
        if (surplus != null) {
            surplus.release();
            surplus = null;
        }
        abandonPending(why);
    }

    private boolean isInputShutdown() {
        return channel instanceof DuplexChannel && ((DuplexChannel) channel).isInputShutdown();
    }

    private void deliver(ByteBuf bytes) {
        try {
            ReceiveOperation<?> receive;
            while (bytes.isReadable() && !owner.isClosing() && (receive = pending.pollFirst()) != null) {
                fillAndComplete(receive, bytes);
                owner.pullInbox(); // a receive the callback posted takes the next bytes
            }
            if (bytes.isReadable() && !owner.isClosing()) {
                append(bytes.retain());
            } else if (end != null && surplus == null) {
                abandonPending(endReason);
            }
        } finally {
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_068
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_072
            bytes.release();
        }
    }

    /**
     * Completes {@code receive} with the next of {@code bytes}: OK with as many as its buffers take, or ERROR
     * with 0 if they take none (no room left, or a fault writing the caller's memory); bytes not taken stay.
     */
    private void fillAndComplete(ReceiveOperation<?> receive, ByteBuf bytes) {
        int count = 0;
        Throwable fault = null;
        if (receive.hasRoom()) {
            try {
                // Codes_SRS_ASYNC_SOCKET_WIN32_01_071
                // Codes_SRS_ASYNC_SOCKET_WIN32_01_095
                // fill() copies at most what the buffers hold, so a receive never reports more; the rest waits.
                count = receive.fill(bytes);
            } catch (RuntimeException | Error e) {
                fault = e;
                LOG.warn(channel + ": a receive's buffers could not be written; it completes ERROR"
                        + " and the bytes go to the next receive", e);
            }
        } else {
            noRoom();
        }
        if (count > 0) {
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_069
            receive.complete(ReceiveResult.OK, count);
        } else {
            owner.failed(FailureKind.NO_ROOM.because(fault));
            receive.complete(ReceiveResult.ERROR, 0);
        }
    }

    /**
     * Completes ERROR, with 0 bytes, the receives at the head whose buffers have no room left (the caller
     * filled them meanwhile, e.g. one buffer posted in two receives): reading for them would read 0 bytes,
     * which transports take for the end of the stream.
     */
    private void failReceivesWithoutRoom() {
        ReceiveOperation<?> head;
        while ((head = pending.peekFirst()) != null && !head.hasRoom()) {
            pending.pollFirst();
            noRoom();
            owner.failed(FailureKind.NO_ROOM.alone());
            head.complete(ReceiveResult.ERROR, 0);
            owner.pullInbox();
        }
    }

    private void noRoom() {
        LOG.warn("{}: a receive had no room left in its buffers when its turn came; it completes"
                + " ERROR with 0 bytes", channel);
    }

    /**
     * Keeps bytes that no receive took. While the socket is open the channel reads only for receives (the open
     * turned auto-read off); if its owner, or a handler, turned auto-read on again, a peer writing faster than
     * receives come would fill this without bound. So auto-read goes off again here, once such bytes come, with
     * one warning per connection.
     */
    private void append(ByteBuf bytes) {
        if (channel.config().isAutoRead()) {
            channel.config().setAutoRead(false);
            if (!autoReadWarned) {
                autoReadWarned = true;
                LOG.warn("{}: auto-read was turned on while a socket is open on the channel; the socket turns it"
                        + " off again, as it reads only for its receives (bytes no receive waits for would pile up)",
                        channel);
            }
        }
        if (surplus == null) {
            surplus = bytes;
            return;
        }
        if (!(surplus instanceof CompositeByteBuf)) {
            CompositeByteBuf composite = channel.alloc().compositeBuffer(Integer.MAX_VALUE);
            composite.addComponent(true, surplus);
            surplus = composite;
        }
        CompositeByteBuf composite = (CompositeByteBuf) surplus;
        composite.discardReadComponents();
        composite.addComponent(true, bytes);
    }

    private void abandonPending(SocketFailure why) {
        ReceiveOperation<?> receive;
        while ((receive = pending.pollFirst()) != null) {
            owner.failed(why);
            receive.abandon();
        }
    }
}
