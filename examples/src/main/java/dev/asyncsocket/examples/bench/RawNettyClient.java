package dev.asyncsocket.examples.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;

import java.nio.channels.ClosedChannelException;

/**
 * A client written the way the fastest honest Netty code is: the message held in pooled direct buffers and
 * written as retained duplicates (recycled, so nothing is allocated per send) with the void promise; one
 * flush per burst of sends, and when sends are issued while reading, one flush per read burst, in
 * {@code channelReadComplete}. Reads with auto-read on, releasing each buffer once counted.
 *
 * <p>With void promises there is no completion per write: a send has completed once its buffers have left
 * the outbound buffer, which is checked after each flush and read burst and whenever the channel becomes
 * writable again (the high water mark is the workload's window). When a check finds bytes still waiting for
 * the socket, a zero-length write with a real promise goes behind them (one at a time): its completion
 * checks again once they have all left. That costs a promise only while the socket is backed up.
 *
 * <p>Threading: everything runs on the channel's event loop except {@link #execute} and {@link #close()}.
 */
final class RawNettyClient extends ChannelInboundHandlerAdapter implements Client {

    private final ClientEvents events;
    private final Workload workload;
    private final ChannelFutureListener markerWritten = future -> {
        markerInFlight = false;
        reportCompletedSends();
    };
    private ByteBuf[] message;
    private ChannelHandlerContext ctx;
    private long buffersWritten;
    private long buffersFlushed;
    private long sendsReported;
    private boolean inReadBurst;
    private boolean flushAfterRead;
    private boolean markerInFlight;
    private volatile boolean closing;

    RawNettyClient(Workload workload, ClientEvents events) {
        this.workload = workload;
        this.events = events;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        // The pooled allocator's duplicates are recycled (the adaptive default's are not): no allocation per send.
        this.message = Messages.pooledBuffers(workload, PooledByteBufAllocator.DEFAULT);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        for (ByteBuf buffer : message) {
            buffer.release();
        }
    }

    @Override
    public void execute(Runnable task) {
        ctx.executor().execute(task);
    }

    @Override
    public void send() {
        for (ByteBuf buffer : message) {
            ctx.write(buffer.retainedDuplicate(), ctx.voidPromise());
        }
        buffersWritten += message.length;
    }

    @Override
    public void flush() {
        if (inReadBurst) {
            flushAfterRead = true;
        } else {
            flushNow();
        }
    }

    @Override
    public void close() {
        closing = true;
        ctx.channel().close().syncUninterruptibly();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inReadBurst = true;
        ByteBuf bytes = (ByteBuf) msg;
        int count = bytes.readableBytes();
        bytes.release();
        events.onReceived(count);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inReadBurst = false;
        if (flushAfterRead) {
            flushAfterRead = false;
            flushNow();
        } else {
            reportCompletedSends();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            reportCompletedSends();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!closing) {
            events.onFailure(cause);
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!closing) {
            events.onFailure(new ClosedChannelException());
        }
    }

    private void flushNow() {
        buffersFlushed = buffersWritten;
        ctx.flush();
        reportCompletedSends();
    }

    private void reportCompletedSends() {
        ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        // size(): entries flushed and not yet written, the marker among them while it is in flight
        long pendingBuffers = outbound == null ? 0 : outbound.size() - (markerInFlight ? 1 : 0);
        long sendsDone = (buffersFlushed - pendingBuffers) / message.length;
        if (sendsDone > sendsReported) {
            int newlyDone = (int) (sendsDone - sendsReported);
            sendsReported = sendsDone;
            events.onSendsCompleted(newlyDone);
        }
        if (pendingBuffers > 0 && !markerInFlight && ctx.channel().isActive()) {
            markerInFlight = true;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER, ctx.newPromise().addListener(markerWritten));
        }
    }
}
