package dev.asyncsocket.examples.redis;

import dev.asyncsocket.netty.FailureKind;
import dev.asyncsocket.netty.NettyExecutionEngine;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A {@link RedisConnection} that comes back: when the server or the network ends the connection (the socket's
 * failure is {@link FailureKind#END_OF_STREAM} or {@link FailureKind#CONNECTION_LOST}, or the server's bytes were
 * not RESP2), the client connects again, without blocking, after a pause that doubles from 50 ms to 2 s while
 * attempts fail. Any other end (the engine shutting down, a close) is final.
 *
 * <p>Commands are not queued or retried across connections: those pending when a connection ends fail with its
 * {@link RedisConnectionException} (they may or may not have run), and those issued while no connection is open
 * fail at once with the last one's. Subscriptions are not restored either. So memory stays bounded, and a caller
 * never has a command run twice behind its back.
 *
 * <p>Thread-safe.
 */
public final class RedisClient implements AutoCloseable {

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(RedisClient.class);
    private static final long FIRST_PAUSE_MS = 50;
    private static final long LONGEST_PAUSE_MS = 2_000;

    private final NettyExecutionEngine engine;
    private final String host;
    private final int port;
    private final int maxInFlight;

    private final Object lock = new Object();
    /** Guarded by {@link #lock}: the open connection, or the one being made. */
    private CompletableFuture<RedisConnection> current = new CompletableFuture<>();
    /** Guarded by {@link #lock}. */
    private RedisConnectionException lastEnd;
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /** Guarded by {@link #lock}: connections made after the first. */
    private int reconnects;

    private RedisClient(NettyExecutionEngine engine, String host, int port, int maxInFlight) {
        this.engine = engine;
        this.host = host;
        this.port = port;
        this.maxInFlight = maxInFlight;
    }

    /** Starts connecting to {@code host:port} and returns at once; see {@link #connection()}. */
    public static RedisClient start(NettyExecutionEngine engine, String host, int port, int maxInFlight) {
        RedisClient client = new RedisClient(engine, host, port, maxInFlight);
        client.attempt(client.current, 0);
        return client;
    }

    /**
     * The open connection, or the one being made (it completes when connected); completed exceptionally once the
     * client gave up (a final end, or {@link #close()}).
     */
    public CompletableFuture<RedisConnection> connection() {
        synchronized (lock) {
            return current;
        }
    }

    /**
     * {@link RedisConnection#command} on the open connection; while there is none, fails at once with a
     * {@link RedisConnectionException} (the end of the last connection as its cause, if there was one).
     */
    public CompletableFuture<Object> command(Object... arguments) {
        CompletableFuture<RedisConnection> connection = connection();
        RedisConnection open = connection.isDone() && !connection.isCompletedExceptionally() ? connection.join() : null;
        if (open == null) {
            return CompletableFuture.failedFuture(new RedisConnectionException("not connected", null, lastEnd()));
        }
        return open.command(arguments);
    }

    /** How many times the client started connecting again after a connection ended. */
    public int reconnects() {
        synchronized (lock) {
            return reconnects;
        }
    }

    /** Closes the connection, or stops the one being made; the client does not reconnect after. */
    @Override
    public void close() {
        CompletableFuture<RedisConnection> last;
        synchronized (lock) {
            closed = true;
            last = current;
        }
        last.completeExceptionally(new RedisConnectionException("the client was closed", null, null));
        if (!last.isCompletedExceptionally()) {
            last.join().close();
        }
    }

    private RedisConnectionException lastEnd() {
        synchronized (lock) {
            return lastEnd;
        }
    }

    /** Connects after {@code pauseMs}, completing {@code next} with the connection, or trying again. */
    private void attempt(CompletableFuture<RedisConnection> next, long pauseMs) {
        try {
            engine.eventLoopGroup().schedule(() -> RedisConnection.connect(engine, host, port, maxInFlight, this::onEnd)
                    .whenComplete((connection, failed) -> {
                        if (failed != null && next.isDone()) {
                            return; // the client was closed meanwhile
                        }
                        if (failed != null) {
                            LOG.debug("connecting to {}:{} failed; trying again", host, port, failed);
                            attempt(next, Math.min(LONGEST_PAUSE_MS, Math.max(FIRST_PAUSE_MS, 2 * pauseMs)));
                        } else if (!next.complete(connection)) {
                            connection.close(); // the client was closed meanwhile
                        }
                    }), pauseMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            next.completeExceptionally(new RedisConnectionException("the engine is shutting down", null, e));
        }
    }

    /**
     * The hook of every connection: runs before its pending commands fail, so that whoever sees them fail finds the
     * next connection already under way in {@link #connection()}.
     */
    private void onEnd(RedisConnectionException end) {
        CompletableFuture<RedisConnection> next = new CompletableFuture<>();
        synchronized (lock) {
            lastEnd = end;
            if (closed) {
                return;
            }
            current = next;
            if (!comesBackFrom(end)) {
                next.completeExceptionally(end);
                return;
            }
            reconnects++;
        }
        LOG.info("the connection to {}:{} ended: {}; connecting again", host, port, end.getMessage());
        attempt(next, 0);
    }

    /** The server or the network ended it: a new connection may well work. */
    private static boolean comesBackFrom(RedisConnectionException end) {
        if (end.failure() != null) {
            FailureKind kind = end.failure().kind();
            return kind == FailureKind.END_OF_STREAM || kind == FailureKind.CONNECTION_LOST;
        }
        return end.getCause() instanceof RedisProtocolException;
    }
}
