package dev.asyncsocket.netty;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What one {@link NettyAsyncSocket} has done since it was created, over all its opens: sends and receives
 * by result, bytes each way, and the sends still queued. A live view ({@link NettyAsyncSocket#counters()}),
 * read without locks from any thread.
 *
 * <p>Each count only grows, and is exact when read: an operation is counted right before its callback runs,
 * so a callback sees itself counted, and a {@code close()} on a thread that may wait returns with every count
 * final (one inside a callback returns at once: the counts are final once the socket is CLOSED). A send is
 * accepted (counted in {@link #sendsAccepted()}) when {@code sendAsync} returns OK. Values read one after another are
 * not one snapshot: while operations run, {@link #queuedSends()} and {@link #queuedSendBytes()} are momentary
 * (never negative, never more than was accepted), and a sum of counts may mix two moments.
 *
 * <p>Writers: what {@code sendAsync} accepts, any thread, one atomic add for the send and one for its bytes;
 * completions, one thread at a time (the socket's event loop, or the thread that completes what an ended
 * loop left), with release stores that readers' acquire loads pair with.
 */
public final class SocketCounters {

    // VarHandles rather than field updaters: no access check per call, and always intrinsic (a profile of
    // 16 KiB sends showed the updaters' adds as calls of their own).
    private static final VarHandle SENDS_ACCEPTED;
    private static final VarHandle SEND_BYTES_ACCEPTED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SENDS_ACCEPTED = lookup.findVarHandle(SocketCounters.class, "sendsAccepted", long.class);
            SEND_BYTES_ACCEPTED = lookup.findVarHandle(SocketCounters.class, "sendBytesAccepted", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);

    private static final int SENDS = 0;
    private static final int RECEIVES = SENDS + SendResult.values().length;
    private static final int BYTES_SENT = RECEIVES + ReceiveResult.values().length;
    private static final int BYTES_RECEIVED = BYTES_SENT + 1;
    /** The bytes of every send completed, whatever its result: what left the queue. */
    private static final int SEND_BYTES_COMPLETED = BYTES_RECEIVED + 1;

    private volatile long sendsAccepted;
    private volatile long sendBytesAccepted;
    /** The completion side's counts, indexed as above; one writer at a time. */
    private final long[] completed = new long[SEND_BYTES_COMPLETED + 1];

    SocketCounters() {
    }

    /** Sends that {@code sendAsync} accepted (returned OK for). */
    public long sendsAccepted() {
        return sendsAccepted;
    }

    /** The bytes of the sends that {@code sendAsync} accepted. */
    public long sendBytesAccepted() {
        return sendBytesAccepted;
    }

    /** Sends whose callback ran (or is running) with {@code result}. */
    public long sends(SendResult result) {
        return read(SENDS + result.ordinal());
    }

    /** The bytes of the sends that completed OK: written to the socket. Those of failed sends are not counted. */
    public long bytesSent() {
        return read(BYTES_SENT);
    }

    /** Receives whose callback ran (or is running) with {@code result}. */
    public long receives(ReceiveResult result) {
        return read(RECEIVES + result.ordinal());
    }

    /** The bytes handed to receives that completed OK. */
    public long bytesReceived() {
        return read(BYTES_RECEIVED);
    }

    /** Sends accepted whose callback has not run yet: momentary. */
    public long queuedSends() {
        long done = 0; // read first: a completion seen implies its acceptance, read after it
        for (int i = SENDS; i < RECEIVES; i++) {
            done += read(i);
        }
        return sendsAccepted - done;
    }

    /** The bytes of the sends accepted whose callback has not run yet: momentary. */
    public long queuedSendBytes() {
        long done = read(SEND_BYTES_COMPLETED);
        return sendBytesAccepted - done;
    }

    /** Counts a send that {@code sendAsync} accepted; returns the bytes queued now (momentary). Any thread. */
    long sendAccepted(long bytes) {
        SENDS_ACCEPTED.getAndAdd(this, 1L);
        return (long) SEND_BYTES_ACCEPTED.getAndAdd(this, bytes) + bytes - read(SEND_BYTES_COMPLETED);
    }

    /** Counts a send about to call back with {@code result}. */
    void sendCompleted(long bytes, SendResult result) {
        add(SENDS + result.ordinal(), 1);
        if (result == SendResult.OK) {
            add(BYTES_SENT, bytes);
        }
        add(SEND_BYTES_COMPLETED, bytes);
    }

    /** Counts a receive about to call back with {@code result} and {@code bytes}. */
    void receiveCompleted(ReceiveResult result, int bytes) {
        add(RECEIVES + result.ordinal(), 1);
        if (bytes > 0) {
            add(BYTES_RECEIVED, bytes);
        }
    }

    private long read(int index) {
        return (long) COUNT.getAcquire(completed, index);
    }

    /** Single writer: a plain read of its own last store, then a release store. */
    private void add(int index, long delta) {
        COUNT.setRelease(completed, index, (long) COUNT.get(completed, index) + delta);
    }

    @Override
    public String toString() {
        return "SocketCounters(sends accepted " + sendsAccepted() + " (" + sendBytesAccepted() + " bytes), OK "
                + sends(SendResult.OK) + " (" + bytesSent() + " bytes), ERROR " + sends(SendResult.ERROR)
                + ", ABANDONED " + sends(SendResult.ABANDONED) + ", queued " + queuedSends() + " ("
                + queuedSendBytes() + " bytes); receives OK " + receives(ReceiveResult.OK) + " ("
                + bytesReceived() + " bytes), ERROR " + receives(ReceiveResult.ERROR) + ", ABANDONED "
                + receives(ReceiveResult.ABANDONED) + ")";
    }
}
