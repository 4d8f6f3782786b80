package dev.asyncsocket.netty;

import dev.asyncsocket.OpenResult;
import dev.asyncsocket.OnReceiveComplete;
import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.spi.Payload;
import io.netty.channel.Channel;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A {@link NettyAsyncSocket} whose open, sends and receives are {@link SocketFuture}s instead of callbacks: a
 * thin facade, one socket per connection. Each future completes inside the socket's callback, on the socket's
 * event loop, with no thread hop: the stages chained to it run there too, so they must not block (waiting on
 * a future there fails fast, see {@link SocketFuture}).
 *
 * <p>A failure completes the future exceptionally, never throws out of a call: an operation the socket
 * refuses returns a future already failed. The connection's end is a {@link SocketFailureException} whose {@link
 * SocketFailureException#kind() kind} is the socket's {@link NettyAsyncSocket#lastFailure()} for that
 * operation; bad input is an {@link IllegalArgumentException}. The peer's EOF is not a failure: a receive
 * then yields {@link #END_OF_STREAM}, as {@link java.nio.channels.AsynchronousSocketChannel#read} does.
 *
 * <p>The facade owns its socket and the transport it opened: {@link #close()} destroys the socket, releasing
 * its reference on the engine. Operations keep the raw API's guarantees: they complete in the order they
 * were accepted per direction, every accepted one completes exactly once, buffers are lent until then.
 * Thread-safe, as the socket is.
 */
public final class FutureSocket implements AutoCloseable {

    /** What {@link #receive} yields once the peer has ended its sending direction. */
    public static final int END_OF_STREAM = -1;

    private final NettyAsyncSocket socket;
    private final Channel channel;
    /** The callbacks, made once: each operation passes its future as the context. */
    private final OnSendComplete<SocketFuture<Void>> onSent = this::sent;
    private final OnReceiveComplete<SocketFuture<Integer>> onReceived = this::received;

    private FutureSocket(NettyAsyncSocket socket, Channel channel) {
        this.socket = socket;
        this.channel = channel;
    }

    /**
     * Connects to {@code host:port} without blocking ({@link NettySocketTransport#connectAsync}) and opens a
     * socket on the connection. Callable from any thread, a callback or a stage included.
     *
     * @return a future that completes with the open socket, or exceptionally with what
     *     {@link NettySocketTransport#connectAsync} fails with (a {@link java.net.ConnectException} when refused,
     *     a {@link io.netty.channel.ConnectTimeoutException}, an {@link IllegalArgumentException} for bad
     *     arguments, ...) or what {@link #open} fails with; if it is cancelled (or completed, by
     *     {@code orTimeout} say) before the socket opens, the socket is closed once it has opened
     */
    public static SocketFuture<FutureSocket> connect(NettyExecutionEngine engine, String host, int port,
                                                     int timeoutMs) {
        SocketFuture<FutureSocket> opened = new SocketFuture<>(null);
        NettySocketTransport.connectAsync(engine, host, port, timeoutMs).whenComplete((transport, connectFailed) -> {
            if (connectFailed != null) {
                opened.completeExceptionally(connectFailed);
            } else {
                open(engine, transport).whenComplete((socket, openFailed) -> {
                    if (openFailed != null) {
                        opened.completeExceptionally(openFailed);
                    } else if (!opened.complete(socket)) {
                        socket.close(); // cancelled (or timed out) meanwhile: no one else would close it
                    }
                });
            }
        });
        return opened;
    }

    /**
     * Opens a new socket of {@code engine} on {@code transport} (from {@link NettySocketListener#acceptAsync},
     * say), which the facade takes over: if the open fails, its channel is closed (unless another socket is
     * open on it).
     *
     * @return a future that completes with the open socket, or exceptionally with an
     *     {@link IllegalArgumentException} if {@code transport} is {@code null} or no socket can be made on
     *     {@code engine} (not a usable engine, or its count reached 0), a {@link SocketFailureException} if the
     *     connection is already gone ({@code CHANNEL_CLOSED}) or the loop is ending ({@code ENGINE_SHUT_DOWN}),
     *     or an {@link IllegalStateException} if another socket is open on the channel; if it is cancelled (or
     *     completed) before the socket opens, the socket is closed once it has opened
     */
    public static SocketFuture<FutureSocket> open(NettyExecutionEngine engine, NettySocketTransport transport) {
        if (transport == null) {
            return SocketFuture.failed(null, new IllegalArgumentException("no transport"));
        }
        Channel channel = transport.channel();
        NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
        if (socket == null) {
            closeTakenOver(channel);
            return SocketFuture.failed(channel, new IllegalArgumentException(
                    "no socket can be made on " + engine + " (null, or its count reached 0)"));
        }
        FutureSocket facade = new FutureSocket(socket, channel);
        SocketFuture<FutureSocket> opened = new SocketFuture<>(channel);
        int refused = socket.openAsync(transport, (future, result) -> {
            if (result == OpenResult.OK) {
                if (!future.complete(facade)) {
                    facade.close(); // cancelled (or timed out) meanwhile: no one else would close it
                }
            } else { // OpenResult.ERROR: this implementation reports none, but the contract has it
                facade.close();
                channel.close();
                future.completeExceptionally(new IOException("the open of " + transport + " failed"));
            }
        }, opened);
        if (refused != 0) {
            socket.destroy();
            if (channel.isActive() && !channel.eventLoop().isShuttingDown()) { // the channel is not the facade's
                opened.completeExceptionally(new IllegalStateException("open refused: another socket is open on " + channel));
            } else {
                closeTakenOver(channel);
                opened.completeExceptionally(new SocketFailureException("open refused", channel.isActive()
                        ? FailureKind.ENGINE_SHUT_DOWN.alone() : FailureKind.CHANNEL_CLOSED.alone()));
            }
        }
        return opened;
    }

    /**
     * Closes a channel the facade took over and could not open a socket on. One never registered has no event
     * loop for {@code close()}, which would throw: its descriptor is closed at once instead.
     */
    private static void closeTakenOver(Channel channel) {
        if (channel.isRegistered()) {
            channel.close();
        } else {
            channel.unsafe().closeForcibly();
        }
    }

    /**
     * Sends the bytes remaining in {@code payload}, in order, as one write (see
     * {@link NettyAsyncSocket#sendAsync}); the buffers are lent to the socket until the future completes.
     *
     * @return a future that completes with {@code null} once every byte was handed to the operating system,
     *     or exceptionally with a {@link SocketFailureException} (a handler in front refused the write:
     *     {@code WRITE_FAILED}; the channel's output was shut down: {@code OUTPUT_SHUT_DOWN}; the socket was closed
     *     or the connection is gone: {@code CLOSED_LOCALLY}, {@code CONNECTION_LOST}, {@code CHANNEL_CLOSED},
     *     {@code ENGINE_SHUT_DOWN}), or with an {@link IllegalArgumentException} for a
     *     bad payload ({@code null}, empty, holding a {@code null} buffer or one with nothing remaining)
     */
    public SocketFuture<Void> send(ByteBuffer... payload) {
        SocketFuture<Void> sent = new SocketFuture<>(channel);
        SendSyncResult accepted = socket.sendAsync(payload, onSent, sent);
        if (accepted != SendSyncResult.OK) {
            // Read again only to explain the refusal.
            sent.completeExceptionally(refused("send", Payload.sendTotal(payload) == Payload.INVALID));
        }
        return sent;
    }

    /**
     * Receives into the room of {@code payload}'s buffers, completing on the first bytes (see
     * {@link NettyAsyncSocket#receiveAsync}); the buffers are lent to the socket until the future completes.
     *
     * @return a future that completes with the number of bytes received (at least 1), or with
     *     {@link #END_OF_STREAM} once the peer ended its sending direction and every byte before it was
     *     received (again for each later receive); or exceptionally with a {@link SocketFailureException}
     *     (the connection ended: {@code CONNECTION_LOST}, {@code CLOSED_LOCALLY}, {@code ENGINE_SHUT_DOWN},
     *     {@code CHANNEL_CLOSED}; a handler in front failed: {@code PIPELINE_ERROR}; the buffers took no byte:
     *     {@code NO_ROOM}), or with an {@link IllegalArgumentException} for a bad payload ({@code null}, empty,
     *     holding a {@code null} or read-only buffer or one without room)
     */
    public SocketFuture<Integer> receive(ByteBuffer... payload) {
        SocketFuture<Integer> received = new SocketFuture<>(channel);
        if (socket.receiveAsync(payload, onReceived, received) != 0) {
            received.completeExceptionally(refused("receive", Payload.receiveTotal(payload) == Payload.INVALID));
        }
        return received;
    }

    private Exception refused(String what, boolean badPayload) {
        return badPayload
                ? new IllegalArgumentException(what + " refused: the payload is null or empty, or holds a null"
                        + " buffer, one with nothing remaining" + (what.equals("receive") ? " or a read-only one" : ""))
                : new SocketFailureException(what + " refused", orChannelClosed(socket.whyRefused()));
    }

    private void sent(SocketFuture<Void> future, SendResult result) {
        if (result == SendResult.OK) {
            future.complete(null);
        } else {
            future.completeExceptionally(new SocketFailureException("send " + result, why()));
        }
    }

    private void received(SocketFuture<Integer> future, ReceiveResult result, int bytes) {
        if (result == ReceiveResult.OK) {
            future.complete(bytes);
            return;
        }
        SocketFailure why = why();
        if (why.kind() == FailureKind.END_OF_STREAM) {
            future.complete(END_OF_STREAM);
        } else {
            future.completeExceptionally(new SocketFailureException("receive " + result, why));
        }
    }

    /** The socket's failure for the operation whose ERROR or ABANDONED callback is running. */
    private SocketFailure why() {
        return orChannelClosed(socket.lastFailure());
    }

    /**
     * A guard, not a case: the socket sets its failure before every ERROR or ABANDONED callback, and the facade
     * never opens its socket again, so a refusal always has its reason.
     */
    private static SocketFailure orChannelClosed(SocketFailure why) {
        return why != null ? why : FailureKind.CHANNEL_CLOSED.alone();
    }

    /** The socket, for what the facade does not offer: {@link NettyAsyncSocket#lastFailure()}, its state. */
    public NettyAsyncSocket socket() {
        return socket;
    }

    /**
     * Closes and destroys the socket ({@link NettyAsyncSocket#destroy()}): pending operations complete,
     * receives with {@code CLOSED_LOCALLY}, sends with it unless written. Where waiting is allowed this returns
     * once they have; on an event loop (inside a stage, say) it returns at once. Idempotent.
     */
    @Override
    public void close() {
        socket.destroy();
    }

    @Override
    public String toString() {
        return "FutureSocket(" + socket + ")";
    }
}
