package dev.asyncsocket.examples.bench;

import java.lang.management.ManagementFactory;
import com.sun.management.ThreadMXBean;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one round of a session and checks its counts: starts the driver (and the peer's stream), lets it
 * run for the round's time, stops it, waits until every byte sent has arrived on the other side, and fails
 * if the client's and the peer's counts differ in either direction. The rate is the work done over the time
 * from the start to the last byte's arrival (at the peer when the client only sends); the client thread's CPU
 * time and allocation are measured over the same round. Stateless; runs on the main thread, every wait bounded.
 */
final class RoundRunner {

    private static final long DRAIN_TIMEOUT_SECONDS = 10;
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    private RoundRunner() {
    }

    static RoundResult run(Session session, long roundNanos) {
        Workload workload = session.workload();
        Peer peer = session.peer();
        boolean streams = workload.peerMode() == Workload.PeerMode.STREAM;
        PeerConnection.Counters before = peer.counters();
        Thread clientThread = session.stack().clientThread();
        long cpuBefore = THREADS.getThreadCpuTime(clientThread.getId());
        long userCpuBefore = THREADS.getThreadUserTime(clientThread.getId());
        long allocatedBefore = THREADS.getThreadAllocatedBytes(clientThread.getId());

        CompletableFuture<Driver.Outcome> round = start(session);
        if (streams) {
            peer.startStreaming();
        }
        sleep(roundNanos);
        long streamed = streams ? peer.stopStreaming() - before.bytesOut() : 0;
        session.driver().stop(streamed);

        Driver.Outcome outcome = await(round, session);
        PeerConnection.Counters after = peer.awaitBytesIn(before.bytesIn() + outcome.bytesSent());
        long cpu = THREADS.getThreadCpuTime(clientThread.getId()) - cpuBefore;
        long userCpu = THREADS.getThreadUserTime(clientThread.getId()) - userCpuBefore;
        long allocated = THREADS.getThreadAllocatedBytes(clientThread.getId()) - allocatedBefore;
        check(session, "bytes the client sent / the peer read", outcome.bytesSent(), after.bytesIn() - before.bytesIn());
        check(session, "bytes the peer sent / the client received", after.bytesOut() - before.bytesOut(),
                outcome.bytesReceived());
        long units = workload.units(outcome);
        if (units <= 0) {
            throw new BenchmarkFailure(session.stack().name() + " " + workload + ": no progress in a round");
        }
        long end = workload.endsAtPeer() ? after.lastReadNanos() : outcome.lastReceiveNanos();
        return new RoundResult(workload.unit().rate(units, end - outcome.startNanos()),
                workload.unit().cpuPerUnit(units, cpu), workload.unit().cpuPerUnit(units, userCpu),
                workload.unit().perUnit(units, allocated), outcome.latency());
    }

    private static CompletableFuture<Driver.Outcome> start(Session session) {
        try {
            return session.driver().start();
        } catch (Exception e) {
            throw new BenchmarkFailure(describe(session) + " did not start", e);
        }
    }

    private static Driver.Outcome await(CompletableFuture<Driver.Outcome> round, Session session) {
        try {
            return round.get(DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new BenchmarkFailure(describe(session) + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new BenchmarkFailure(describe(session) + " did not drain within " + DRAIN_TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchmarkFailure("interrupted", e);
        }
    }

    private static void check(Session session, String what, long expected, long actual) {
        if (expected != actual) {
            throw new BenchmarkFailure(String.format("%s: COUNT MISMATCH, %s: %d / %d", describe(session), what,
                    expected, actual));
        }
    }

    private static String describe(Session session) {
        return session.stack().name() + ", workload " + session.workload();
    }

    private static void sleep(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchmarkFailure("interrupted", e);
        }
    }
}
