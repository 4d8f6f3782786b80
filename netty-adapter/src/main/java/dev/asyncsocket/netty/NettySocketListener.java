package dev.asyncsocket.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A listening socket on one of an engine's event loops. Accepted connections wait, not reading, until
 * {@link #accept} or {@link #acceptAsync} hands them out; their channels have {@code TCP_NODELAY},
 * half-closure allowed and auto-read off.
 *
 * <p>What waits is bounded, as a backlog bounds it. At most {@code maxPending} accepted connections wait in
 * this process, each holding a file descriptor. At the bound the server channel stops reading (auto-read off),
 * so further peers wait in the kernel's listen backlog, which holds no descriptor of this process; it reads
 * again once {@link #accept} makes room. Netty's io_uring accepts with a multishot accept, which goes on
 * taking connections until the stop reaches the kernel: there the connections beyond the bound are closed at
 * once (their peers see the connection end), as a full backlog that aborts on overflow would.
 *
 * <p>A waiting connection that closes leaves the queue at once. Nothing reads a waiting connection, though,
 * so a peer's departure often goes unnoticed while it waits: {@link #accept} asks the kernel before handing
 * one out, and closes instead a connection that is closed or whose peer reset it (TCP state CLOSE, on epoll
 * and io_uring; NIO cannot tell without reading, so there the socket opened on it completes its first receive
 * {@code ABANDONED}). A peer that sent its FIN may only have half-closed: its connection is live and is handed
 * out, with the bytes it sent.
 *
 * <p>The two accepts share one queue, oldest connection first. A connection that arrives while
 * {@link #acceptAsync} futures wait goes to the oldest of them; threads blocked in {@link #accept} get those
 * that arrive while none waits. At most {@code maxPending} futures wait, as at most {@code maxPending}
 * connections do.
 *
 * <p>Thread-safe. One lock guards the waiting connections, the waiting futures, {@code closed} and the
 * decision to read the server channel, so that decision always follows the latest count. Futures are
 * completed outside it. {@link #close()} wakes every thread blocked in {@link #accept} and ends every
 * waiting {@link #acceptAsync}; so does the engine's shutdown (the server channel's close or its loop's end).
 */
public final class NettySocketListener implements AutoCloseable {

    /** How many connections {@link #listen(NettyExecutionEngine, String, int)} lets wait for {@link #accept}. */
    public static final int DEFAULT_MAX_PENDING = 128;

    private static final int TCP_CLOSE = 7; // linux/tcp_states.h

    private final int maxPending;
    private final Channel serverChannel;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    /** Connections accepted from the kernel and not handed out yet: registering, or ready. */
    private final Set<Channel> pending = new HashSet<>();
    /** Those among {@link #pending} that are registered and active, oldest first. */
    private final Deque<Channel> ready = new ArrayDeque<>();
    /** Futures of {@link #acceptAsync} waiting for a connection, oldest first; some may be done (cancelled). */
    private final Deque<CompletableFuture<NettySocketTransport>> waiting = new ArrayDeque<>();
    private boolean closed;
    /** Closes this listener once the server channel is closed or its loop ended (the engine shut down). */
    private final GenericFutureListener<Future<Object>> closeWhenDone = done -> close();

    private NettySocketListener(ServerBootstrap bootstrap, String host, int port, int maxPending)
            throws InterruptedException {
        this.maxPending = maxPending;
        Ready onActive = new Ready();
        bootstrap.handler(new Admission())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel child) {
                        child.pipeline().addLast(onActive, new EarlyInboundBuffer());
                    }
                });
        ChannelFuture bound = bootstrap.bind(host, port).sync();
        this.serverChannel = bound.channel();
        serverChannel.closeFuture().addListener(closeWhenDone);
        // io_uring leaves the server channel's close to a ring that is already gone: the loop's end tells.
        serverChannel.eventLoop().terminationFuture().addListener(closeWhenDone);
    }

    /**
     * Listens on {@code host:port} with at most {@link #DEFAULT_MAX_PENDING} connections waiting for
     * {@link #accept}; see {@link #listen(NettyExecutionEngine, String, int, int)}.
     */
    public static NettySocketListener listen(NettyExecutionEngine engine, String host, int port) {
        return listen(engine, host, port, DEFAULT_MAX_PENDING);
    }

    /**
     * Listens on {@code host:port}; port 0 picks any free port (see {@link #port()}). Blocks until bound.
     * At most {@code maxPending} accepted connections wait for {@link #accept}; further peers wait in the
     * kernel's listen backlog, except on io_uring, where those Netty takes beyond the bound are closed (see
     * the class comment).
     *
     * @return {@code null} if an argument is bad ({@code maxPending} below 1 included), the engine is shutting
     *     down, the address cannot be bound, or this is called from an event loop
     */
    public static NettySocketListener listen(NettyExecutionEngine engine, String host, int port, int maxPending) {
        if (engine == null || host == null || port < 0 || port > 0xFFFF || maxPending < 1
                || engine.eventLoopGroup().isShuttingDown()) {
            return null;
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(engine.eventLoopGroup())
                .channel(engine.transport().serverChannelType())
                // One connection per read, so that reading stops right at the bound.
                .option(ChannelOption.RCVBUF_ALLOCATOR, new ServerChannelRecvByteBufAllocator().maxMessagesPerRead(1));
        ChannelOptionsForSockets.applyToChildren(bootstrap);
        try {
            return new NettySocketListener(bootstrap, host, port, maxPending);
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
     * The oldest waiting connection that is still open and whose peer did not reset it (those are closed
     * instead). Blocks up to {@code timeoutMs}; {@link #close()} ends the wait at once.
     *
     * @return the connection, for {@link NettyAsyncSocket#openAsync}; {@code null} if none arrives within
     *     {@code timeoutMs}, once the listener is closed, or if the calling thread is interrupted (its
     *     interrupt status is kept)
     */
    public NettySocketTransport accept(long timeoutMs) {
        // An event loop may not wait (it might be the one that admits the connection): it only takes one ready.
        long nanosLeft = CurrentThread.mayBlock() ? TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMs)) : 0;
        lock.lock();
        try {
            while (!closed) {
                NettySocketTransport next = takeReady();
                if (next != null) {
                    return next;
                }
                if (nanosLeft <= 0) {
                    return null;
                }
                nanosLeft = arrived.awaitNanos(nanosLeft);
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The oldest waiting connection that is still open and whose peer did not reset it, as {@link #accept}
     * gives it, without blocking: callable from any thread, an event loop or a callback included.
     *
     * @return a future that completes with the connection: at once, on the calling thread, if one waits;
     *     else on the connection's event loop when it arrives. It completes exceptionally with a
     *     {@link ListenerClosedException} if the listener is or gets closed first (its {@link #close()}, or its
     *     engine shutting down), or with an {@link IllegalStateException} if {@code maxPending} futures already
     *     wait (a cancelled future stops counting). Cancelling it gives up the place in line; the connection
     *     goes to the next.
     */
    public CompletableFuture<NettySocketTransport> acceptAsync() {
        CompletableFuture<NettySocketTransport> accepted = new CompletableFuture<>();
        NettySocketTransport next = null;
        Exception refused = null;
        lock.lock();
        try {
            if (closed) {
                refused = closedException();
            } else if ((next = takeReady()) == null) {
                if (waiting.size() >= maxPending) {
                    waiting.removeIf(CompletableFuture::isDone);
                }
                if (waiting.size() < maxPending) {
                    waiting.add(accepted);
                } else {
                    refused = new IllegalStateException(maxPending + " acceptAsync futures already wait on " + serverChannel);
                }
            }
        } finally {
            lock.unlock();
        }
        if (next != null) {
            accepted.complete(next);
        } else if (refused != null) {
            accepted.completeExceptionally(refused);
        }
        return accepted;
    }

    /** The oldest ready connection that is live, or {@code null}; closes those that are not. With the lock held. */
    private NettySocketTransport takeReady() {
        Channel channel;
        while ((channel = ready.poll()) != null) {
            pending.remove(channel);
            readWhileRoom(serverChannel);
            if (channel.isActive() && !peerReset(channel)) {
                return NettySocketTransport.ofOwn(channel);
            }
            channel.close();
        }
        return null;
    }

    /**
     * Stops listening, closes every connection not handed out yet, wakes every thread blocked in
     * {@link #accept}, which returns {@code null}, and completes every waiting {@link #acceptAsync} with a
     * {@link ListenerClosedException}. Idempotent.
     */
    @Override
    public void close() {
        List<Channel> unclaimed;
        List<CompletableFuture<NettySocketTransport>> unserved;
        lock.lock();
        try {
            closed = true;
            unclaimed = new ArrayList<>(ready);
            ready.clear();
            pending.clear(); // those still registering close themselves once active (Ready)
            unserved = new ArrayList<>(waiting);
            waiting.clear();
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        if (!unserved.isEmpty()) {
            ListenerClosedException why = closedException();
            unserved.forEach(future -> future.completeExceptionally(why));
        }
        serverChannel.eventLoop().terminationFuture().removeListener(closeWhenDone); // the loop may outlive it
        ChannelFuture unbound = serverChannel.close();
        if (CurrentThread.mayBlock()) {
            unbound.awaitUninterruptibly();
        }
        unclaimed.forEach(Channel::close);
    }

    private ListenerClosedException closedException() {
        return new ListenerClosedException("the listener " + serverChannel + " is closed");
    }

    /** How many accepted connections wait for {@link #accept} (registering or ready). For tests. */
    int pendingCount() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /** Reads the server channel while there is room for another connection. Called with the lock held. */
    private void readWhileRoom(Channel server) {
        boolean room = !closed && pending.size() < maxPending;
        if (server.config().isAutoRead() != room) {
            try {
                server.config().setAutoRead(room);
            } catch (RejectedExecutionException e) {
                // the engine is shutting down: its event loops close the server channel
            }
        }
    }

    /**
     * A waiting connection closed (epoll, for one, reads a peer's reset), or was handed to a future: it leaves
     * the queue, making room.
     */
    private void forget(Channel channel) {
        lock.lock();
        try {
            if (pending.remove(channel)) {
                ready.remove(channel);
                readWhileRoom(channel.parent());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A connection just active: to the oldest waiting {@link #acceptAsync}, else to the ready queue for the
     * next accept. Closed instead if it was not counted (beyond the bound, or the listener closed meanwhile),
     * or if a future waits and its peer already reset it (as an accept would find).
     */
    private void admit(Channel channel) {
        CompletableFuture<NettySocketTransport> waiter;
        do {
            lock.lock();
            try {
                if (!pending.contains(channel) || !waiting.isEmpty() && peerReset(channel)) {
                    if (pending.remove(channel)) {
                        readWhileRoom(serverChannel);
                    }
                    channel.close();
                    return;
                }
                waiter = waiting.poll();
                if (waiter == null) {
                    ready.add(channel);
                    channel.closeFuture().addListener(closing -> forget(channel));
                    arrived.signal();
                    return;
                }
            } finally {
                lock.unlock();
            }
            // Completed outside the lock: the stages it runs are the caller's. The connection counts until then.
        } while (!waiter.complete(NettySocketTransport.ofOwn(channel))); // cancelled meanwhile: the next one
        forget(channel);
    }

    /**
     * Whether the peer of a waiting connection reset it, as far as the kernel tells without reading (TCP state
     * CLOSE; a peer that only sent its FIN is in CLOSE_WAIT, a live half-closed connection). NIO cannot tell.
     */
    private static boolean peerReset(Channel channel) {
        try {
            if (channel instanceof EpollSocketChannel epoll) {
                return epoll.tcpInfo().state() == TCP_CLOSE;
            }
            if (channel instanceof IoUringSocketChannel uring) {
                return uring.tcpInfo().state() == TCP_CLOSE;
            }
        } catch (ChannelException e) { // the descriptor is gone
            return true;
        }
        return false;
    }

    /**
     * On the server channel, ahead of Netty's acceptor: counts each new connection and stops reading at the
     * bound. A connection beyond it (io_uring) is not counted, and {@link Ready} closes it.
     */
    private final class Admission extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            lock.lock();
            try {
                if (!closed && pending.size() < maxPending) {
                    pending.add(child);
                }
                readWhileRoom(ctx.channel());
            } finally {
                lock.unlock();
            }
            ctx.fireChannelRead(child);
        }
    }

    /** On each connection until it is active: {@link #admit admits} it. */
    @Sharable
    private final class Ready extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            ctx.pipeline().remove(this);
            admit(ctx.channel());
            super.channelActive(ctx);
        }
    }
}
