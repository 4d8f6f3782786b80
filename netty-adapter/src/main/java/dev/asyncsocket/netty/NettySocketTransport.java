package dev.asyncsocket.netty;

import dev.asyncsocket.SocketTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
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
     * socket. Call it once those handlers are in place: last in a {@code ChannelInitializer}, or on a live
     * channel from any thread. From then on, every byte that reaches the end of the pipeline is kept for the
     * socket that {@link NettyAsyncSocket#openAsync opens} on this transport (a server's greeting right after
     * a TLS handshake, say), up to {@link EarlyInboundBuffer#MAX_HELD_BYTES}: past that the channel stops
     * reading (auto-read off), so the peer waits, through TCP, rather than memory growing. Bytes that reached
     * the end of the pipeline before this call are Netty's, which drops them.
     *
     * <p>Off the channel's event loop, this waits for the loop to put the holder in place (on another event
     * loop it cannot, and bytes that reach the end before the loop gets to it are not held): do not call it
     * while holding a lock that a handler of the channel takes.
     *
     * <p>The channel's options are left as they are, except that opening a socket on it turns auto-read off.
     * Half-close: the peer's EOF ends only the receiving direction if the channel allows half-closure
     * ({@code ChannelOption.ALLOW_HALF_CLOSURE}); otherwise Netty closes the channel on EOF: receives then end
     * ABANDONED, and sends return {@code NOT_OPEN}. Their reason is {@link FailureKind#END_OF_STREAM} where the
     * socket's reads met the EOF, or a TLS close_notify came first; a plain channel that read before the socket
     * opened (auto-read on) keeps the read handle of its first read, which the socket cannot watch, and there it
     * is {@link FailureKind#CHANNEL_CLOSED}. A TLS close_notify ({@code SslHandler}'s
     * {@code SslCloseCompletionEvent.SUCCESS}) ends receives as the peer's EOF does, even if the connection
     * stays open.
     *
     * @return {@code null} if {@code channel} is {@code null}
     */
    public static NettySocketTransport of(Channel channel) {
        if (channel == null) {
            return null;
        }
        holdInboundUntilOpen(channel);
        return new NettySocketTransport(channel);
    }

    /**
     * Puts an {@link EarlyInboundBuffer} last in the pipeline, unless one is there or a socket is open on the
     * channel. On a registered channel that happens on its event loop, and this waits for it where waiting is
     * allowed, so that no byte reaching the end of the pipeline after {@link #of} returned passes it by.
     */
    private static void holdInboundUntilOpen(Channel channel) {
        if (holdsInbound(channel.pipeline())) {
            return; // the channels connect and listen make hold from the start; an open socket holds nothing
        }
        if (!channel.isRegistered() || channel.eventLoop().inEventLoop()) {
            addHolder(channel.pipeline());
            return;
        }
        try {
            Future<?> added = channel.eventLoop().submit(() -> addHolder(channel.pipeline()));
            if (CurrentThread.mayBlock()) {
                added.awaitUninterruptibly();
            }
        } catch (RejectedExecutionException e) {
            // The loop has ended: nothing will be read any more.
        }
    }

    private static void addHolder(ChannelPipeline pipeline) {
        if (!holdsInbound(pipeline)) {
            pipeline.addLast(new EarlyInboundBuffer());
        }
    }

    private static boolean holdsInbound(ChannelPipeline pipeline) {
        return pipeline.get(EarlyInboundBuffer.class) != null || pipeline.get(TailHandler.class) != null;
    }

    /** A channel this library made, which holds its inbound bytes from the start. */
    static NettySocketTransport ofOwn(Channel channel) {
        return new NettySocketTransport(channel);
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
        if (badArguments(engine, host, port, timeoutMs) != null || engine.eventLoopGroup().isShuttingDown()) {
            return null;
        }
        ChannelFuture connected;
        try {
            connected = bootstrap(engine, timeoutMs).connect(host, port);
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

    /**
     * Connects as {@link #connect} does, without blocking: callable from any thread, an event loop or a
     * callback included (a client reconnecting from its ABANDONED callback, say). An IP address is taken as it
     * is; a host name is looked up off the event loops (on a few threads of this library's, started on demand),
     * so a slow DNS answer stalls no socket; {@code timeoutMs} counts from the end of the lookup.
     *
     * @return a future that completes with the transport, or exceptionally with the cause: a
     *     {@link java.net.ConnectException} (refused), a {@link io.netty.channel.ConnectTimeoutException}
     *     (no answer within {@code timeoutMs}), an {@link java.net.UnknownHostException}, an
     *     {@link IllegalArgumentException} for bad arguments, or an {@link IllegalStateException} if the
     *     engine is shutting down, shuts down before the connection is made, or the event loop the connection
     *     was given to has ended (an engine's loops end one after the other). It always completes: a
     *     connection made after it was completed otherwise (cancelled, say) is closed.
     */
    public static CompletableFuture<NettySocketTransport> connectAsync(NettyExecutionEngine engine, String host,
                                                                       int port, int timeoutMs) {
        CompletableFuture<NettySocketTransport> result = new CompletableFuture<>();
        String bad = badArguments(engine, host, port, timeoutMs);
        if (bad != null) {
            result.completeExceptionally(new IllegalArgumentException(bad));
            return result;
        }
        if (engine.eventLoopGroup().isShuttingDown()) {
            result.completeExceptionally(new IllegalStateException("the engine is shutting down"));
            return result;
        }
        ChannelFuture connecting;
        try {
            connecting = bootstrap(engine, timeoutMs).connect(host, port);
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        if (connecting.isDone()) {
            // Refused at once, typically by a loop that has ended while the group still runs (its loops end one
            // after the other): Netty would tell a listener on that loop, which refuses the task, so never.
            settle(result, connecting);
            return result;
        }
        // A loop may also end between taking the connect's tasks and running them: its end fails the connect.
        @SuppressWarnings("unchecked")
        Future<Object> loopEnd = (Future<Object>) connecting.channel().eventLoop().terminationFuture();
        GenericFutureListener<Future<Object>> onLoopEnded = ended -> result.completeExceptionally(
                new IllegalStateException("the engine's event loop ended before the connection was made"));
        loopEnd.addListener(onLoopEnded);
        connecting.addListener(done -> {
            loopEnd.removeListener(onLoopEnded); // a long-lived loop keeps no listener per connect
            settle(result, connecting);
        });
        return result;
    }

    /** Completes {@code result} as {@code connecting} ended; a connection no one can take any more is closed. */
    private static void settle(CompletableFuture<NettySocketTransport> result, ChannelFuture connecting) {
        if (connecting.isSuccess()) {
            if (!result.complete(new NettySocketTransport(connecting.channel()))) {
                connecting.channel().close();
            }
        } else if (connecting.cause() instanceof RejectedExecutionException refused) {
            result.completeExceptionally(new IllegalStateException("the engine's event loop has ended", refused));
        } else if (connecting.cause() instanceof ClosedChannelException
                && connecting.channel().eventLoop().isShuttingDown()) {
            // The loop closes its channels as it shuts down, a connecting one too (registered, so it has a loop).
            result.completeExceptionally(new IllegalStateException(
                    "the engine shut down before the connection was made", connecting.cause()));
        } else {
            result.completeExceptionally(connecting.cause());
        }
    }

    /** What is wrong with connect's arguments, or {@code null}. */
    private static String badArguments(NettyExecutionEngine engine, String host, int port, int timeoutMs) {
        return engine == null ? "no engine"
                : host == null ? "no host"
                : port < 0 || port > 0xFFFF ? "port " + port + " is outside 0..65535"
                : timeoutMs < 1 ? "timeout " + timeoutMs + " ms is below 1" : null;
    }

    /** A client channel on the engine: {@code TCP_NODELAY}, half-closure allowed, auto-read off, bytes held. */
    private static Bootstrap bootstrap(NettyExecutionEngine engine, int timeoutMs) {
        Bootstrap bootstrap = new Bootstrap()
                .group(engine.eventLoopGroup())
                .channel(engine.transport().socketChannelType())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMs)
                .resolver(OffLoopNameResolverGroup.INSTANCE)
                .handler(EarlyInboundBuffer.INSTALLER);
        ChannelOptionsForSockets.apply(bootstrap);
        return bootstrap;
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
