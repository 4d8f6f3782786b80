package dev.asyncsocket.netty;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import dev.asyncsocket.ExecutionEngine;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link ExecutionEngine} on a Netty {@link EventLoopGroup}: the threads every socket created on it
 * does its I/O and runs its callbacks on.
 *
 * <p>Reference counted from 1. When the count reaches 0, a group this engine created is shut down
 * gracefully; from a thread outside the group the last {@link #decRef()} returns once its threads have
 * ended. A group passed to {@link #wrap} is borrowed and never shut down here. Thread-safe.
 */
public final class NettyExecutionEngine implements ExecutionEngine, AutoCloseable {

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(NettyExecutionEngine.class);
    private static final long SHUTDOWN_TIMEOUT_SECONDS = 10;

    /**
     * The default of {@link #sendCopyThreshold()}: sends under 512 bytes are copied. Measured with this
     * project's side-by-side benchmark on epoll: on 64 B messages copying cut the client's CPU per message from
     * about 1.6 to about 1.2 times raw Netty's (in 3 of 4 paired runs), at 256 B it cost nothing, at 1,000 B it
     * looked worse than wrapping; see docs/performance.md.
     */
    public static final int DEFAULT_SEND_COPY_THRESHOLD = 512;
    /** The largest {@link #sendCopyThreshold()}: the most bytes one batch of copied sends holds. */
    public static final int MAX_SEND_COPY_THRESHOLD = SendBatcher.MAX_BATCH_BYTES;

    private final EventLoopGroup group;
    private final NettyTransport transport;
    private final boolean owned;
    private final AtomicInteger refCount = new AtomicInteger(1);
    /** See {@link #sendCopyThreshold()}. */
    private volatile int sendCopyThreshold = DEFAULT_SEND_COPY_THRESHOLD;
    /** How many of the references sockets hold (one each, from create to destroy). Guarded by this. */
    private int socketReferences;
    /** Connections open on this engine's loops, to sweep if the loops end under them. */
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    /**
     * Sweeps the connections left open when the loops end. Termination listeners run on Netty's global
     * executor, one at a time, after the loops' threads ended. Removed again once this engine's count reaches
     * 0, so that an engine wrapped around a borrowed group leaves nothing on it.
     */
    private final GenericFutureListener<Future<Object>> sweeper = terminated -> {
        for (Connection connection : open) {
            try {
                connection.abandonAfterLoopTerminated();
            } catch (RuntimeException | Error e) {
                LOG.error("sweeping " + connection.channel() + " after its event loop ended failed", e);
            }
        }
    };

    private NettyExecutionEngine(EventLoopGroup group, NettyTransport transport, boolean owned) {
        this.group = group;
        this.transport = transport;
        this.owned = owned;
        terminationFuture().addListener(sweeper);
    }

    @SuppressWarnings("unchecked")
    private Future<Object> terminationFuture() {
        return (Future<Object>) group.terminationFuture();
    }

    /**
     * Sweeps {@code connection} if its loop ends under it: with the others when this engine's loops end, or,
     * for a channel on another group's loop, when that loop ends.
     */
    void track(Connection connection) {
        if (owns(connection.loop())) {
            open.add(connection);
        } else {
            connection.sweepWhenLoopEnds(true);
        }
    }

    void untrack(Connection connection) {
        if (!open.remove(connection)) {
            connection.sweepWhenLoopEnds(false);
        }
    }

    /** An engine with its own group on {@link NettyTransport#best()} and Netty's default thread count. */
    public static NettyExecutionEngine create() {
        return create(NettyTransport.best(), 0);
    }

    /**
     * An engine with its own group.
     *
     * @param threads event-loop threads; 0 for Netty's default (twice the cores)
     * @return {@code null} if {@code transport} is {@code null} or not available here, or {@code threads < 0}
     */
    public static NettyExecutionEngine create(NettyTransport transport, int threads) {
        if (transport == null || !transport.isAvailable() || threads < 0) {
            return null;
        }
        DefaultThreadFactory threadFactory =
                new DefaultThreadFactory("async-socket-" + transport.name().toLowerCase(), true);
        return new NettyExecutionEngine(
                new MultiThreadIoEventLoopGroup(threads, threadFactory, transport.ioHandlerFactory()), transport, true);
    }

    /**
     * An engine on a group the caller owns and shuts down.
     *
     * @return {@code null} if {@code group} is {@code null}, already shutting down, or not driven by one of
     *     the {@link NettyTransport}s
     */
    public static NettyExecutionEngine wrap(EventLoopGroup group) {
        if (group == null || group.isShuttingDown()) {
            return null;
        }
        NettyTransport transport = NettyTransport.of(group);
        return transport == null ? null : new NettyExecutionEngine(group, transport, false);
    }

    /**
     * Sends of fewer bytes than this are copied rather than wrapped: those that a socket's event loop starts
     * one after the other (a burst that arrived while the loop was busy, or sends made from a callback) are
     * copied into one pooled direct buffer and leave as one write, with one outbound entry and one promise,
     * instead of one each. Their callbacks still run in order, each once the write carrying its bytes has its
     * outcome ("written"), but the caller's buffers are no longer read once copied. Sends of this many bytes
     * or more are wrapped, never copied. 0 copies none. Sends are copied only while the socket's handler is
     * alone in its channel's pipeline: any other handler (a codec that frames each write, TLS, logging) sees
     * each send as a write of its own.
     *
     * <p>A setting of the engine, not of each socket: what a copy saves (an outbound entry, a promise, an iovec
     * per send) is a cost of the transport and the machine, which the engine fixes for all its sockets. A
     * socket takes the value the engine has when it opens. Default {@value #DEFAULT_SEND_COPY_THRESHOLD}.
     */
    public int sendCopyThreshold() {
        return sendCopyThreshold;
    }

    /**
     * Sets {@link #sendCopyThreshold()} for the sockets that open from now on.
     *
     * @param bytes 0 (never copy) to {@link #MAX_SEND_COPY_THRESHOLD}
     * @throws IllegalArgumentException outside that range
     */
    public void sendCopyThreshold(int bytes) {
        if (bytes < 0 || bytes > MAX_SEND_COPY_THRESHOLD) {
            throw new IllegalArgumentException("send copy threshold " + bytes + " is not in 0.." + MAX_SEND_COPY_THRESHOLD);
        }
        sendCopyThreshold = bytes;
    }

    /** The event-loop group (c-pal's execution_engine_win32_get_threadpool). */
    public EventLoopGroup eventLoopGroup() {
        return group;
    }

    public NettyTransport transport() {
        return transport;
    }

    /** Whether {@code executor} is one of this engine's event loops. */
    boolean owns(EventExecutor executor) {
        for (EventExecutor loop : group) {
            if (loop == executor) {
                return true;
            }
        }
        return false;
    }

    /** Takes a reference; does nothing, and warns, once the count has reached 0. */
    @Override
    public void incRef() {
        addToCount(1, false, "incRef");
    }

    /**
     * Releases a reference; the last one shuts an owned group down. A call that would release a reference
     * one of the sockets still holds (an extra decRef, where {@code destroy()} was meant) is refused with a
     * warning, as is one after the count reached 0: the sockets on the engine go on working.
     */
    @Override
    public void decRef() {
        release(false, "decRef");
    }

    /** As {@link #decRef()}: for try-with-resources over an engine this code created or took a reference on. */
    @Override
    public void close() {
        decRef();
    }

    /** A socket's reference: {@code false}, with a warning, if the count already reached 0. */
    boolean acquireForSocket() {
        return addToCount(1, true, "creating a socket") > 0;
    }

    /** Releases a socket's reference. */
    void releaseForSocket() {
        release(true, "releasing a socket");
    }

    private void release(boolean socket, String caller) {
        if (addToCount(-1, socket, caller) != 0) {
            return;
        }
        if (owned) {
            shutDown();
        } else {
            terminationFuture().removeListener(sweeper);
        }
    }

    /**
     * Adds {@code delta} to the count (and to the sockets' share of it if {@code socket}), unless the count
     * already reached 0 or a caller's release would take a socket's reference (then warns).
     *
     * @return the new count, or -1 if refused
     */
    private synchronized int addToCount(int delta, boolean socket, String caller) {
        int count = refCount.get();
        if (count == 0) {
            LOG.warn("{} on a released execution engine refused", caller);
            return -1;
        }
        if (!socket && delta < 0 && count + delta < socketReferences) {
            LOG.warn("{} refused: the {} sockets still on this engine hold every reference left (destroy them instead)",
                    caller, socketReferences);
            return -1;
        }
        if (socket) {
            socketReferences += delta;
        }
        refCount.set(count + delta);
        return count + delta;
    }

    /** The current reference count. */
    public int refCount() {
        return refCount.get();
    }

    /**
     * Once the count has reached 0, waits (boundedly) for an owned group's threads to end, however the last
     * reference went; does nothing before that, or for a borrowed group.
     */
    void awaitTerminationIfReleased() {
        if (owned && refCount.get() == 0) {
            group.terminationFuture().awaitUninterruptibly(SHUTDOWN_TIMEOUT_SECONDS + 1, TimeUnit.SECONDS);
        }
    }

    private void shutDown() {
        group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        // A loop's own thread cannot wait for itself to end, nor may any event loop wait at all.
        if (CurrentThread.mayBlock()) {
            group.terminationFuture().awaitUninterruptibly(SHUTDOWN_TIMEOUT_SECONDS + 1, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "NettyExecutionEngine(" + transport + (owned ? ", owned" : ", borrowed") + ", refCount "
                + refCount.get() + ")";
    }
}
