package dev.asyncsocket.netty;

import dev.asyncsocket.SocketLifecycle;
import dev.asyncsocket.SocketState;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * What one open of a socket binds together: the channel, its event loop, the inbox that carries accepted
 * operations from API calls to the loop, the receive queue and the tail handler.
 *
 * <p>Any thread may {@link #submit} an operation; everything else runs on the channel's event loop.
 * Operations reach the loop through one drain task per burst (the pattern of gRPC's {@code WriteQueue}):
 * sends that arrive while the loop is busy leave in one gathered write and one flush, and the drain always
 * runs after the submitting call returned, so no callback runs on the stack of the call that started it.
 * An operation submitted on the event loop itself (from a callback) while the inbox is empty starts at once
 * instead, skipping the inbox; its flush still waits for the drain, and a send that fails at once completes
 * from a task of its own ({@link #isStartingInline()}).
 *
 * <p>No accepted operation is ever left without its callback, even when the event loop goes away under an
 * open socket: a task the loop refuses runs once the loop has terminated, on Netty's global executor, and
 * {@link #abandonAfterLoopTerminated()} completes what the terminated loop left behind (the engine calls it
 * for every connection still open). Sends handed to Netty are kept in order in {@code inFlight} for that.
 */
final class Connection implements Runnable {

    private static final AtomicIntegerFieldUpdater<Connection> DRAIN_SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(Connection.class, "drainScheduled");

    private final Channel channel;
    private final EventLoop loop;
    private final SocketLifecycle lifecycle;
    private final OperationQueue inbox = new OperationQueue();
    private final ReceiveQueue receives;
    /** Sends written to the channel and not completed yet, oldest first. Event loop only. */
    private final ArrayDeque<SendOperation<?>> inFlight = new ArrayDeque<>();
    private volatile int drainScheduled;
    /** Whether the drain wrote anything that still needs a flush. Event loop only. */
    private boolean unflushed;
    /** Set by the close task; from then on operations are abandoned, not started. */
    private volatile boolean closed;
    /** Whether the tail handler is in place, so that operations may start. Event loop only. */
    private boolean attached;
    /** Whether an operation is starting on the stack of the call that submitted it. Event loop only. */
    private boolean startingInline;

    Connection(Channel channel, SocketLifecycle lifecycle) {
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.lifecycle = lifecycle;
        this.receives = new ReceiveQueue(this, channel);
    }

    /**
     * Plugs into the channel, on its event loop (so that the handler is in place before the loop handles
     * another event): the tail handler goes last in the pipeline and gets what an {@link EarlyInboundBuffer}
     * held, and reads happen only on request.
     */
    void attach() {
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_058: [ async_socket_open_async shall create a threadpool IO by calling CreateThreadpoolIo and passing socket_transport_get_underlying_socket, the callback environment to it and on_io_complete as callback. ]
        channel.config().setAutoRead(false);
        RecvByteBufAllocator allocator = channel.config().getRecvByteBufAllocator();
        if (ReadIntoPostedBuffer.canWrap(allocator)) {
            boolean lends = NettyTransport.mayReadIntoPostedBuffer(channel);
            channel.config().setRecvByteBufAllocator(new ReadIntoPostedBuffer(allocator, receives, lends));
        }
        channel.pipeline().addLast(TailHandler.NAME, new TailHandler(this));
        EarlyInboundBuffer early = channel.pipeline().get(EarlyInboundBuffer.class);
        if (early != null) {
            channel.pipeline().remove(early); // passes on what it held, through any handlers behind it
        }
        if (!channel.isActive()) {
            receives.onEnd(ReceiveQueue.End.CLOSED); // closed before this task ran: its events are gone
        }
        attached = true;
    }

    Channel channel() {
        return channel;
    }

    EventLoop loop() {
        return loop;
    }

    ReceiveQueue receives() {
        return receives;
    }

    /** Whether the socket is closing: operations that end now end ABANDONED. */
    boolean isClosing() {
        return closed || lifecycle.state() != SocketState.OPEN;
    }

    /** Whether the loop no longer takes new work (the engine is shutting down). */
    boolean loopShuttingDown() {
        return loop.isShuttingDown();
    }

    /** Hands an accepted operation to the event loop. Any thread; never runs a callback. */
    void submit(Operation operation) {
        if (attached && !closed && loop.inEventLoop() && inbox.isEmpty()) {
            // Already on the loop with nothing queued ahead: start it here, saving the inbox's two fences.
            startingInline = true;
            try {
                operation.start(this);
            } finally {
                startingInline = false;
            }
        } else {
            inbox.offer(operation);
        }
        // The plain read spares a burst of senders a failing CAS each while the drain is already scheduled.
        if (drainScheduled == 0 && DRAIN_SCHEDULED.compareAndSet(this, 0, 1)) {
            execute(this);
        }
    }

    /**
     * Whether an operation is being started on the stack of its own API call: an outcome known now must
     * then wait for a task of its own, since no callback may run before the call that started it returned.
     */
    boolean isStartingInline() {
        return startingInline;
    }

    /** The drain task: starts every operation in the inbox, then flushes once and serves receives. */
    @Override
    public void run() {
        // Cleared before polling: a producer that links after this point schedules the next drain.
        drainScheduled = 0;
        startQueued();
        if (closed) {
            return;
        }
        if (unflushed) {
            unflushed = false;
            channel.flush();
        }
        receives.serve();
    }

    /**
     * The end of a read burst. Receives posted by the callbacks of this burst wait in the inbox: draining
     * it now, rather than in the task scheduled for it, keeps the channel reading without a pause (no
     * re-arming of the read interest) and flushes the burst's sends once, as a hand-written Netty handler
     * would. The scheduled drain still runs and finds nothing, so a handler in front that swallowed this
     * event could delay operations, never strand them.
     */
    void onReadComplete() {
        run();
    }

    /**
     * Starts what the inbox holds now, without flushing or serving: called between the reads of a burst,
     * right after a receive's callback returned, so that a receive it posted is at the head of the queue
     * for the next read. The drain already scheduled still runs and finishes the job.
     */
    void startQueued() {
        Operation operation;
        while ((operation = inbox.poll()) != null) {
            if (closed) {
                operation.abandon();
            } else {
                operation.start(this);
            }
        }
    }

    /** Writes a send's bytes; the flush follows at the end of the drain. */
    void write(ByteBuf data, SendOperation<?> send) {
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_060: [ An asynchronous IO shall be started by calling StartThreadpoolIo. ]
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_061: [ The SOCKET_BUFFER array associated with the context shall be sent by calling socket_transport_send and passing to it the OVERLAPPED structure with the event that was just created, flags set to 0, and bytes_sent set to NULL. ]
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_057: [ An event to be used for the OVERLAPPED structure passed to socket_transport_send shall be created and stored in the context. ]
        inFlight.addLast(send);
        channel.write(data, send);
        unflushed = true;
    }

    /** A written send completed (Netty completes writes in order, so it is normally the oldest). */
    void written(SendOperation<?> send) {
        if (inFlight.peekFirst() == send) {
            inFlight.pollFirst();
        } else {
            inFlight.remove(send);
        }
    }

    /**
     * Closes the channel and completes everything still pending, on the event loop; then runs
     * {@code andThen} there. Any thread; returns without waiting.
     */
    void close(Runnable andThen) {
        execute(() -> {
            closeOnLoop();
            andThen.run();
        });
    }

    private void closeOnLoop() {
        closed = true;
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_021: [ Then async_socket_close shall close the async socket. ]
        // Closing fails the writes still in Netty's outbound buffer, in order. Writes the kernel already holds
        // (io_uring) complete when their completions arrive; the socket's close waits for them.
        channel.close();
        abandonQueued();
    }

    /** Completes ABANDONED the operations that never reached the channel: the inbox and pending receives. */
    private void abandonQueued() {
        Operation operation;
        while ((operation = inbox.poll()) != null) {
            operation.abandon();
        }
        receives.close();
    }

    /**
     * After the event loop has terminated: completes ABANDONED everything still pending, including sends the
     * channel accepted but can no longer finish. Runs on the global executor. Idempotent.
     */
    void abandonAfterLoopTerminated() {
        closed = true;
        abandonQueued();
        SendOperation<?> send;
        while ((send = inFlight.pollFirst()) != null) {
            if (!send.isCompleted()) {
                send.abandonInFlight();
            }
        }
    }

    /** Runs {@code task} on the event loop, or, if the loop refuses it, once the loop has terminated. */
    void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // Once the loop has terminated nothing else touches this connection. Listeners of the termination
            // future all run on Netty's global executor, one at a time, so these late tasks never overlap.
            loop.terminationFuture().addListener(terminated -> {
                closed = true;
                task.run();
                abandonAfterLoopTerminated();
            });
        }
    }
}
