package dev.asyncsocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;

import java.util.ArrayDeque;

/**
 * The one promise of every send's write that goes straight to the transport, and of every batch of copied
 * sends ({@link SendBatcher}), while the socket's handler is alone in the pipeline: a connection makes one, and
 * such a write adds no promise of its own (a lone 16 KiB send then costs its {@link SendOperation} and nothing
 * else, as a recycled view carries its bytes).
 *
 * <p>It works because Netty's outbound buffer completes its entries one at a time, in the order they were
 * written, failures too (a failed write fails the flushed entries in order, then the close the unflushed
 * ones): with no handler in front, the n-th completion this promise gets is its n-th write's. So it keeps
 * the sends it wrote in a queue, one write each, and hands each completion to the oldest. The one completion
 * Netty makes out of turn is that of a write it refuses at once (the channel's outbound buffer is gone, or
 * the transport could not take the message), before the write call returns: that one is the write's own.
 * Nothing else can complete in the meantime, as it writes only while the socket's handler is alone: no
 * handler sees these writes, and the one event Netty fires inside the call, a change of writability, reaches
 * only the socket's {@link TailHandler}, which must not react to it there. A handler in front could (as
 * FlushConsolidationHandler flushes when the channel turns unwritable), completing older writes inside the
 * call: so a batch written after a handler was added has a promise of its own.
 *
 * <p>It never completes itself: it is not done, not cancellable, and nobody awaits it. Event loop only, as
 * the transport completes its entries there and no handler sees these writes.
 */
final class StraightWrites extends DefaultChannelPromise {

    /** The sends whose write is in the channel's outbound buffer, oldest first. */
    private final ArrayDeque<SendOperation<?>> written = new ArrayDeque<>();
    /** The send whose write is being handed to the channel, until it is queued or has ended. */
    private SendOperation<?> writing;

    StraightWrites(Channel channel) {
        super(channel);
    }

    /**
     * Writes {@code data}, all of {@code send}'s bytes (or a batch's, whose last send it is), under this
     * promise, below every handler: the caller has just made sure that the socket's handler is alone in the
     * pipeline (a handler that another thread adds meanwhile is passed by until Netty ran its handlerAdded on
     * this loop, after this task, and one with an executor of its own gets events there, not inside this call).
     * A write that Netty refused at once has ended already, and one that threw ends with what it threw: the
     * send is told either way.
     */
    void write(ByteBuf data, SendOperation<?> send) {
        writing = send;
        try {
            writeBelowEveryHandler(channel(), data, this);
        } catch (RuntimeException | Error e) {
            if (writing == send) {
                ended(e); // thrown before Netty took the write, which then never completes
            }
            return;
        }
        if (writing == send) {
            writing = null;
            written.addLast(send); // in the outbound buffer: it completes in its turn
        }
    }

    /**
     * Writes {@code data} from the first handler's context, so that it goes to the head: a handler added since
     * the sends started (TLS that a callback adds right after its answer to STARTTLS) must not see them.
     */
    static void writeBelowEveryHandler(Channel channel, ByteBuf data, ChannelPromise promise) {
        ChannelHandlerContext first = channel.pipeline().firstContext();
        if (first != null) {
            first.write(data, promise);
        } else {
            channel.write(data, promise);
        }
    }

    @Override
    public boolean trySuccess(Void result) {
        return ended(null);
    }

    @Override
    public boolean tryFailure(Throwable cause) {
        return ended(cause);
    }

    @Override
    public ChannelPromise setSuccess(Void result) {
        ended(null);
        return this;
    }

    @Override
    public ChannelPromise setFailure(Throwable cause) {
        ended(cause);
        return this;
    }

    @Override
    public boolean setUncancellable() {
        return true;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return false;
    }

    /**
     * A write has ended, failed with {@code cause} or not ({@code null}): the one being handed to the channel if
     * any (refused at once), else the oldest. Its send is told, and may start another send right away (from its
     * callback), which queues behind.
     */
    private boolean ended(Throwable cause) {
        SendOperation<?> send = writing;
        if (send != null) {
            writing = null;
        } else {
            send = written.pollFirst();
        }
        if (send == null) {
            return false; // not one of ours: Netty logs it
        }
        send.straightWriteEnded(cause);
        send.writeDone();
        return true;
    }
}
