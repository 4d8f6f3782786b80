package dev.asyncsocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * The last handler of the channel's pipeline (c-pal's threadpool I/O callback): bytes go to the receive
 * queue, and the ends of the stream become results: the peer's EOF and a reset or closed channel end
 * receives with ABANDONED, a reset also closes the channel so that new sends get NOT_OPEN, and any other
 * failure completes pending receives with ERROR. Nothing is swallowed silently: what is not a result is
 * logged. One instance per connection; runs on the channel's event loop.
 */
final class TailHandler extends ChannelInboundHandlerAdapter {

    static final String NAME = "async-socket";
    private static final System.Logger LOG = System.getLogger(TailHandler.class.getName());

    private final Connection connection;
    private final ReceiveQueue receives;

    TailHandler(Connection connection) {
        this.connection = connection;
        this.receives = connection.receives();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            receives.onRead((ByteBuf) msg);
        } else {
            LOG.log(Level.WARNING, "{0}: a handler in front passed {1}, not bytes; pending receives fail",
                    ctx.channel(), msg.getClass().getName());
            ReferenceCountUtil.release(msg);
            receives.onError();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.onReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            receives.onEnd(ReceiveQueue.End.EOF);
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (isConnectionFailure(cause)) {
            // The connection is gone (reset, aborted, timed out): no byte will come and none can be sent.
            // Codes_SRS_ASYNC_SOCKET_WIN32_42_001: [ If io_result is ERROR_NETNAME_DELETED or ERROR_CONNECTION_ABORTED, the on_receive_complete callback passed to async_socket_receive_async shall be called with on_receive_complete_context as context, ASYNC_SOCKET_RECEIVE_ABANDONED as result and 0 for bytes_received. ]
            // Closed first, so that a callback sending from the ABANDONED completion already sees NOT_OPEN.
            LOG.log(Level.DEBUG, "{0}: connection lost: {1}", ctx.channel(), cause);
            ctx.channel().close();
            receives.onEnd(ReceiveQueue.End.RESET);
        } else {
            LOG.log(Level.WARNING, ctx.channel() + ": receive failed", cause);
            receives.onError();
        }
    }

    /** An I/O failure anywhere in the chain (epoll wraps some in UncheckedIOException) means the connection is gone. */
    private static boolean isConnectionFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        receives.onEnd(ReceiveQueue.End.CLOSED);
    }
}
