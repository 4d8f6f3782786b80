package dev.asyncsocket.netty;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import dev.asyncsocket.AsyncSocket;
import dev.asyncsocket.spi.Callbacks;
import dev.asyncsocket.ExecutionEngine;
import dev.asyncsocket.NotifyIoType;
import dev.asyncsocket.OnNotifyIoComplete;
import dev.asyncsocket.OnOpenComplete;
import dev.asyncsocket.OnReceiveComplete;
import dev.asyncsocket.OnRecv;
import dev.asyncsocket.OnSend;
import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.OpenResult;
import dev.asyncsocket.spi.OutstandingOperations;
import dev.asyncsocket.spi.Payload;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.spi.SocketLifecycle;
import dev.asyncsocket.SocketState;
import dev.asyncsocket.SocketTransport;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link AsyncSocket} on a Netty {@link Channel}. See {@link AsyncSocket} for the contract; this class adds
 * what is particular to Netty:
 * <ul>
 *   <li>a send writes one {@link io.netty.buffer.ByteBuf} wrapping the caller's buffers (one read-only
 *       composite over a snapshot of them for several; no copy), and sends that arrive while the event loop
 *       is busy leave in one flush; small sends (under the engine's
 *       {@link NettyExecutionEngine#sendCopyThreshold()}) are copied instead, a burst of them into one
 *       write;</li>
 *   <li>receives are served by the last handler of the channel's pipeline, so handlers in front of it (TLS,
 *       codecs, logging) see the bytes first; the channel reads only while a receive is pending;</li>
 *   <li>callbacks run on the channel's event loop. If the engine shuts down under an open socket, what is
 *       pending completes ABANDONED on Netty's global executor once the loop has ended.</li>
 * </ul>
 * Thread-safe.
 */
public final class NettyAsyncSocket implements AsyncSocket {

    private static final Cleaner CLEANER = Cleaner.create();

    static {
        // What callbacks throw goes where Netty's own log lines go, under the contract's name.
        InternalLogger callbacks = InternalLoggerFactory.getInstance(AsyncSocket.class);
        Callbacks.logTo((message, thrown) -> {
            if (thrown instanceof VirtualMachineError) {
                callbacks.error(message, thrown);
            } else {
                callbacks.warn(message, thrown);
            }
        });
    }
    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(NettyAsyncSocket.class);
    private static final AttributeKey<NettyAsyncSocket> OWNER =
            AttributeKey.valueOf(NettyAsyncSocket.class, "owner");

    private final NettyExecutionEngine engine;
    private final SocketLifecycle lifecycle = new SocketLifecycle();
    private final OutstandingOperations outstanding = new OutstandingOperations();
    private final SocketCounters counters = new SocketCounters();
    private final SendPressure pressure = new SendPressure(counters, outstanding);
    private final AtomicBoolean destroyed = new AtomicBoolean();
    private final AtomicBoolean engineReleased = new AtomicBoolean();
    /** Set before the socket turns OPEN, cleared before it turns CLOSED. */
    private volatile Connection connection;
    /** See {@link #lastFailure()}: written on the event loop (or the sweep), read from any thread. */
    private volatile SocketFailure lastFailure;

    private NettyAsyncSocket(NettyExecutionEngine engine) {
        this.engine = engine;
    }

    /**
     * A closed socket on {@code engine}, holding a reference on it until {@link #destroy()} (a socket collected
     * without it releases its reference then, with a warning).
     *
     * @return {@code null} if {@code engine} is {@code null}, not a {@link NettyExecutionEngine}, or already
     *     released (its count reached 0; logged)
     */
    public static NettyAsyncSocket create(ExecutionEngine engine) {
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_002
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_003
        if (!(engine instanceof NettyExecutionEngine)) {
            return null;
        }
        NettyExecutionEngine nettyEngine = (NettyExecutionEngine) engine;
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_035
        if (nettyEngine.eventLoopGroup() == null) {
            return null;
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_42_004
        if (!nettyEngine.acquireForSocket()) {
            return null; // the engine's count already reached 0: it warned
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_001
        NettyAsyncSocket socket = new NettyAsyncSocket(nettyEngine);
        CLEANER.register(socket, new NeverDestroyed(nettyEngine, socket.engineReleased));
        return socket;
    }

    /**
     * A socket collected without {@code destroy()} (never opened, or closed, and dropped): its reference on
     * the engine would keep the engine's threads alive in silence. Releases it, with a warning. Holds nothing
     * of the socket but the engine and the flag both share.
     */
    private record NeverDestroyed(NettyExecutionEngine engine, AtomicBoolean released) implements Runnable {
        @Override
        public void run() {
            if (released.compareAndSet(false, true)) {
                LOG.warn("a socket on {} was never destroyed; its reference on the engine is released now", engine);
                engine.releaseForSocket();
            }
        }
    }

    /** Not supported, as in c-pal: always {@code null}. */
    public static <S, R> NettyAsyncSocket createWithTransport(ExecutionEngine engine, OnSend<S> onSend,
            S onSendContext, OnRecv<R> onRecv, R onRecvContext) {
        // Codes_SRS_ASYNC_SOCKET_WIN32_04_001
        return null;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The transport must be a {@link NettySocketTransport} whose channel is connected and used by no other
     * open socket. Its channel may run on any event loop, of this socket's engine or another group: the
     * callbacks run on the channel's loop. The open adds the socket's handler last in the channel's pipeline
     * and turns auto-read off: from then on the channel reads only for receives. Auto-read turned on again (by
     * the channel's owner, or a handler) goes off once bytes come that no receive waits for, with a WARNING. A
     * refusal (non-zero) is logged at WARNING with its reason, and leaves the transport with the caller.
     *
     * <p>A socket closed on a thread that must not wait (inside one of its callbacks, say) stays CLOSING until
     * its last callback has run, and refuses an open until then: a client that reconnects from the callback
     * that told it the connection ended opens a new socket ({@link #create}) on the fresh transport, or opens
     * this one again once {@link #state()} is CLOSED (a {@link #close()} on a thread that may wait returns
     * then).
     */
    @Override
    public <C> int openAsync(SocketTransport transport, OnOpenComplete<C> onOpenComplete, C context) {
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_034
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_008
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_009
        String refused = transport == null ? "no transport"
                : !(transport instanceof NettySocketTransport) ? "a transport of another implementation, " + transport.getClass().getName()
                : onOpenComplete == null ? "no callback"
                : destroyed.get() ? "the socket was destroyed" : null;
        if (refused != null) {
            return refuse(transport, refused);
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_015
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_023
        if (!lifecycle.beginOpen()) {
            return refuse(transport, "the socket is " + lifecycle.state() + ", not closed");
        }
        Channel channel = ((NettySocketTransport) transport).channel();
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_039
        refused = destroyed.get() ? "the socket was destroyed"
                : !channel.isActive() ? "its channel is not connected (or already closed)"
                : channel.eventLoop().isShuttingDown() ? "its channel's event loop is shutting down"
                : !channel.attr(OWNER).compareAndSet(null, this) ? "another socket is open on its channel" : null;
        if (refused != null) {
            lifecycle.openFailed();
            releaseEngineIfDestroyed(); // a destroy that could not wait for this open left the release to it
            return refuse(transport, refused);
        }
        lastFailure = null; // a new connection: the last one's callbacks have all run
        // Reads stop now; everything else about plugging in happens on the event loop, first thing.
        channel.config().setAutoRead(false);
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_017
        // The open callback comes first; the handler goes in right after it, before any other event of the
        // channel and before any operation of this open, whoever started it (see Connection).
        Connection opened = new Connection(channel, lifecycle, () -> {
            try {
                Callbacks.openComplete(onOpenComplete, context, OpenResult.OK);
            } finally {
                outstanding.completed();
            }
        }, why -> lastFailure = why, pressure, counters, outstanding, engine.sendCopyThreshold());
        connection = opened;
        outstanding.accepted();
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_094
        lifecycle.opened();
        // Tracked only once open and counted: the engine's sweep may run the open callback from then on.
        engine.track(opened);
        opened.open();
        if (destroyed.get()) {
            close(); // a destroy on a thread that could not wait for this open: its implicit close
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_014
        return 0;
    }

    /** An open refused: the caller keeps the transport, and learns why from the log. */
    private static int refuse(SocketTransport transport, String reason) {
        LOG.warn("openAsync refused {}: {}", transport, reason);
        return 1;
    }

    /**
     * {@inheritDoc}
     *
     * <p>On a thread that may wait, this returns once the channel is closed and every callback of this open
     * has returned. On a thread that must not wait, it returns at once and the socket turns CLOSED once the
     * last callback has run: any Netty event loop (this socket's, inside a callback, or another socket's or
     * engine's, as a proxy closing its other leg does) and Netty's global executor, which runs what is left
     * of the completions once an engine has shut down.
     *
     * <p>A send's callback comes when its write's promise completes. Netty requires every handler to complete
     * or pass on each write's promise. A send whose write a handler in front dropped (released) without
     * completing its promise ends once the closed channel has left its loop and its handlers were removed
     * (when nothing could complete it any more), {@code ABANDONED}, with a WARNING; this waits until then. A
     * write a handler still holds then (to pass on later, say) may still read the caller's memory: its send,
     * and this, wait for its promise, with a WARNING.
     */
    @Override
    public void close() {
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_019
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_020
        if (!lifecycle.beginClose()) {
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_022
            // Another close is under way: where waiting is allowed, this one returns only when it is done, so
            // that an openAsync right after it succeeds. It asks only the state, which turns CLOSED last.
            if (lifecycle.state() == SocketState.CLOSING && mayWaitHere()) {
                lifecycle.awaitSettled();
            }
            return;
        }
        Connection closing = connection;
        if (!CurrentThread.mayBlock(closing.channel())) {
            // The close runs on the socket's loop after the current task (a callback, perhaps), and the socket
            // turns CLOSED once the last callback of this connection has run (io_uring completes the writes the
            // kernel held later), so that none runs after a new open.
            closing.close(() -> outstanding.whenNone(() -> finishClose(closing)));
            return;
        }
        // The close counts as outstanding too, so the wait below also covers the channel's close.
        outstanding.accepted();
        closing.close(outstanding::completed);
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_040
        outstanding.awaitNone(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        finishClose(closing);
    }

    private void finishClose(Connection closed) {
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_059
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_042
        closed.channel().attr(OWNER).compareAndSet(this, null);
        engine.untrack(closed);
        connection = null;
        // Released before CLOSED, so that a thread waiting for CLOSED finds the engine released too; and
        // again after, for a destroy that came between the two and found the socket still CLOSING.
        releaseEngineIfDestroyed();
        lifecycle.closed();
        releaseEngineIfDestroyed();
    }

    /**
     * {@inheritDoc}
     *
     * <p>What a send holds of the caller's arguments, read once here: for a lone direct buffer, the buffer and
     * its bounds (the send object itself, 80 bytes, and nothing per buffer; with a handler in front of the
     * socket, a send that is not copied adds its write's promise, about 50 bytes); for anything else, the
     * references and each buffer's position and limit in flat arrays, 12 bytes a buffer where the JVM
     * compresses references (16 without), allocated on this thread and kept until the callback, plus about
     * 100 bytes per write of up to 1024 buffers. No object is made per buffer: a send of 10 M one-byte
     * buffers holds about 125 MB besides the caller's own, well within the seed's context budget of 32 bytes
     * a buffer. The transport's views of the buffers are made on the event loop for each write attempt and
     * dropped after it.
     *
     * <p>A send of fewer bytes than the engine's {@link NettyExecutionEngine#sendCopyThreshold()} (512 by
     * default; 0 copies none) is copied when its turn comes, into one write shared with the small sends
     * started around it; the callback still comes once its bytes were written, in order.
     *
     * <p>Once the channel's owner shut its output down ({@code DuplexChannel.shutdownOutput()}) while it stays
     * open, sends are refused with {@code ERROR}, and the sends it found unwritten complete {@code ERROR}; the
     * reason either way is {@link FailureKind#OUTPUT_SHUT_DOWN}. Receives go on.
     *
     * <p>Besides bad input, {@code ERROR} also refuses a send once the channel's event loop is shutting down
     * (the engine's end; receives are refused then too). {@link #whyRefused()} tells which.
     */
    @Override
    public <C> SendSyncResult sendAsync(ByteBuffer[] payload, OnSendComplete<C> onSendComplete, C context) {
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_026
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_027
        if (onSendComplete == null) {
            return SendSyncResult.ERROR;
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_097
        if (!lifecycle.enterApi()) {
            return Payload.sendTotal(payload) == Payload.INVALID ? SendSyncResult.ERROR : SendSyncResult.NOT_OPEN;
        }
        try {
            Connection open = connection;
            // The payload is read once, into the send; bad input, or a payload changed meanwhile into one,
            // is refused here with nothing made.
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_029
            SendOperation<C> send = SendOperation.of(payload, onSendComplete, context);
            if (send == null) {
                return SendSyncResult.ERROR;
            }
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_062
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_100
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_106
            // Codes_SRS_ASYNC_SOCKET_WIN32_42_002
            SendSyncResult refused = open.loopShuttingDown() ? SendSyncResult.ERROR
                    : !open.channel().isActive() ? SendSyncResult.NOT_OPEN
                    : open.isOutputShutDown() ? SendSyncResult.ERROR : null;
            if (refused != null) {
                send.refuse();
                return refused;
            }
            // Counted only once nothing can fail any more: an accepted send always gets its callback. Its
            // bytes are queued before the loop can complete it.
            outstanding.accepted();
            pressure.accepted(send.bytes(), open);
            open.submit(send);
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_053
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_045
            return SendSyncResult.OK;
        } finally {
            lifecycle.exitApi();
        }
    }

    @Override
    public <C> int receiveAsync(ByteBuffer[] payload, OnReceiveComplete<C> onReceiveComplete, C context) {
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_075
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_076
        if (onReceiveComplete == null) {
            return 1;
        }
        // The payload is read once, into the receive: another thread changing the array meanwhile cannot slip
        // a null or read-only buffer past the checks.
        ReceiveOperation<C> receive = ReceiveOperation.of(payload, onReceiveComplete, context);
        if (receive == null) {
            return 1;
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_098
        if (!lifecycle.enterApi()) {
            return 1;
        }
        try {
            Connection open = connection;
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_054
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_099
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_105
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_084
            if (open.loopShuttingDown()) {
                return 1;
            }
            // A receive after the peer's EOF or reset is accepted: bytes that arrived before it are still
            // delivered, and then it completes ABANDONED, as a zero-byte WSARecv completion would.
            outstanding.accepted();
            open.submit(receive);
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_055
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_083
            return 0;
        } finally {
            lifecycle.exitApi();
        }
    }

    @Override
    public <C> int notifyIoAsync(NotifyIoType ioType, OnNotifyIoComplete<C> onNotifyIoComplete, C context) {
        // Codes_SRS_ASYNC_SOCKET_WIN32_04_002
        return 1;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Where waiting is allowed, this first waits for an open or close under way, then closes as
     * {@link #close()} does. On a thread that must not wait (see {@link #close()}) it returns at once, and
     * the engine's reference is released once the socket is CLOSED: by the close it starts, by a close
     * already under way, or by an open under way, which then closes the socket again.
     */
    @Override
    public void destroy() {
        if (!destroyed.compareAndSet(false, true)) {
            return;
        }
        if (mayWaitHere()) {
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_093
            lifecycle.awaitSettled();
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_006
        close();
        // A close that finishes later releases the engine then (finishClose); so does an open under way.
        if (lifecycle.state() == SocketState.CLOSED) {
            releaseEngine();
        }
        if (mayWaitHere()) {
            // The last reference may have gone on an event loop, which could not wait for the threads to end.
            engine.awaitTerminationIfReleased();
        }
    }

    /** Whether this thread may wait for this socket: see {@link CurrentThread#mayBlock(Channel)}. */
    private boolean mayWaitHere() {
        Connection current = connection;
        return current == null ? CurrentThread.mayBlock() : CurrentThread.mayBlock(current.channel());
    }

    private void releaseEngineIfDestroyed() {
        if (destroyed.get()) {
            releaseEngine();
        }
    }

    private void releaseEngine() {
        // Codes_SRS_ASYNC_SOCKET_WIN32_42_005
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_005
        if (engineReleased.compareAndSet(false, true)) {
            engine.releaseForSocket();
        }
    }

    /**
     * Why the most recent send or receive of this socket that completed ERROR or ABANDONED did so, or
     * {@code null} if none has since the last accepted open (an open clears it: what it says is about the
     * connection that is or was last open). Set before the callback that reports that result runs, so the
     * callback can read it (its own reason: callbacks of one socket run one at a time), and kept after the
     * close, so it can be read any time after. Any thread.
     *
     * <p>{@link FailureKind} tells, e.g., the peer's EOF ({@code END_OF_STREAM}) from a reset or another I/O
     * error ({@code CONNECTION_LOST}, with the exception) from this socket's own close ({@code CLOSED_LOCALLY})
     * from the engine shutting down ({@code ENGINE_SHUT_DOWN}). A call that was refused leaves it as it was:
     * {@link #whyRefused()} says why.
     */
    public SocketFailure lastFailure() {
        return lastFailure;
    }

    /**
     * Why this socket refuses a send or receive whose payload and callback are good (a send's {@code NOT_OPEN}
     * or {@code ERROR}, a receive's non-zero): read it right after the refusal, on any thread. A refusal is no
     * completion, so {@link #lastFailure()} does not explain it (it may be {@code null}, or an older reason).
     *
     * @return {@code CLOSED_LOCALLY} if the socket is not open (closed or destroyed, or never opened) or is
     *     closing; {@code ENGINE_SHUT_DOWN} if its event loop is ending; {@code OUTPUT_SHUT_DOWN} if the
     *     channel's owner shut its output down (sends only); if its channel is gone, what ended it: the
     *     peer's reset or a write the network failed ({@code CONNECTION_LOST}, with the exception), else
     *     {@code CHANNEL_CLOSED} (a handler in front or the channel's owner closed it); {@code null} if such an
     *     operation would be accepted now (the socket was opened again since, say)
     */
    public SocketFailure whyRefused() {
        Connection current = connection;
        if (current == null) {
            return FailureKind.CLOSED_LOCALLY.alone();
        }
        boolean accepting = !current.isClosing() && !current.loopShuttingDown() && current.channel().isActive()
                && !current.isOutputShutDown();
        return accepting ? null : current.whyChannelClosed();
    }

    /**
     * Whether sends are welcome: {@code false} from the moment the bytes of the sends accepted whose callback
     * has not run yet ({@link SocketCounters#queuedSendBytes()}) go past the high water mark, until they drop
     * to the low one or below; as a Netty {@code Channel.isWritable()}. Advice only: {@code sendAsync} still
     * accepts sends while the socket is unwritable, and each adds to what the socket holds. The pressure is all
     * this says: a closed socket, which holds nothing, is writable. Any thread; the value is momentary, and
     * turns {@code false} on the thread of the {@code sendAsync} that went past the mark, before it returns.
     */
    public boolean isWritable() {
        return pressure.isWritable();
    }

    /**
     * Sets the water marks of {@link #isWritable()}: the socket turns unwritable when the bytes queued exceed
     * {@code highBytes}, and writable again when they drop to {@code lowBytes} or below. They apply from the
     * next send accepted or completed, on this socket's every open. By default 32 KiB and 64 KiB, as Netty's
     * channels. Any thread.
     *
     * @return 0 if set; non-zero if refused, the marks unchanged and the reason logged at WARNING: a negative
     *     {@code lowBytes}, or a {@code highBytes} below it
     */
    public int setSendWaterMarks(long lowBytes, long highBytes) {
        return pressure.setWaterMarks(lowBytes, highBytes) ? 0 : 1;
    }

    /** The low water mark of {@link #isWritable()}, in bytes. */
    public long sendLowWaterMark() {
        return pressure.lowWaterMark();
    }

    /** The high water mark of {@link #isWritable()}, in bytes. */
    public long sendHighWaterMark() {
        return pressure.highWaterMark();
    }

    /**
     * Has {@code onChanged} told of each change of {@link #isWritable()} from now on (replacing the listener
     * set before; {@code null} removes it). Calls alternate, {@code false} first (unless it is set while the
     * socket is unwritable: read {@link #isWritable()} for the state now), and run on the channel's
     * event loop, in a task of their own: never on the stack of the {@code sendAsync} that went past the high
     * mark, nor inside another callback. Once an engine has shut down under the socket, they run where the
     * rest of its callbacks do. Every change of an open is told before the socket turns CLOSED. What the
     * listener throws is logged and breaks nothing. Any thread.
     *
     * <p>A producer pauses on {@code false} and resumes on {@code true}; one that read {@code isWritable()}
     * as {@code false} is always told {@code true} later (or the socket closes, which empties the queue).
     */
    public <C> void setOnWritabilityChanged(OnWritabilityChanged<C> onChanged, C context) {
        pressure.setListener(onChanged, context);
    }

    /** What this socket has done, over all its opens, and what it still holds: a live view read without locks. */
    public SocketCounters counters() {
        return counters;
    }

    /** The socket's state, for diagnostics and tests. */
    public SocketState state() {
        return lifecycle.state();
    }

    /** The engine this socket runs on. */
    public NettyExecutionEngine engine() {
        return engine;
    }

    @Override
    public String toString() {
        Connection current = connection;
        return "NettyAsyncSocket(" + lifecycle + (current == null ? "" : ", " + current.channel()) + ")";
    }
}
