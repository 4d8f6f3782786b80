package dev.asyncsocket.examples.bench;

import dev.asyncsocket.netty.NettyTransport;
import io.netty.channel.EventLoopGroup;
import io.netty.util.Version;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue 4's side-by-side benchmark: the same workloads ({@link Workload} A to E) through three stacks,
 * {@link dev.asyncsocket.netty.NettyAsyncSocket AsyncSocket}, a hand-written raw Netty pipeline and the JDK's
 * {@code AsynchronousSocketChannel}, on each available transport. One TCP connection per stack over 127.0.0.1, client and peer in this process, one
 * thread a side; the peer is the same plain-Netty server for every stack. For each workload the three stacks'
 * rounds are interleaved (the order rotating each round) so that machine noise hits all alike. Every byte is
 * counted on both sides: a difference, a failed operation or a stuck round ends the run with exit status 1.
 *
 * <p>Usage: {@code SideBySideBenchmark [--quick] [options]}; see {@link Options}. Prints progress while it
 * runs and a markdown table per transport at the end.
 *
 * <p>Threading: the main thread drives everything; each stack has its own client thread and the peers share
 * one thread per transport. Everything is closed before returning, so the JVM exits by itself.
 */
public final class SideBySideBenchmark {

    private SideBySideBenchmark() {
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("usage: SideBySideBenchmark [--quick] [--rounds N] [--round-ms N] [--warmup-ms N]"
                    + " [--transports epoll,nio,io_uring] [--workloads A,B,C,D,E] [--stacks asyncsocket,netty,jdk] [--copy-below N]");
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        startWatchdog(options.timeLimitMillis());
        System.out.printf("side-by-side benchmark: %s%nJava %s, %d cores, Netty %s%n", options,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                Version.identify().get("netty-transport").artifactVersion());
        Report report = new Report(options);
        long started = System.nanoTime();
        try {
            for (NettyTransport transport : options.transports()) {
                runTransport(transport, options, report);
            }
        } catch (Exception | AssertionError e) {
            System.out.flush();
            System.err.println("\nFAILED: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
        System.out.println(report.markdown());
        System.out.printf("finished in %.0f s%n", (System.nanoTime() - started) / 1e9);
    }

    private static void runTransport(NettyTransport transport, Options options, Report report) throws Exception {
        System.out.printf("%n== %s ==%n", transport);
        EventLoopGroup peerGroup = NettyTransports.singleThreadGroup(transport, "bench-peer-" + transport.name().toLowerCase());
        List<Stack> stacks = new ArrayList<>();
        try {
            for (String name : options.stacks()) {
                stacks.add(newStack(name, transport, options.copyBelow()));
            }
            for (Workload workload : options.workloads()) {
                runWorkload(transport, workload, stacks, peerGroup, options, report);
            }
        } finally {
            stacks.forEach(Stack::close);
            NettyTransports.shutDown(peerGroup);
        }
    }

    private static Stack newStack(String name, NettyTransport transport, int copyBelow) {
        switch (name) {
            case "asyncsocket":
                return new AsyncSocketStack(transport, copyBelow);
            case "netty":
                return new RawNettyStack(transport);
            default:
                return new JdkStack();
        }
    }

    private static void runWorkload(NettyTransport transport, Workload workload, List<Stack> stacks,
                                    EventLoopGroup peerGroup, Options options, Report report) throws Exception {
        System.out.printf("%s %s: %s%n", workload, workload.title(), workload.description());
        List<Session> sessions = new ArrayList<>();
        try {
            for (Stack stack : stacks) {
                sessions.add(Session.open(stack, workload, peerGroup, transport));
            }
            for (Session session : sessions) {
                if (options.warmupMillis() > 0) {
                    RoundRunner.run(session, TimeUnit.MILLISECONDS.toNanos(options.warmupMillis()));
                }
            }
            for (int round = 0; round < options.rounds(); round++) {
                System.out.printf("  round %d/%d:", round + 1, options.rounds());
                for (int i = 0; i < sessions.size(); i++) {
                    Session session = sessions.get((round + i) % sessions.size()); // rotate who goes first
                    RoundResult result = RoundRunner.run(session, TimeUnit.MILLISECONDS.toNanos(options.roundMillis()));
                    report.add(transport, workload, session.stack().name(), result);
                    System.out.print("  " + Report.cell(workload, session.stack().name(), result));
                    System.out.flush();
                }
                System.out.println();
            }
            System.out.print(report.workloadSummary(transport, workload));
        } finally {
            sessions.forEach(Session::close);
        }
    }

    /** Ends the JVM if the run takes far longer than it should (a hang the round timeouts did not catch). */
    private static void startWatchdog(long limitMillis) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(limitMillis);
            } catch (InterruptedException e) {
                return;
            }
            System.err.printf("%nFAILED: still running after %d s; giving up%n", limitMillis / 1000);
            Runtime.getRuntime().halt(3);
        }, "bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
