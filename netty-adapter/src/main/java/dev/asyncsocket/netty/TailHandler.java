package dev.asyncsocket.netty;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;


/**
 * The last handler of the channel's pipeline (c-pal's threadpool I/O callback): bytes go to the receive
 * queue, and the ends of the stream become results: the peer's EOF (a FIN, or a TLS close_notify; see
 * {@link EndOfInput}) and a reset or closed channel end receives with ABANDONED, a reset also closes the
 * channel so that new sends get NOT_OPEN, and any other failure completes pending receives with ERROR.
 * Nothing is swallowed silently: what is not a result is logged. One instance per connection; runs on the
 * channel's event loop.
 */
final class TailHandler extends ChannelInboundHandlerAdapter {

    static final String NAME = "async-socket";
    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(TailHandler.class);

    /** The end of a read burst, for the connection to drain what the burst's callbacks queued. */
    private final Runnable onReadComplete;
    /** The channel closed and its pipeline is being torn down: this handler is removed first. */
    private final Runnable onTornDown;
    private final ReceiveQueue receives;
    /** Whether a failure of this connection was logged at WARNING already. */
    private boolean warned;

    /**
     * Whether the socket's handler is the only one in {@code pipeline}, so that a write goes straight to the
     * transport: another handler (a codec that frames each write, TLS) must see each send as a write of its own.
     */
    static boolean isAloneIn(ChannelPipeline pipeline) {
        return pipeline.first() instanceof TailHandler && pipeline.last() instanceof TailHandler;
    }

    TailHandler(ReceiveQueue receives, Runnable onReadComplete, Runnable onTornDown) {
        this.receives = receives;
        this.onReadComplete = onReadComplete;
        this.onTornDown = onTornDown;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            receives.onRead((ByteBuf) msg);
        } else {
            LOG.warn("{}: a handler in front passed {}, not bytes; pending receives fail",
                    ctx.channel(), msg.getClass().getName());
            ReferenceCountUtil.release(msg);
            receives.onError(null);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        onReadComplete.run();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (EndOfInput.is(evt)) {
            receives.onEnd(ReceiveQueue.End.EOF, receives.endOfStream());
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (ConnectionFailures.endsTheConnection(cause)) {
            // The connection is gone (reset, aborted, timed out, TLS failed): no byte will come and none can be
            // sent. A TLS failure is the pipeline owner's to know: once, at WARNING, with its cause.
            // Codes_SRS_ASYNC_SOCKET_WIN32_42_001
            if (ConnectionFailures.worthAWarning(cause) && !warned) {
                warned = true;
                LOG.warn(ctx.channel() + ": the connection failed; pending operations end", cause);
            } else {
                LOG.debug("{}: connection lost: {}", ctx.channel(), cause);
            }
            // Closed before any receive completes, so that a callback sending from the ABANDONED completion
            // already sees NOT_OPEN; and once the reason is recorded, so that such a refusal says why.
            receives.onEnd(ReceiveQueue.End.RESET, FailureKind.CONNECTION_LOST.because(cause), ctx.channel()::close);
        } else {
            // Whatever a handler in front threw, reading or writing (Netty fires a flush's failure inbound too):
            // the log line is where a failed flush, whose sends then wait for the next one, shows.
            LOG.warn(ctx.channel() + ": a handler in front failed; pending receives complete ERROR", cause);
            receives.onError(cause);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        receives.onChannelClosed();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (!ctx.channel().isOpen()) {
            onTornDown.run();
        }
    }
}
