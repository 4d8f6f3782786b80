package dev.asyncsocket.netty;

import dev.asyncsocket.SocketLifecycle;
import dev.asyncsocket.SocketState;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * What one open of a socket binds together: the channel, its event loop, the inbox that carries accepted
 * operations from API calls to the loop, the receive queue and the tail handler.
 *
 * <p>Any thread may {@link #submit} an operation or ask to {@link #close}; everything else runs on the
 * channel's event loop, in one task, the drain ({@link #run}), scheduled once per burst (the pattern of
 * gRPC's {@code WriteQueue}): sends that arrive while the loop is busy leave in one gathered write and one
 * flush, and the drain always runs after the submitting call returned, so no callback runs on the stack of
 * the call that started it. An operation submitted on the event loop itself (from a callback) while the
 * inbox is empty starts at once instead, skipping the inbox; its flush still waits for the drain.
 *
 * <p>Invariants:
 * <ul>
 *   <li>The first drain is the open's: it runs the open callback, then plugs the handler in, and only then
 *       starts what was submitted meanwhile. Until it runs, no other drain is scheduled ({@code drainScheduled}
 *       starts at 1), so nothing of this open, not even its close, can overtake it.</li>
 *   <li>A close is a request the next drain carries out, so it too comes after the open.</li>
 *   <li>Send callbacks run in the order the sends were accepted, failures included: a send whose write ends
 *       early waits in {@code inFlight} for the sends ahead of it.</li>
 *   <li>No accepted operation is ever left without its callback, even when the event loop goes away under
 *       an open socket: a task the loop refuses runs once the loop has terminated, on Netty's global
 *       executor, and {@link #abandonAfterLoopTerminated()} completes what the loop left behind.</li>
 * </ul>
 */
final class Connection implements Runnable {

    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    private static final AtomicIntegerFieldUpdater<Connection> DRAIN_SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(Connection.class, "drainScheduled");

    private final Channel channel;
    private final EventLoop loop;
    private final SocketLifecycle lifecycle;
    private final OperationQueue inbox = new OperationQueue();
    private final ReceiveQueue receives;
    /** Sends handed to the channel (or abandoned) whose callbacks have not run yet, oldest first. Event loop only. */
    private final ArrayDeque<SendOperation<?>> inFlight = new ArrayDeque<>();
    /** 1 while a drain is scheduled, and from construction until {@link #open()}. */
    private volatile int drainScheduled = 1;
    /** The open's callback, until the first drain runs it. Event loop only once opened. */
    private Runnable openCallback;
    /** What a close asked to run once the channel is closed; taken by the drain that closes. */
    private volatile Runnable afterClose;
    /** Whether the drain wrote anything that still needs a flush. Event loop only. */
    private boolean unflushed;
    /** Set by the close; from then on operations are abandoned, not started. */
    private volatile boolean closed;
    /** Whether the open's drain has run, so that operations may start. Event loop only. */
    private boolean attached;
    /** Whether an operation is starting on the stack of the call that submitted it. Event loop only. */
    private boolean startingInline;

    /** @param openCallback runs first on the event loop, before anything else of this connection */
    Connection(Channel channel, SocketLifecycle lifecycle, Runnable openCallback) {
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.lifecycle = lifecycle;
        this.openCallback = openCallback;
        this.receives = new ReceiveQueue(this, channel);
    }

    /** Schedules the open's drain. Call once, after the socket turned OPEN. */
    void open() {
        execute(this);
    }

    /**
     * Plugs into the channel, on its event loop (so that the handler is in place before the loop handles
     * another event): the tail handler goes last in the pipeline and gets what an {@link EarlyInboundBuffer}
     * held, and reads happen only on request. If that fails, the connection is closed: the open callback has
     * already said OK, and what follows completes as on a connection the peer closed.
     */
    private void attach() {
        try {
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_058
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
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, channel + ": the socket could not plug into the pipeline; the connection is closed", e);
            channel.close();
            receives.onEnd(ReceiveQueue.End.CLOSED);
        }
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
        scheduleDrain();
    }

    private void scheduleDrain() {
        // The plain read spares a burst of senders a failing CAS each while the drain is already scheduled.
        if (drainScheduled == 0 && DRAIN_SCHEDULED.compareAndSet(this, 0, 1)) {
            execute(this);
        }
    }

    /**
     * The drain: the open callback and the plugging in if they have not run yet, then either the close that
     * was asked for, or every operation in the inbox started, one flush, and the receives served.
     */
    @Override
    public void run() {
        // Cleared before polling: a producer that links after this point schedules the next drain.
        drainScheduled = 0;
        if (openCallback != null) {
            runOpenCallback();
            if (afterClose == null) {
                // Operations start in a drain of their own, behind the tasks queued while the open callback
                // ran: a handler that another thread added in reaction to it is in place only once Netty's
                // task for it has run.
                scheduleDrain();
                return;
            }
        }
        Runnable then = afterClose;
        if (then != null) {
            afterClose = null;
            closeOnLoop();
            then.run();
            return;
        }
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

    private void runOpenCallback() {
        Runnable callback = openCallback;
        openCallback = null;
        try {
            callback.run();
        } finally {
            if (!closed) {
                attach();
            }
            attached = true;
        }
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
                operation.abandon(this);
            } else {
                operation.start(this);
            }
        }
    }

    /** Writes a send's bytes; the flush follows at the end of the drain. */
    void write(ByteBuf data, SendOperation<?> send) {
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_060
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_061
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_057
        inFlight.addLast(send);
        channel.write(data, send);
        unflushed = true;
    }

    /**
     * A send's write has its outcome (any thread). Its callback runs on the event loop, never on the stack of
     * the sendAsync call that started it, and only after the callbacks of the sends accepted before it.
     */
    void writeDone(SendOperation<?> send) {
        if (loop.inEventLoop() && !startingInline) {
            completeInOrder(send);
        } else {
            execute(() -> completeInOrder(send));
        }
    }

    /** A send that never reached the channel ends ABANDONED, after the sends ahead of it. Event loop only. */
    void abandoned(SendOperation<?> send) {
        inFlight.addLast(send);
        completeInOrder(send);
    }

    private void completeInOrder(SendOperation<?> send) {
        if (send.isCompleted()) {
            return; // swept up when the loop ended; the outcome came after that
        }
        send.settle();
        SendOperation<?> head;
        while ((head = inFlight.peekFirst()) != null && head.isSettled()) {
            inFlight.pollFirst();
            head.complete();
        }
    }

    /**
     * Asks for the channel to be closed and everything still pending completed, on the event loop, after the
     * open and before any operation still in the inbox would start; then {@code andThen} runs there. Any
     * thread; returns without waiting. Once per connection.
     */
    void close(Runnable andThen) {
        afterClose = andThen;
        scheduleDrain();
    }

    private void closeOnLoop() {
        if (!closed) {
            closed = true;
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_021
            // Closing fails the writes still in Netty's outbound buffer, in order. Writes the kernel already
            // holds (io_uring) complete when their completions arrive; the socket's close waits for them.
            channel.close();
        }
        abandonQueued();
    }

    /** Completes ABANDONED the operations that never reached the channel: the inbox and pending receives. */
    private void abandonQueued() {
        Operation operation;
        while ((operation = inbox.poll()) != null) {
            operation.abandon(this);
        }
        receives.close();
    }

    /**
     * After the event loop has terminated: completes everything still pending, the open callback first, then
     * what never started, then the sends the channel accepted but can no longer finish, in order. Runs on the
     * global executor. Idempotent.
     */
    void abandonAfterLoopTerminated() {
        closed = true;
        if (openCallback != null) {
            runOpenCallback();
        }
        abandonQueued();
        SendOperation<?> send;
        while ((send = inFlight.pollFirst()) != null) {
            if (!send.isCompleted()) {
                send.completeAfterLoopEnded();
            }
        }
        Runnable then = afterClose;
        if (then != null) {
            afterClose = null;
            then.run();
        }
    }

    /** Runs {@code task} on the event loop, or, if the loop refuses it, once the loop has terminated. */
    void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // Once the loop has terminated nothing else touches this connection. The late tasks run on Netty's
            // global executor, one at a time and in the order they were refused; always as tasks of their own,
            // never nested in a callback that runs there already.
            loop.terminationFuture().addListener(terminated -> GlobalEventExecutor.INSTANCE.execute(() -> {
                closed = true;
                task.run();
                abandonAfterLoopTerminated();
            }));
        }
    }
}
