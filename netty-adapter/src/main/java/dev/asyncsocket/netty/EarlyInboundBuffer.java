package dev.asyncsocket.netty;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.ReferenceCountUtil;


/**
 * Holds what reaches the end of a channel's pipeline before a socket is opened on it: on the channels that
 * {@link NettySocketTransport#connect} and {@link NettySocketListener} make (auto-read is off, yet epoll and
 * io_uring still read when the peer's FIN or reset arrives), and on a caller's channel from
 * {@link NettySocketTransport#of} on (a greeting after a TLS handshake, a channel still reading on its own).
 * Without it those bytes would reach Netty's own tail and be dropped. At most {@link #MAX_HELD_BYTES} are
 * held: past that it turns the channel's auto-read off, so the peer waits through TCP; it turns it on again
 * if it is removed with no socket taking over.
 *
 * <p>When it is removed (the socket removes it once its own handler is in place, on the event loop), it
 * passes on what it held, in order, to the handlers behind it, as {@code ByteToMessageDecoder} passes on its
 * leftovers: the bytes, then the failure, then the end of input. Handlers a user added after it (TLS, codecs)
 * so see those bytes too. If the channel closes with no socket, the bytes end at Netty's tail, which releases
 * them. Event loop only.
 */
final class EarlyInboundBuffer extends ChannelInboundHandlerAdapter {

    /** Adds a fresh buffer to each new channel. */
    static final ChannelInitializer<Channel> INSTALLER = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel channel) {
            channel.pipeline().addLast(new EarlyInboundBuffer());
        }
    };

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(EarlyInboundBuffer.class);

    /** The most bytes held before the channel stops reading: about one socket receive buffer. */
    static final int MAX_HELD_BYTES = 1 << 20;

    private CompositeByteBuf held;
    /** Whether this handler turned auto-read off, having held {@link #MAX_HELD_BYTES}. */
    private boolean stoppedReading;
    private Throwable failure;
    /** The events that said no more bytes will come (a FIN, a TLS close_notify), at most one of each kind. */
    private Object inputEnded;
    private Object inputEndedToo;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (held == null) {
            held = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
        }
        held.addComponent(true, (ByteBuf) msg);
        if (held.readableBytes() >= MAX_HELD_BYTES && ctx.channel().config().isAutoRead()) {
            stoppedReading = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // held back with the bytes
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (EndOfInput.is(evt)) {
            if (inputEnded == null) {
                inputEnded = evt;
            } else if (evt != inputEnded) {
                inputEndedToo = evt;
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
    }

    /**
     * The channel ended with no socket opened on it (a peer that reset while its connection waited for
     * {@code accept}): the failure it held has nobody to tell, and passing it on would have Netty log a
     * warning with a stack trace per such peer, a log a hostile peer could flood.
     */
    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) {
        if (failure != null) {
            if (ConnectionFailures.worthAWarning(failure)) {
                LOG.warn(ctx.channel() + ": the connection failed before a socket was opened on it", failure);
            } else {
                LOG.debug("{} ended before a socket was opened on it: {}", ctx.channel(), failure);
            }
            failure = null;
        }
        ctx.fireChannelUnregistered();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (stoppedReading && ctx.pipeline().get(TailHandler.class) == null) {
            ctx.channel().config().setAutoRead(true); // removed by its owner, with no socket taking over
        }
        if (held != null) {
            ByteBuf bytes = held;
            held = null;
            ctx.fireChannelRead(bytes);
            ctx.fireChannelReadComplete();
        }
        if (failure != null) {
            ctx.fireExceptionCaught(failure);
        }
        if (inputEnded != null) {
            ctx.fireUserEventTriggered(inputEnded);
        }
        if (inputEndedToo != null) {
            ctx.fireUserEventTriggered(inputEndedToo);
        }
    }
}
