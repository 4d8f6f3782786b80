package dev.asyncsocket.examples.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one workload on one {@link Client}, round after round, and counts what happened. It sends while it
 * has credit and flushes after each burst; a subclass decides when credit comes back (a completed send when
 * streaming, an echoed message when pipelining) and how many bytes a round must receive. A round ends once
 * it is stopped, every send it issued has completed and every byte it expects has arrived; more than that
 * is a counting error and fails the round.
 *
 * <p>Threading: confined to the client's thread (events, and tasks given to {@link Client#execute}), except
 * {@link #start()} and {@link #stop(long)}, which the round runner calls from its own thread.
 */
abstract class Driver implements ClientEvents {

    /** What one round did, as the client counted it. */
    record Outcome(long startNanos, long lastReceiveNanos, long sendsIssued, long sendsCompleted, long bytesSent,
                   long bytesReceived, Latency latency) {
    }

    private static final long START_TIMEOUT_SECONDS = 10;

    private final Workload workload;
    private Client client;
    /** Set by the runner's thread: issue no more sends. */
    private volatile boolean stopping;
    private CompletableFuture<Outcome> outcome = CompletableFuture.completedFuture(null);
    private Throwable failure;
    private boolean pumping;
    private int credit;
    private long startNanos;
    private long lastReceiveNanos;
    private long sendsIssued;
    private long sendsCompleted;
    private long bytesReceived;
    /** What the peer streamed this round, known once stopped; -1 before. */
    private long peerStreamed;

    Driver(Workload workload) {
        this.workload = workload;
    }

    final void attach(Client client) {
        this.client = client;
    }

    final Workload workload() {
        return workload;
    }

    /**
     * Starts a round and returns once it has begun on the client's thread, so that nothing the peer sends
     * from now on can be counted before the round's counters are reset. Any thread. The future completes
     * when the round has ended after {@link #stop}.
     */
    final CompletableFuture<Outcome> start() throws Exception {
        CompletableFuture<Outcome> round = new CompletableFuture<>();
        CompletableFuture<Void> begun = new CompletableFuture<>();
        stopping = false;
        client.execute(() -> {
            begin(round);
            begun.complete(null);
        });
        begun.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return round;
    }

    /** Ends the round: no more sends; {@code streamed} is what the peer sent this round. Any thread. */
    final void stop(long streamed) {
        stopping = true;
        client.execute(() -> {
            peerStreamed = streamed;
            checkFinished();
        });
    }

    private void begin(CompletableFuture<Outcome> round) {
        outcome = round;
        if (failure != null) {
            round.completeExceptionally(failure);
            return;
        }
        startNanos = System.nanoTime();
        lastReceiveNanos = startNanos;
        sendsIssued = 0;
        sendsCompleted = 0;
        bytesReceived = 0;
        peerStreamed = -1;
        credit = workload.window();
        roundStarted();
        pump();
    }

    @Override
    public final void onSendsCompleted(int sends) {
        sendsCompleted += sends;
        sendsCompleted(sends);
        afterEvent();
    }

    @Override
    public final void onReceived(int bytes) {
        bytesReceived += bytes;
        lastReceiveNanos = System.nanoTime();
        received(bytes);
        afterEvent();
    }

    @Override
    public final void onFailure(Throwable cause) {
        failure = cause;
        outcome.completeExceptionally(cause);
    }

    /** Lets {@code sends} more sends go out. */
    protected final void grant(int sends) {
        credit += sends;
    }

    protected final long sendsIssued() {
        return sendsIssued;
    }

    protected final long bytesReceived() {
        return bytesReceived;
    }

    protected final long lastReceiveNanos() {
        return lastReceiveNanos;
    }

    /** A round begins: reset what the subclass counts. */
    protected void roundStarted() {
    }

    /** Send number {@code index} of the round is about to go out. */
    protected void beforeSend(long index) {
    }

    protected void sendsCompleted(int sends) {
    }

    protected void received(int bytes) {
    }

    /** The bytes the round must receive, given what the peer streamed. */
    protected abstract long expectedReceived(long streamed);

    /** Latency percentiles of the round, or {@code null} if not measured. */
    protected Latency latency() {
        return null;
    }

    private void afterEvent() {
        if (stopping) {
            checkFinished();
        } else {
            pump();
        }
    }

    /** Spends the credit: sends, then one flush per burst. Completions reported inside a flush add credit. */
    private void pump() {
        if (pumping) {
            return; // reported from inside our own flush: the loop below spends the credit
        }
        pumping = true;
        try {
            while (credit > 0 && !stopping) {
                do {
                    credit--;
                    beforeSend(sendsIssued);
                    sendsIssued++;
                    client.send();
                } while (credit > 0 && !stopping);
                client.flush();
            }
        } finally {
            pumping = false;
        }
        if (stopping) {
            checkFinished();
        }
    }

    private void checkFinished() {
        if (outcome.isDone() || peerStreamed < 0) {
            return;
        }
        long expected = expectedReceived(peerStreamed);
        if (sendsCompleted > sendsIssued || bytesReceived > expected) {
            onFailure(new BenchmarkFailure(String.format("%s: %d sends completed of %d issued, %d bytes received of %d",
                    workload, sendsCompleted, sendsIssued, bytesReceived, expected)));
        } else if (sendsCompleted == sendsIssued && bytesReceived == expected) {
            outcome.complete(new Outcome(startNanos, lastReceiveNanos, sendsIssued, sendsCompleted,
                    sendsCompleted * workload.messageBytes(), bytesReceived, latency()));
        }
    }
}
