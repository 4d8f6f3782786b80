package dev.asyncsocket.netty;

import dev.asyncsocket.SocketTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One connected Netty {@link Channel}, to hand to {@link NettyAsyncSocket#openAsync}. Immutable.
 */
public final class NettySocketTransport implements SocketTransport {

    private final Channel channel;

    private NettySocketTransport(Channel channel) {
        this.channel = channel;
    }

    /**
     * Wraps a channel the caller already has, with its pipeline (TLS, codecs, logging) in front of the
     * socket. Its options are left as they are, except that opening a socket on it turns auto-read off:
     * hand it over before it starts reading.
     *
     * @return {@code null} if {@code channel} is {@code null}
     */
    public static NettySocketTransport of(Channel channel) {
        return channel == null ? null : new NettySocketTransport(channel);
    }

    /**
     * Connects to {@code host:port} on one of the engine's event loops, with {@code TCP_NODELAY},
     * half-closure allowed and auto-read off. Blocks until connected; do not call it from an event loop.
     *
     * @return {@code null} if an argument is bad ({@code null}, a port outside 0..65535, a timeout below 1),
     *     the engine is shutting down, the connection fails or does not complete within {@code timeoutMs},
     *     or this is called from an event loop
     */
    public static NettySocketTransport connect(NettyExecutionEngine engine, String host, int port, int timeoutMs) {
        if (engine == null || host == null || port < 0 || port > 0xFFFF || timeoutMs < 1
                || engine.eventLoopGroup().isShuttingDown()) {
            return null;
        }
        Bootstrap bootstrap = new Bootstrap()
                .group(engine.eventLoopGroup())
                .channel(engine.transport().socketChannelType())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMs)
                .handler(EarlyInboundBuffer.INSTALLER);
        ChannelOptionsForSockets.apply(bootstrap);
        ChannelFuture connected;
        try {
            connected = bootstrap.connect(host, port);
            if (!connected.await(timeoutMs + 1000L, TimeUnit.MILLISECONDS)) {
                connected.channel().close();
                return null;
            }
        } catch (IllegalStateException e) { // includes BlockingOperationException: called from an event loop
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        return connected.isSuccess() ? new NettySocketTransport(connected.channel()) : null;
    }

    /** The channel (c-pal's socket_transport_get_underlying_socket). */
    public Channel channel() {
        return channel;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NettySocketTransport && ((NettySocketTransport) o).channel == channel;
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(channel);
    }

    @Override
    public String toString() {
        return "NettySocketTransport(" + channel + ")";
    }
}
