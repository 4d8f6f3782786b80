package dev.asyncsocket.examples.soak;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.NettyExecutionEngine;
import io.netty.channel.EventLoop;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A socket on the same event loop as the {@link Flood}'s producer, timing round trips from a thread of its own:
 * one byte out to a peer that echoes it, back in a receive, one at a time, a millisecond apart. A round trip that
 * overlaps a burst of the producer is timed apart from the others. The times are reported, not judged; a round
 * trip that never ends is a problem.
 */
final class LoopNeighbour {

    /** Round-trip times of one kind, in nanoseconds. */
    record Latency(long count, long p50, long p99, long worst) {

        static Latency of(Histogram histogram) {
            return new Latency(histogram.getTotalCount(), histogram.getValueAtPercentile(50),
                    histogram.getValueAtPercentile(99), histogram.getMaxValue());
        }

        @Override
        public String toString() {
            return String.format("%,d: p50 %.2f ms, p99 %.2f ms, worst %.2f ms", count, p50 / 1e6, p99 / 1e6, worst / 1e6);
        }
    }

    /** The round trips' times, and how many failed: refused, not OK, or not answered within {@value #ANSWER_SECONDS} s. */
    record Summary(Latency duringBursts, Latency betweenBursts, long failed) {
        static final Summary NONE = new Summary(new Latency(0, 0, 0, 0), new Latency(0, 0, 0, 0), 0);
    }

    private static final long ANSWER_SECONDS = 10;

    private final RaceSoak.SocketRecord record;
    private final Wire wire;
    private final LongSupplier burstPhase;
    private final Closer closer;
    private final Consumer<String> problems;
    private final Histogram duringBursts = new Histogram(3);
    private final Histogram betweenBursts = new Histogram(3);
    private final Thread pinger = new Thread(this::ping, "soak-neighbour");
    private final Thread echo;
    private volatile boolean stopping;
    private volatile long failed;

    private LoopNeighbour(RaceSoak.SocketRecord record, Wire wire, LongSupplier burstPhase, Closer closer,
                          Consumer<String> problems) {
        this.record = record;
        this.wire = wire;
        this.burstPhase = burstPhase;
        this.closer = closer;
        this.problems = problems;
        this.echo = PeerIo.daemon("soak-neighbour-echo", this::echo);
        pinger.setDaemon(true);
    }

    /**
     * A neighbour on {@code wire}, started; null if its open was refused. {@code burstPhase} counts the starts and
     * ends of the producer's bursts: odd while one is under way.
     */
    static LoopNeighbour start(NettyExecutionEngine engine, Wire wire, LongSupplier burstPhase, Closer closer,
                               Consumer<String> problems) {
        RaceSoak.SocketRecord record = RaceSoak.SocketRecord.openOn(engine, wire);
        if (record == null) {
            return null;
        }
        LoopNeighbour neighbour = new LoopNeighbour(record, wire, burstPhase, closer, problems);
        neighbour.echo.start();
        neighbour.pinger.start();
        return neighbour;
    }

    EventLoop loop() {
        return wire.transport().channel().eventLoop();
    }

    RaceSoak.SocketRecord record() {
        return record;
    }

    void stop() throws InterruptedException {
        stopping = true;
        pinger.join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS + 5));
        if (closer.run("close() of the producer's neighbour", record.socket()::close)) {
            record.socket().destroy();
        }
        RaceSoak.quietClose(wire.peer());
        echo.join(2000);
    }

    /** Once stopped. */
    Summary summary() {
        return new Summary(Latency.of(duringBursts), Latency.of(betweenBursts), failed);
    }

    private void ping() {
        ByteBuffer out = ByteBuffer.allocate(1);
        ByteBuffer in = ByteBuffer.allocateDirect(1);
        ReceiveResult[] answer = new ReceiveResult[1];
        while (!stopping) {
            CountDownLatch answered = new CountDownLatch(1);
            out.clear();
            in.clear();
            long phase = burstPhase.getAsLong();
            long started = System.nanoTime();
            OperationLedger.Op receive = record.ledger().newOp();
            OperationLedger.Op send = record.ledger().newOp();
            if (record.socket().receiveAsync(new ByteBuffer[] {in}, (ctx, result, bytes) -> {
                record.ledger().called(ctx);
                answer[0] = result;
                answered.countDown();
            }, receive) != 0) {
                record.ledger().refused(receive);
                fail("a receive was refused");
                return;
            }
            record.ledger().accepted(receive);
            if (record.socket().sendAsync(new ByteBuffer[] {out}, (ctx, result) -> record.ledger().called(ctx), send)
                    != SendSyncResult.OK) {
                record.ledger().refused(send);
                fail("a send was refused");
                return;
            }
            record.ledger().accepted(send);
            if (!await(answered)) {
                fail("no answer within " + ANSWER_SECONDS + " s" + (overlappedABurst(phase) ? ", during a burst" : ""));
                return;
            }
            long took = System.nanoTime() - started;
            if (answer[0] != ReceiveResult.OK) {
                fail("a round trip ended " + answer[0]);
                return;
            }
            (overlappedABurst(phase) ? duringBursts : betweenBursts).recordValue(took);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Stops the round trips: they are over. */
    private void fail(String why) {
        failed++;
        problems.accept("the producer's neighbour: " + why);
    }

    /** Whether a burst was under way at some time since the phase was {@code startPhase}. */
    private boolean overlappedABurst(long startPhase) {
        return startPhase % 2 == 1 || burstPhase.getAsLong() != startPhase;
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(ANSWER_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void echo() {
        try {
            wire.peer().setTcpNoDelay(true);
            InputStream in = wire.peer().getInputStream();
            OutputStream out = wire.peer().getOutputStream();
            for (int b; (b = in.read()) >= 0; ) {
                out.write(b);
            }
        } catch (IOException e) {
            // closed at the end
        }
    }
}
