package dev.asyncsocket.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;

import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A listening socket on one of an engine's event loops. Accepted connections wait, not reading, until
 * {@link #accept} hands them out; their channels have {@code TCP_NODELAY}, half-closure allowed and
 * auto-read off. Thread-safe.
 */
public final class NettySocketListener implements AutoCloseable {

    private final Channel serverChannel;
    private final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    private NettySocketListener(ServerBootstrap bootstrap, String host, int port) throws InterruptedException {
        Acceptor acceptor = new Acceptor();
        bootstrap.childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel child) {
                child.pipeline().addLast(acceptor, new EarlyInboundBuffer());
            }
        });
        ChannelFuture bound = bootstrap.bind(host, port).sync();
        this.serverChannel = bound.channel();
    }

    /**
     * Listens on {@code host:port}; port 0 picks any free port (see {@link #port()}). Blocks until bound.
     *
     * @return {@code null} if an argument is bad, the engine is shutting down, the address cannot be bound,
     *     or this is called from an event loop
     */
    public static NettySocketListener listen(NettyExecutionEngine engine, String host, int port) {
        if (engine == null || host == null || port < 0 || port > 0xFFFF || engine.eventLoopGroup().isShuttingDown()) {
            return null;
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(engine.eventLoopGroup())
                .channel(engine.transport().serverChannelType());
        ChannelOptionsForSockets.applyToChildren(bootstrap);
        try {
            return new NettySocketListener(bootstrap, host, port);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (IllegalStateException e) { // includes BlockingOperationException: called from an event loop
            return null;
        } catch (Exception e) { // bind failures surface as the cause (e.g. java.net.BindException)
            return null;
        }
    }

    /** The port listened on. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /**
     * The next accepted connection.
     *
     * @return {@code null} if none arrives within {@code timeoutMs}, or once the listener is closed
     */
    public NettySocketTransport accept(long timeoutMs) {
        if (closed) {
            return null;
        }
        try {
            Channel channel = accepted.poll(Math.max(0, timeoutMs), TimeUnit.MILLISECONDS);
            if (channel == null) {
                return null;
            }
            if (closed) {
                channel.close();
                return null;
            }
            return NettySocketTransport.of(channel);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Stops listening and closes every accepted connection not handed out yet. Idempotent. */
    @Override
    public void close() {
        closed = true;
        ChannelFuture unbound = serverChannel.close();
        if (!serverChannel.eventLoop().inEventLoop()) {
            unbound.awaitUninterruptibly();
        }
        Channel channel;
        while ((channel = accepted.poll()) != null) {
            channel.close();
        }
    }

    @Sharable
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            accepted.add(ctx.channel());
            // A close() that drained the queue just before the add must not leave this connection open.
            if (closed && accepted.remove(ctx.channel())) {
                ctx.close();
            }
            ctx.pipeline().remove(this);
            super.channelActive(ctx);
        }
    }
}
