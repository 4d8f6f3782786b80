package dev.asyncsocket.netty;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import dev.asyncsocket.spi.OutstandingOperations;
import dev.asyncsocket.spi.SocketLifecycle;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SocketState;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Consumer;

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
 *       schedules the drain that starts what was submitted meanwhile. Until it runs, no other drain is
 *       scheduled ({@code drainScheduled} starts at 1). A close, a task of its own, runs the open callback
 *       first if it has not run yet; so nothing of this open can overtake it.</li>
 *   <li>A drain starts at most {@link #MAX_STARTS_PER_DRAIN} operations at a time (and as many again after
 *       each receive it completes), then flushes and lets the loop do its I/O before it goes on: a producer
 *       that outruns the loop cannot hold it, nor the sockets that share it. While it waits to go on,
 *       {@code drainScheduled} stays 1.</li>
 *   <li>Send callbacks run in the order the sends were accepted, failures included: a send whose write ends
 *       early waits in {@code inFlight} for the sends ahead of it.</li>
 *   <li>Sends of fewer bytes than the copy threshold that start one after the other are copied into one
 *       batch ({@link SendBatcher}), written as one. The open batch is written before anything else is
 *       written or completed, and before each flush and the close: bytes leave, and callbacks run, in the
 *       order the sends were accepted.</li>
 *   <li>While the socket's handler is alone in the pipeline, sends and batches are written under one promise,
 *       {@link StraightWrites}, which hands the outbound buffer's completions to them in the order written;
 *       with a handler in front, each send's write has a promise of its own, and so has a batch whose sends
 *       started before the handler was added.</li>
 *   <li>No accepted operation is ever left without its callback, even when the event loop goes away under
 *       an open socket: a task the loop refuses runs once the loop has terminated, on Netty's global
 *       executor, and {@link #abandonAfterLoopTerminated()} completes what the loop left behind.</li>
 * </ul>
 */
final class Connection implements Runnable, Executor, ReceiveQueue.Owner, Operation.Hooks {

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(Connection.class);
    /**
     * How many operations one drain starts before it lets the loop do I/O: as gRPC's WriteQueue flushes
     * every 128 commands. Enough to gather a burst of small sends into one flush.
     */
    static final int MAX_STARTS_PER_DRAIN = 128;
    private static final AtomicIntegerFieldUpdater<Connection> DRAIN_SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(Connection.class, "drainScheduled");

    private final Channel channel;
    private final EventLoop loop;
    private final SocketLifecycle lifecycle;
    /** Where the reason of each ERROR or ABANDONED completion goes, right before its callback runs. */
    private final Consumer<SocketFailure> failures;
    /** The socket's send pressure and counters, told of each completion. */
    private final SendPressure pressure;
    private final SocketCounters counters;
    /** The socket's count of operations whose callbacks have not returned yet, which its close waits for. */
    private final OutstandingOperations outstanding;
    private final OperationQueue inbox = new OperationQueue();
    private final ReceiveQueue receives;
    /** Sends handed to the channel (or abandoned) whose callbacks have not run yet, oldest first. Event loop only. */
    private final ArrayDeque<SendOperation<?>> inFlight = new ArrayDeque<>();
    /** Copies small sends into batches. Event loop only. */
    private final SendBatcher batches;
    /** The promise of the sends' writes that go straight to the transport. Event loop only. */
    private final StraightWrites straightWrites;
    /** 1 while a drain is scheduled, and from construction until {@link #open()}. */
    private volatile int drainScheduled = 1;
    /** The open's callback, until the first drain runs it. Event loop only once opened. */
    private Runnable openCallback;
    /** Whether the drain wrote anything that still needs a flush. Event loop only. */
    private boolean unflushed;
    /** Set by the close; from then on operations are abandoned, not started. */
    private volatile boolean closed;
    /** Why {@link #closed} was set: a local close, or the loop ending; {@code null} until then. */
    private volatile SocketFailure closedBecause;
    /** The first write failure that ended the connection (Netty then closes the channel); {@code null} if none. */
    private volatile SocketFailure lostInWrite;
    /** Whether the open's drain has run, so that operations may start. Event loop only. */
    private boolean attached;
    /** Whether an operation is starting on the stack of the call that submitted it. Event loop only. */
    private boolean startingInline;

    /** See {@link #sweepWhenLoopEnds}. */
    private final GenericFutureListener<Future<Object>> sweep = ended -> abandonAfterLoopTerminated();

    /**
     * @param openCallback runs first on the event loop, before anything else of this connection
     * @param failures     told why, right before each ERROR or ABANDONED callback of this connection
     * @param pressure     told of each send's completion, right before its callback
     * @param counters     told of each receive's completion, right before its callback
     * @param outstanding  told of each operation's callback returning
     * @param copyBelow    sends of fewer bytes are copied into a shared batch (see the class comment); 0 for none,
     *                     at most {@link SendBatcher#MAX_BATCH_BYTES}
     */
    Connection(Channel channel, SocketLifecycle lifecycle, Runnable openCallback, Consumer<SocketFailure> failures,
               SendPressure pressure, SocketCounters counters, OutstandingOperations outstanding, int copyBelow) {
        this.channel = channel;
        this.straightWrites = new StraightWrites(channel);
        this.batches = new SendBatcher(channel, straightWrites, copyBelow);
        // The callback environment is the channel's event loop (of the engine's group for the channels it makes).
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_016
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_036
        this.loop = channel.eventLoop();
        this.lifecycle = lifecycle;
        this.failures = failures;
        this.pressure = pressure;
        this.counters = counters;
        this.outstanding = outstanding;
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
            channel.pipeline().addLast(TailHandler.NAME,
                    new TailHandler(receives, this::onReadComplete, this::onPipelineTornDown));
            EarlyInboundBuffer early = channel.pipeline().get(EarlyInboundBuffer.class);
            if (early != null) {
                channel.pipeline().remove(early); // passes on what it held, through any handlers behind it
            }
            if (!channel.isActive()) {
                // closed before this task ran: its events are gone
                receives.onEnd(ReceiveQueue.End.CLOSED, whyChannelClosed());
            }
        } catch (RuntimeException | Error e) {
            LOG.warn(channel + ": the socket could not plug into the pipeline; the connection is closed", e);
            channel.close();
            receives.onEnd(ReceiveQueue.End.CLOSED, FailureKind.PIPELINE_ERROR.because(e));
        }
    }

    @Override
    public Channel channel() {
        return channel;
    }

    EventLoop loop() {
        return loop;
    }

    ReceiveQueue receives() {
        return receives;
    }

    /** Whether the socket is closing: operations that end now end ABANDONED. */
    @Override
    public boolean isClosing() {
        return closed || lifecycle.state() != SocketState.OPEN;
    }

    @Override
    public SocketFailure whyClosing() {
        SocketFailure why = closedBecause;
        return why != null ? why
                : loop.isShuttingDown() ? FailureKind.ENGINE_SHUT_DOWN.alone() : FailureKind.CLOSED_LOCALLY.alone();
    }

    /**
     * Why the channel takes no more writes: this socket's close, its output shut down while it stays open, the
     * stream's end if that closed it (a reset), a write the network failed (a reset or a broken pipe seen by a
     * send), the peer's EOF on a channel that does not allow half-closure, the engine shutting down (Netty
     * closes its loops' channels), else something other than this socket.
     */
    @Override
    public SocketFailure whyChannelClosed() {
        if (isClosing()) {
            return whyClosing();
        }
        if (isOutputShutDown()) {
            return FailureKind.OUTPUT_SHUT_DOWN.alone();
        }
        SocketFailure ended = receives.endReason();
        if (ended != null && ended.kind() != FailureKind.END_OF_STREAM) {
            return ended;
        }
        SocketFailure lost = lostInWrite;
        if (lost != null) {
            return lost;
        }
        if (receives.eofRead() && !allowsHalfClosure()) {
            return receives.endOfStream(); // Netty closes a channel that does not allow half-closure on the EOF
        }
        return loop.isShuttingDown() ? FailureKind.ENGINE_SHUT_DOWN.alone() : FailureKind.CHANNEL_CLOSED.alone();
    }

    @Override
    public SocketFailure whyWriteFailed(Throwable cause) {
        if (cause instanceof ChannelOutputShutdownException || isOutputShutDown()) {
            return FailureKind.OUTPUT_SHUT_DOWN.because(cause); // Netty fails what the shutdown found unwritten
        }
        if (channel.isActive() || !ConnectionFailures.endsTheConnection(cause)) {
            // A handler in front refused it, say: the connection stands (Netty closes it on a transport's failure).
            return FailureKind.WRITE_FAILED.because(cause);
        }
        SocketFailure lost = FailureKind.CONNECTION_LOST.because(cause);
        if (lostInWrite == null) {
            lostInWrite = lost; // Netty closes the channel on it: what ends there next ends for this reason
        }
        return lost;
    }

    /** Whether the peer's EOF ends only the channel's input ({@code ALLOW_HALF_CLOSURE}), not the channel. */
    private boolean allowsHalfClosure() {
        return Boolean.TRUE.equals(channel.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE));
    }

    /**
     * Whether the channel stays open with its output shut down ({@code DuplexChannel.shutdownOutput()}): no
     * write can go out, while reads still work. Any thread; momentary. Asked for every send: Netty lets go of
     * the channel's outbound buffer (a volatile field) before it shuts the output down or closes, so only then
     * is the transport asked, which on NIO takes the JDK channel's state lock, that its reads and writes take.
     */
    boolean isOutputShutDown() {
        return channel.unsafe().outboundBuffer() == null
                && channel instanceof DuplexChannel duplex && channel.isActive() && duplex.isOutputShutdown();
    }

    @Override
    public void failed(SocketFailure why) {
        failures.accept(why);
    }

    @Override
    public void sendCompleting(long bytes, SendResult result) {
        pressure.completed(bytes, result, this);
    }

    @Override
    public void receiveCompleting(ReceiveResult result, int bytes) {
        counters.receiveCompleted(result, bytes);
    }

    @Override
    public void completed() {
        outstanding.completed();
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
     * The drain. The first one runs the open callback and plugs the handler in, then schedules the next; the
     * others start what the inbox holds (up to {@link #MAX_STARTS_PER_DRAIN}), flush once and serve receives.
     */
    @Override
    public void run() {
        if (openCallback != null) {
            runOpenCallback();
            // Operations start in a drain of their own, behind the tasks queued while the open callback ran:
            // a handler that another thread added in reaction to it is in place only once Netty's task for it
            // has run. drainScheduled stays 1 until then.
            execute(this);
            return;
        }
        if (drain()) {
            yieldToIo();
            return;
        }
        drainScheduled = 0;
        // A producer that linked after the last poll saw 1 and left the drain to this one; so did a send that a
        // callback of this drain started inline, and that still needs its flush.
        if ((unflushed || !inbox.isEmpty()) && DRAIN_SCHEDULED.compareAndSet(this, 0, 1)) {
            execute(this);
        }
    }

    /** Starts what is queued, flushes, serves receives; returns whether operations are left for later. */
    private boolean drain() {
        boolean more = startQueued();
        batches.write();
        if (closed) {
            unflushed = false; // the channel is closed: what was written fails, with nothing to flush
            return more;
        }
        if (unflushed) {
            unflushed = false;
            channel.flush();
        }
        receives.serve();
        return more;
    }

    /**
     * Goes on with the drain after the loop's next round of I/O: a task scheduled now is taken only by the
     * next round of tasks, whereas one merely queued would run in this round, which Netty lets run for up to a
     * second. A drain cancelled by a shutting-down loop goes on as a plain task (or after the loop ended).
     */
    private void yieldToIo() {
        try {
            loop.schedule(this, 0, TimeUnit.NANOSECONDS).addListener(scheduled -> {
                if (scheduled.isCancelled()) {
                    execute(this);
                }
            });
        } catch (RejectedExecutionException e) {
            execute(this);
        }
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
        // Left over: the drain already scheduled goes on with it, or one scheduled now, after the I/O.
        if (drain() && DRAIN_SCHEDULED.compareAndSet(this, 0, 1)) {
            yieldToIo();
        }
    }

    /**
     * Starts what the inbox holds now, up to {@link #MAX_STARTS_PER_DRAIN} operations, without flushing or
     * serving: also called between the reads of a burst, right after a receive's callback returned, so that
     * a receive it posted is at the head of the queue for the next read. Whatever is left waits for the drain
     * that its producer made sure of.
     *
     * @return whether operations are left in the inbox
     */
    boolean startQueued() {
        if (!attached) {
            // Reached from the open's own drain (plugging in passes on held bytes and a read-complete): the
            // operations wait for their drain, behind what the open callback queued.
            return false;
        }
        for (int started = 0; started < MAX_STARTS_PER_DRAIN; started++) {
            Operation operation = inbox.poll();
            if (operation == null) {
                return false;
            }
            if (closed) {
                operation.abandon(this);
            } else {
                operation.start(this);
            }
        }
        return !inbox.isEmpty();
    }

    @Override
    public void post(ReceiveOperation<?> receive) {
        receives.post(receive);
    }

    @Override
    public void pullInbox() {
        startQueued();
    }

    @Override
    public boolean batch(SendOperation<?> send) {
        if (!batches.add(send)) {
            // The send writes its own bytes next (the leading parts of an oversize one before the rest): the
            // bytes of the sends before it go first.
            batches.write();
            return false;
        }
        inFlight.addLast(send);
        unflushed = true;
        return true;
    }

    @Override
    public StraightWrites straightWrites() {
        return TailHandler.isAloneIn(channel.pipeline()) ? straightWrites : null;
    }

    @Override
    public void writing(SendOperation<?> send) {
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_060
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_061
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_057
        inFlight.addLast(send);
        unflushed = true;
    }

    /**
     * A send's write has its outcome (any thread). Its callback runs on the event loop, never on the stack of
     * the sendAsync call that started it, and only after the callbacks of the sends accepted before it.
     */
    @Override
    public void writeDone(SendOperation<?> send) {
        // A batch whose write fails at once completes its sends in a task of its own: no callback may start a
        // send that would overtake the one whose start wrote the batch.
        if (loop.inEventLoop() && !startingInline && !batches.isWriting()) {
            completeInOrder(send);
        } else {
            execute(() -> completeInOrder(send));
        }
    }

    /**
     * A send that never reached the channel (abandoned, or failed to start) completes with the outcome it
     * set, after the sends ahead of it. Event loop only.
     */
    @Override
    public void endedBeforeWrite(SendOperation<?> send) {
        batches.write(); // its sends were accepted before this one: their callbacks come first
        inFlight.addLast(send);
        writeDone(send); // never on the stack of the sendAsync that started it inline
    }

    private void completeInOrder(SendOperation<?> send) {
        if (send.isCompleted() || !send.settle()) {
            return; // swept up when the loop ended, or an oversize send whose first parts are still written
        }
        completeSettledHeads();
    }

    private void completeSettledHeads() {
        SendOperation<?> head;
        while ((head = inFlight.peekFirst()) != null && head.isSettled()) {
            inFlight.pollFirst();
            head.complete();
        }
    }

    /**
     * The channel closed and left its loop, and its handlers were removed, this socket's first: in a task of
     * its own, once the handlers in front were removed too (and failed what they held, as Netty's rules ask),
     * the sends whose write still has no outcome, and whose buffers were all let go, end, since nothing can
     * complete them any more (see {@link SendOperation#settleDropped()}). A send whose write a handler still
     * holds waits for its promise, with a WARNING. Event loop only.
     */
    private void onPipelineTornDown() {
        execute(() -> {
            int dropped = 0;
            int held = 0;
            for (SendOperation<?> send : inFlight) {
                if (send.settleDropped()) {
                    dropped++;
                } else if (send.awaitsOwnWrite()) {
                    held++;
                }
            }
            if (held > 0) {
                LOG.warn("{}: {} send(s) still wait, after the channel's close, for the outcome of writes a handler"
                        + " in front holds; their callbacks (and close()) wait until it completes their promises",
                        channel, held);
            }
            if (dropped > 0) {
                LOG.warn("{}: {} send(s) ended at the channel's close with no outcome from their writes: a handler"
                        + " in front dropped the writes without completing their promises, as Netty's handlers must",
                        channel, dropped);
                completeSettledHeads();
            }
        });
    }

    /**
     * Closes the channel and completes everything still pending, on the event loop, in a task of its own
     * (after the open callback, which it runs first if the open's drain has not); then runs {@code andThen}
     * there. Any thread; returns without waiting.
     */
    void close(Runnable andThen) {
        execute(() -> {
            if (openCallback != null) {
                runOpenCallback();
            }
            closeOnLoop();
            andThen.run();
        });
    }

    private void closeOnLoop() {
        if (!closed) {
            closeBecause(FailureKind.CLOSED_LOCALLY);
            batches.write(); // its sends then end as the writes in Netty's outbound buffer do
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_021
            // Closing fails the writes still in Netty's outbound buffer, in order. Writes the kernel already
            // holds (io_uring) complete when their completions arrive; the socket's close waits for them.
            channel.close();
        }
        abandonQueued();
    }

    /** Completes ABANDONED the operations that never reached the channel: the inbox and pending receives. */
    private void abandonQueued() {
        // The receives already posted were accepted before those still in the inbox: they complete first.
        receives.close(whyClosing());
        Operation operation;
        while ((operation = inbox.poll()) != null) {
            operation.abandon(this);
        }
    }

    private void closeBecause(FailureKind why) {
        if (closedBecause == null) {
            closedBecause = why.alone();
        }
        closed = true;
    }

    /**
     * After the event loop has terminated: completes everything still pending, the open callback first, then
     * what never started, then the sends the channel accepted but can no longer finish, in order. Runs on the
     * global executor. Idempotent.
     */
    void abandonAfterLoopTerminated() {
        closeBecause(FailureKind.ENGINE_SHUT_DOWN);
        batches.discard(); // an open batch was never written: its sends wait in inFlight, below
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
    }

    /**
     * For a channel on a loop that no engine sweeps (another group's): completes what is left when that loop
     * ends ({@code true}), or stops watching it ({@code false}, at the close, so that a long-lived loop keeps
     * no listener per connection). Any thread.
     */
    void sweepWhenLoopEnds(boolean watch) {
        if (watch) {
            loop.terminationFuture().addListener(sweep);
        } else {
            loop.terminationFuture().removeListener(sweep);
        }
    }

    /** Runs {@code task} on the event loop, or, if the loop refuses it, once the loop has terminated. */
    @Override
    public void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // Once the loop has terminated nothing else touches this connection. The late tasks run on Netty's
            // global executor, one at a time and in the order they were refused; always as tasks of their own,
            // never nested in a callback that runs there already.
            loop.terminationFuture().addListener(terminated -> GlobalEventExecutor.INSTANCE.execute(() -> {
                closeBecause(FailureKind.ENGINE_SHUT_DOWN);
                task.run();
                abandonAfterLoopTerminated();
            }));
        }
    }
}
