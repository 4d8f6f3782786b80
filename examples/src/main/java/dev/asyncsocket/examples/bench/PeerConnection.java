package dev.asyncsocket.examples.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The peer's end of one connection: discards, echoes (written back as read, one flush per read burst) or
 * streams 64 KiB chunks while writable, and counts every byte both ways. Confined to its event loop; the
 * {@link Peer} reads the counters through tasks on it.
 */
final class PeerConnection extends ChannelInboundHandlerAdapter {

    static final int STREAM_CHUNK_BYTES = 64 * 1024;
    private static final int CHUNKS_PER_BURST = 16;

    /** The peer's counts at one moment. */
    record Counters(long bytesIn, long bytesOut, long lastReadNanos, Throwable failure) {
    }

    private final Workload.PeerMode mode;
    private final Runnable streamTask = this::stream;
    private ChannelHandlerContext ctx;
    private ByteBuf chunk;
    private boolean streaming;
    private long bytesIn;
    private long bytesOut;
    private long lastReadNanos;
    private Throwable failure;

    PeerConnection(Workload.PeerMode mode) {
        this.mode = mode;
    }

    Counters counters() {
        return new Counters(bytesIn, bytesOut, lastReadNanos, failure);
    }

    void startStreaming() {
        streaming = true;
        stream();
    }

    /** Stops streaming; the bytes written so far all reach the client. */
    long stopStreaming() {
        streaming = false;
        return bytesOut;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (mode == Workload.PeerMode.STREAM) {
            // Pooled, so that its retained duplicates are recycled and streaming allocates nothing.
            chunk = PooledByteBufAllocator.DEFAULT.directBuffer(STREAM_CHUNK_BYTES).writeZero(STREAM_CHUNK_BYTES);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (chunk != null) {
            chunk.release();
            chunk = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf bytes = (ByteBuf) msg;
        int count = bytes.readableBytes();
        bytesIn += count;
        lastReadNanos = System.nanoTime();
        if (mode == Workload.PeerMode.ECHO) {
            bytesOut += count;
            ctx.write(bytes, ctx.voidPromise());
        } else {
            bytes.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (mode == Workload.PeerMode.ECHO) {
            ctx.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (streaming && ctx.channel().isWritable()) {
            stream();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failure = cause;
        ctx.close();
    }

    private void stream() {
        for (int i = 0; i < CHUNKS_PER_BURST && streaming && ctx.channel().isWritable(); i++) {
            ctx.write(chunk.retainedDuplicate(), ctx.voidPromise());
            bytesOut += STREAM_CHUNK_BYTES;
        }
        ctx.flush();
        if (streaming && ctx.channel().isWritable()) {
            ctx.executor().execute(streamTask); // still room: go on after whatever else the loop has to do
        }
    }
}
