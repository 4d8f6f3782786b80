package dev.asyncsocket.examples.redis;

import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * One connection to a Redis server (RESP2) on an {@link NettyAsyncSocket}: commands are pipelined (each is sent
 * at once, without waiting for the replies before it), and the replies, which come in the order of the commands,
 * complete the commands' futures in that order.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every command accepted is in the FIFO of pending commands from the moment its bytes are sent (under one lock,
 *       so FIFO order is wire order) until its last reply came or the connection ended.</li>
 *   <li>When the connection ends, for whatever reason, every pending command fails exactly once with the same
 *       {@link RedisConnectionException}, and so does every command issued after; nothing waits for a reply
 *       that cannot come.</li>
 *   <li>At most {@code maxInFlight} commands are pending: past that a command fails at once with a
 *       {@link RejectedExecutionException}, so a caller that outruns the server is told instead of filling memory.</li>
 *   <li>One receive is posted at a time, into one buffer, feeding one {@link RespParser}.</li>
 * </ul>
 *
 * <p>Thread-safe: commands may be issued from any thread, including inside the futures' callbacks, which run on
 * the connection's event loop.
 */
public final class RedisConnection implements AutoCloseable {

    /** The default bound on commands waiting for their replies. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 1000;
    /** The default time a connect may take. */
    public static final int CONNECT_TIMEOUT_MS = 5_000;

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(RedisConnection.class);
    private static final int RECEIVE_BUFFER = 64 * 1024;
    private static final byte[] MESSAGE = {'m', 'e', 's', 's', 'a', 'g', 'e'};

    /** Receives messages published to the channels a connection subscribed to; runs on the event loop. */
    @FunctionalInterface
    public interface MessageListener {
        void onMessage(byte[] channel, byte[] message);
    }

    /** A command's future, waiting for {@code replies} replies (one, or one per channel of a SUBSCRIBE). */
    private static final class Pending extends CompletableFuture<Object> {
        int replies;

        Pending(int replies) {
            this.replies = replies;
        }
    }

    private final NettyAsyncSocket socket;
    private final CommandEncoder encoder = new CommandEncoder(PooledByteBufAllocator.DEFAULT);
    private final int maxInFlight;
    private final Consumer<RedisConnectionException> onEnd;
    private final CompletableFuture<RedisConnectionException> ended = new CompletableFuture<>();
    private final RespParser parser = new RespParser(this::onReply);
    private final ByteBuffer received = ByteBuffer.allocate(RECEIVE_BUFFER);
    private final ByteBuffer[] receiveInto = {received};
    private final OnSent onSent = new OnSent();

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Guarded by {@link #lock}; set once, when the connection ends. */
    private RedisConnectionException end;
    /** Set under {@link #lock} with the SUBSCRIBE that starts it; read on the event loop. */
    private volatile MessageListener listener;

    private RedisConnection(NettyAsyncSocket socket, int maxInFlight, Consumer<RedisConnectionException> onEnd) {
        this.socket = socket;
        this.maxInFlight = maxInFlight;
        this.onEnd = onEnd;
    }

    /** {@link #connect(NettyExecutionEngine, String, int, int, Consumer)} with the defaults and no end hook. */
    public static CompletableFuture<RedisConnection> connect(NettyExecutionEngine engine, String host, int port) {
        return connect(engine, host, port, DEFAULT_MAX_IN_FLIGHT, end -> { });
    }

    /**
     * Connects without blocking, and opens a socket on the connection.
     *
     * @param maxInFlight how many commands may wait for their replies at once (at least 1)
     * @param onEnd       called once when the connection ends, with the exception its pending commands fail with,
     *                    before they fail (so that whoever learns of the end from a command sees what the hook did)
     * @return the open connection; or completed exceptionally with the connect's cause (a
     *     {@link java.net.ConnectException}, a time-out, ...) or a {@link RedisConnectionException} if the open failed
     */
    public static CompletableFuture<RedisConnection> connect(NettyExecutionEngine engine, String host, int port,
                                                             int maxInFlight, Consumer<RedisConnectionException> onEnd) {
        if (maxInFlight < 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("maxInFlight " + maxInFlight + " < 1"));
        }
        return NettySocketTransport.connectAsync(engine, host, port, CONNECT_TIMEOUT_MS)
                .thenCompose(transport -> open(engine, transport, maxInFlight, onEnd));
    }

    private static CompletableFuture<RedisConnection> open(NettyExecutionEngine engine, NettySocketTransport transport,
                                                           int maxInFlight, Consumer<RedisConnectionException> onEnd) {
        CompletableFuture<RedisConnection> opened = new CompletableFuture<>();
        NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
        if (socket == null) {
            transport.channel().close();
            return CompletableFuture.failedFuture(new RedisConnectionException("no socket: the engine is released", null, null));
        }
        RedisConnection connection = new RedisConnection(socket, maxInFlight, onEnd);
        int refused = socket.openAsync(transport, (self, result) -> {
            if (result == OpenResult.OK) {
                self.receiveNext();
                opened.complete(self);
            } else {
                RedisConnectionException failed = new RedisConnectionException("the open failed", socket.lastFailure(), null);
                self.endWith(failed);
                opened.completeExceptionally(failed);
            }
        }, connection);
        if (refused != 0) { // the transport stays ours to close
            transport.channel().close();
            socket.destroy();
            opened.completeExceptionally(new RedisConnectionException("the open was refused (see the log)", null, null));
        }
        return opened;
    }

    /**
     * Sends one command. See {@link CommandEncoder} for the types an argument may have; a {@link ByteBuffer} is read
     * between its position and limit, and one of 16 KiB or more is sent as it is: keep it unchanged until the
     * future completes.
     *
     * @return the reply ({@link RespParser} says which Java type each RESP type has); completed exceptionally
     *     with a {@link RedisServerException} if the server answered with an error, a
     *     {@link RedisConnectionException} if the connection ended before the reply came (or had ended),
     *     a {@link RejectedExecutionException} at once if {@code maxInFlight} commands are pending, an
     *     {@link IllegalArgumentException} at once for an argument of another type
     */
    public CompletableFuture<Object> command(Object... arguments) {
        return issue(1, null, arguments);
    }

    /** {@code SET key value}: {@code "OK"}. */
    public CompletableFuture<Object> set(Object key, Object value) {
        return command("SET", key, value);
    }

    /** {@code GET key}: the value, or {@code null} if there is none. */
    public CompletableFuture<byte[]> get(Object key) {
        return command("GET", key).thenApply(byte[].class::cast);
    }

    /** {@code MGET key...}: a value or {@code null} for each key, in order. */
    @SuppressWarnings("unchecked")
    public CompletableFuture<List<Object>> mget(Object... keys) {
        Object[] arguments = new Object[keys.length + 1];
        arguments[0] = "MGET";
        System.arraycopy(keys, 0, arguments, 1, keys.length);
        return command(arguments).thenApply(reply -> (List<Object>) reply);
    }

    /** {@code PUBLISH channel message}: how many subscribers received it. */
    public CompletableFuture<Long> publish(Object channel, Object message) {
        return command("PUBLISH", channel, message).thenApply(Long.class::cast);
    }

    /**
     * {@code SUBSCRIBE channel...}: from then on, messages published to those channels go to {@code listener}, on
     * the event loop, in the order the server sent them. A subscribed connection takes only (P)SUBSCRIBE,
     * (P)UNSUBSCRIBE, PING and QUIT (the server refuses the rest); use another connection for other commands.
     *
     * @return completed once the server confirmed every channel
     */
    public CompletableFuture<Void> subscribe(MessageListener listener, Object... channels) {
        if (channels.length == 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no channel"));
        }
        Object[] arguments = new Object[channels.length + 1];
        arguments[0] = "SUBSCRIBE";
        System.arraycopy(channels, 0, arguments, 1, channels.length);
        return issue(channels.length, listener, arguments).thenApply(lastConfirmation -> null);
    }

    /** How many commands wait for their replies. */
    public int inFlight() {
        synchronized (lock) {
            return pending.size();
        }
    }

    /** {@code true} until the connection ends. */
    public boolean isOpen() {
        synchronized (lock) {
            return end == null;
        }
    }

    /** Completes, with the exception pending commands failed with, once the connection has ended. */
    public CompletableFuture<RedisConnectionException> ended() {
        return ended;
    }

    /**
     * Ends the connection: pending commands fail with a {@link RedisConnectionException}; the socket is closed and
     * destroyed. Called from a thread that may block, it returns once the socket's callbacks have all run.
     */
    @Override
    public void close() {
        endWith(new RedisConnectionException("the connection was closed by the client", null, null));
    }

    @Override
    public String toString() {
        return "RedisConnection(" + socket + ", " + inFlight() + " in flight)";
    }

    private Pending issue(int replies, MessageListener subscriber, Object[] arguments) {
        Pending command = new Pending(replies);
        CommandEncoder.Encoded encoded;
        try {
            encoded = encoder.encode(arguments); // outside the lock: callers on other threads encode in parallel
        } catch (IllegalArgumentException e) {
            command.completeExceptionally(e);
            return command;
        }
        Throwable refused;
        synchronized (lock) {
            if (end != null) {
                refused = end;
            } else if (pending.size() >= maxInFlight) {
                refused = new RejectedExecutionException(
                        maxInFlight + " commands are waiting for their replies: wait for some before sending more");
            } else if (socket.sendAsync(encoded.buffers(), onSent, encoded.pooled()) == SendSyncResult.OK) {
                if (subscriber != null) {
                    listener = subscriber;
                }
                pending.add(command); // under the same lock as the send: FIFO order is wire order
                return command;
            } else {
                refused = null; // the socket is closing or closed under us: ending the connection says why
            }
        }
        encoded.pooled().release();
        if (refused == null) {
            endWith(new RedisConnectionException("the send was refused", socket.whyRefused(), null));
            refused = failure();
        }
        command.completeExceptionally(refused); // outside the lock: the caller's callbacks may run here
        return command;
    }

    private RedisConnectionException failure() {
        synchronized (lock) {
            return end;
        }
    }

    /** Releases a command's pooled buffer once it is sent; a failed send ends the connection. */
    private final class OnSent implements dev.asyncsocket.OnSendComplete<ByteBuf> {
        @Override
        public void onSendComplete(ByteBuf pooled, SendResult result) {
            pooled.release();
            if (result != SendResult.OK) {
                endWith(new RedisConnectionException("a send ended " + result, socket.lastFailure(), null));
            }
        }
    }

    private void receiveNext() {
        received.clear();
        if (socket.receiveAsync(receiveInto, RedisConnection::onReceived, this) != 0) {
            endWith(new RedisConnectionException("a receive was refused", socket.whyRefused(), null));
        }
    }

    private static void onReceived(RedisConnection self, ReceiveResult result, int bytes) {
        if (result != ReceiveResult.OK) {
            self.endWith(new RedisConnectionException("a receive ended " + result, self.socket.lastFailure(), null));
            return;
        }
        self.received.flip();
        try {
            self.parser.feed(self.received);
        } catch (RedisProtocolException e) {
            self.endWith(new RedisConnectionException("the server's bytes are not RESP2", null, e));
            return;
        }
        if (self.isOpen()) {
            self.receiveNext();
        }
    }

    /** The parser's sink: a push message goes to the listener, any other reply to the oldest pending command. */
    private void onReply(Object reply) {
        MessageListener subscriber = listener;
        if (subscriber != null && isMessage(reply)) {
            List<?> message = (List<?>) reply;
            try {
                subscriber.onMessage((byte[]) message.get(1), (byte[]) message.get(2));
            } catch (RuntimeException e) {
                LOG.warn("a message listener threw; the connection goes on", e);
            }
            return;
        }
        Pending command;
        boolean last;
        synchronized (lock) {
            command = pending.peek();
            last = command != null && (reply instanceof ErrorReply || --command.replies == 0);
            if (last) {
                pending.poll();
            }
        }
        if (command == null) {
            endWith(new RedisConnectionException("a reply came with no command waiting for it", null,
                    new RedisProtocolException("unexpected reply " + describe(reply))));
        } else if (last) {
            if (reply instanceof ErrorReply error) {
                command.completeExceptionally(new RedisServerException(error));
            } else {
                command.complete(reply);
            }
        }
    }

    /** {@code ["message", channel, payload]}, as RESP2 pushes a published message to a subscriber. */
    private static boolean isMessage(Object reply) {
        return reply instanceof List<?> list && list.size() == 3 && list.get(0) instanceof byte[] kind
                && Arrays.equals(kind, MESSAGE) && list.get(1) instanceof byte[] && list.get(2) instanceof byte[];
    }

    private static String describe(Object reply) {
        return reply instanceof byte[] bytes ? bytes.length + " bytes" : String.valueOf(reply);
    }

    /** Ends the connection once: the hook, then every pending command fails, then the socket goes. Any thread. */
    private void endWith(RedisConnectionException cause) {
        Pending[] failed;
        synchronized (lock) {
            if (end != null) {
                return;
            }
            end = cause;
            failed = pending.toArray(new Pending[0]);
            pending.clear();
        }
        try {
            onEnd.accept(cause);
        } catch (RuntimeException e) {
            LOG.warn("an end hook threw", e);
        }
        for (Pending command : failed) {
            command.completeExceptionally(cause);
        }
        socket.destroy(); // closes first; on an event loop it returns at once and finishes after this callback
        ended.complete(cause);
    }
}
