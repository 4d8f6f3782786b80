package dev.asyncsocket.examples.soak;

import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketTransport;
import dev.asyncsocket.netty.NettyTransport;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The soak's share of proxies: a few {@link ProxyPair}s at a time, each renewed as it ends, under a watchdog.
 *
 * <p>The pairs run on an engine of their own (two event loops), so that a deadlock of its loops, two callbacks
 * each blocked ending the leg that the other one's loop runs, stops only them. The watchdog reports a pair that
 * had no callback for {@value #STUCK_SECONDS} s, with the stacks of the threads stuck ending its legs, leaves
 * that engine behind and goes on with a fresh one; the rest of the soak still ends normally.
 */
final class Proxies {

    /**
     * What the proxies did, and whether every check held. A mutual close is a pair whose legs were each ended from a
     * callback of the other; overlapping ends, one where both end calls ran at the same time (the deadlock's window).
     * A stream is checked whole where nothing cut its relay short, else as a prefix of what its writer sent.
     */
    record Summary(int atOnce, long pairs, long ended, long setupFailures, long stuck, long deadlocks,
                   long enginesLeft, long bytesRelayed, long mutualCloses, long overlappingEnds, long closes,
                   long destroys, long wholeStreams, long prefixStreams, long brokenStreams) {

        /** No pair got stuck, and every relayed stream arrived intact. */
        boolean passed() {
            return stuck == 0 && brokenStreams == 0;
        }

        void print(PrintStream out) {
            out.printf("proxies         pairs %,d (%d at a time): ended %,d, setup failures %d, stuck %d (engines left"
                            + " behind %d, of them deadlocked %d); mutual closes %,d, overlapping %,d; legs ended by"
                            + " close %,d, by destroy %,d%n", pairs, atOnce, ended, setupFailures, stuck, enginesLeft,
                    deadlocks, mutualCloses, overlappingEnds, closes, destroys);
            out.printf("relay           bytes relayed %,d; streams checked whole %,d, as a prefix %,d, broken %d%n",
                    bytesRelayed, wholeStreams, prefixStreams, brokenStreams);
        }
    }

    static final long STUCK_SECONDS = 5;
    private static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(STUCK_SECONDS);
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final NettyTransport transport;
    private final Random setupRandom;
    private final Consumer<String> problems;
    private final ProxyPair[] slots;
    private final List<RaceSoak.SocketRecord> records = new ArrayList<>();
    private final Thread supervisor = new Thread(this::supervise, "soak-proxies");
    private volatile boolean stopping;
    private ServerSocket server;
    /** Where new pairs go; null until the first one, and after a stuck pair left it behind. Supervisor only. */
    private NettyExecutionEngine engine;
    private int nextId;

    private final LongAdder pairs = new LongAdder();
    private final LongAdder ended = new LongAdder();
    private final LongAdder setupFailures = new LongAdder();
    private final LongAdder stuck = new LongAdder();
    private final LongAdder deadlocks = new LongAdder();
    private final LongAdder enginesLeft = new LongAdder();
    private final LongAdder bytesRelayed = new LongAdder();
    private final LongAdder mutualCloses = new LongAdder();
    private final LongAdder overlappingEnds = new LongAdder();
    private final LongAdder closes = new LongAdder();
    private final LongAdder destroys = new LongAdder();
    private final LongAdder wholeStreams = new LongAdder();
    private final LongAdder prefixStreams = new LongAdder();
    private final LongAdder brokenStreams = new LongAdder();

    Proxies(int atOnce, NettyTransport transport, long seed, Consumer<String> problems) {
        this.slots = new ProxyPair[atOnce];
        this.transport = transport;
        this.setupRandom = new Random(seed);
        this.problems = problems;
    }

    void start() throws IOException {
        if (slots.length == 0) {
            return;
        }
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setSoTimeout(2000);
        supervisor.setDaemon(true);
        supervisor.start();
    }

    /** Lets the pairs that run end (or get reported stuck), then shuts the engine down. Bounded. */
    void stop() throws InterruptedException {
        stopping = true;
        if (slots.length == 0) {
            return;
        }
        supervisor.join(TimeUnit.SECONDS.toMillis(STUCK_SECONDS + 20));
        if (supervisor.isAlive()) {
            problems.accept("the proxies' supervisor is stuck:\n" + RaceSoak.stackOf(supervisor));
            return;
        }
        RaceSoak.quietClose(server);
        if (engine != null) {
            engine.decRef();
            if (!engine.eventLoopGroup().awaitTermination(15, TimeUnit.SECONDS)) {
                problems.accept("the proxies' engine did not terminate");
            }
        }
    }

    /** Every socket the pairs used, for the exactly-once books. */
    List<RaceSoak.SocketRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    long pairsSoFar() {
        return pairs.sum();
    }

    Summary summary() {
        return new Summary(slots.length, pairs.sum(), ended.sum(), setupFailures.sum(), stuck.sum(), deadlocks.sum(),
                enginesLeft.sum(), bytesRelayed.sum(), mutualCloses.sum(), overlappingEnds.sum(), closes.sum(),
                destroys.sum(), wholeStreams.sum(), prefixStreams.sum(), brokenStreams.sum());
    }

    // ------------------------------------------------------------------------------------ the supervisor

    /** Starts pairs into free slots, concludes the pairs that ended, reports the stuck ones; until stopped and idle. */
    private void supervise() {
        while (!stopping || live() > 0) {
            for (int i = 0; i < slots.length; i++) {
                ProxyPair pair = slots[i];
                if (pair == null) {
                    slots[i] = stopping ? null : startPair();
                } else if (pair.finished(DRAIN_NANOS)) {
                    conclude(pair);
                    slots[i] = null;
                } else if (!pair.legsClosed() && pair.idleNanos() > STUCK_NANOS) {
                    reportStuck(pair);
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private long live() {
        return Arrays.stream(slots).filter(Objects::nonNull).count();
    }

    private ProxyPair startPair() {
        if (engine == null) {
            engine = NettyExecutionEngine.create(transport, 2);
        }
        Random random = new Random(setupRandom.nextLong());
        int id = nextId++;
        Wire toA = connect();
        Wire toB = toA == null ? null : connectOnAnotherLoop(toA);
        if (toB == null) {
            setupFailures.increment();
            close(toA);
            return null;
        }
        ProxyPair pair = new ProxyPair(id, engine, random, toA, toB);
        synchronized (records) {
            records.addAll(pair.records());
        }
        if (!pair.start()) {
            setupFailures.increment();
            return null;
        }
        pairs.increment();
        return pair;
    }

    /** A second connection whose channel is on another event loop than {@code first}'s, or null. */
    private Wire connectOnAnotherLoop(Wire first) {
        for (int attempt = 0; attempt < 4; attempt++) {
            Wire wire = connect();
            if (wire == null || wire.transport().channel().eventLoop() != first.transport().channel().eventLoop()) {
                return wire;
            }
            close(wire);
        }
        problems.accept("proxy: four connections in a row landed on the same event loop");
        return null;
    }

    /** A connection made by the engine, with the peer socket the server accepted for it; null on failure. */
    private Wire connect() {
        NettySocketTransport transport = NettySocketTransport.connect(engine, "127.0.0.1", server.getLocalPort(), 1000);
        if (transport == null) {
            return null;
        }
        try {
            int port = ((InetSocketAddress) transport.channel().localAddress()).getPort();
            for (int strays = 0; strays < 8; strays++) {
                Socket peer = server.accept();
                if (peer.getPort() == port) {
                    return new Wire(transport, peer);
                }
                RaceSoak.quietClose(peer); // made by the kernel for a connect that timed out on a blocked loop
            }
            throw new IOException("did not accept the connection just made");
        } catch (IOException e) {
            problems.accept("proxy connection setup failed: " + e);
            transport.channel().close();
            return null;
        }
    }

    private static void close(Wire wire) {
        if (wire != null) {
            wire.close();
        }
    }

    private void conclude(ProxyPair pair) {
        pair.closePeers();
        ProxyPair.Verdict verdict = pair.finish();
        ended.increment();
        bytesRelayed.add(verdict.bytesRelayed());
        wholeStreams.add(verdict.wholeStreams());
        prefixStreams.add(verdict.prefixStreams());
        brokenStreams.add(verdict.brokenStreams().size());
        verdict.brokenStreams().forEach(problems);
        if (verdict.mutualClose()) {
            mutualCloses.increment();
        }
        if (verdict.overlappingEnds()) {
            overlappingEnds.increment();
        }
        destroys.add(verdict.destroys());
        closes.add(2 - verdict.destroys());
    }

    /**
     * Reports a pair with no callback for a while, and leaves its engine behind (its sockets cannot be destroyed):
     * new pairs get a fresh one. If a thread is stuck ending a leg of any pair on that engine, that is one of the
     * engine's event loops, and every pair on it is stopped: they are reported together, with the deadlock if the
     * blocked loops wait for each other.
     */
    private void reportStuck(ProxyPair pair) {
        List<ProxyPair> onEngine = Arrays.stream(slots)
                .filter(other -> other != null && other.engine == pair.engine && !other.legsClosed()).toList();
        List<ProxyPair.Wait> waits = onEngine.stream().flatMap(each -> each.waits().stream()).toList();
        List<ProxyPair> stopped = waits.isEmpty() ? List.of(pair) : onEngine;
        List<ProxyPair.Wait> cycle = cycle(waits);
        String deadlock = cycle.isEmpty() ? "" : cycle.stream()
                .map(wait -> wait.thread().getName() + " in " + wait.call() + " waits for " + wait.loop().getName())
                .collect(Collectors.joining(", ", "deadlock of event loops ending each other's sockets: ", "\n"));
        problems.accept(stopped.stream().map(ProxyPair::describeStuck)
                .collect(Collectors.joining("\n", "proxy pairs stuck on one engine, left behind: " + deadlock, "")));
        if (!cycle.isEmpty()) {
            deadlocks.increment();
        }
        if (engine == pair.engine) {
            engine = null;
            enginesLeft.increment();
        }
        for (ProxyPair each : stopped) {
            stuck.increment();
            each.closePeers();
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] == each) {
                    slots[i] = null;
                }
            }
        }
    }

    /** Waits that form a cycle, each thread waiting for the next one's loop (a deadlock); empty if none do. */
    private static List<ProxyPair.Wait> cycle(List<ProxyPair.Wait> waits) {
        Map<Thread, ProxyPair.Wait> byThread = new HashMap<>();
        waits.forEach(wait -> byThread.put(wait.thread(), wait));
        for (ProxyPair.Wait start : waits) {
            List<ProxyPair.Wait> path = new ArrayList<>(List.of(start));
            for (ProxyPair.Wait next = byThread.get(start.loop()); next != null && path.size() <= waits.size();
                 next = byThread.get(next.loop())) {
                if (next == start) {
                    return path;
                }
                path.add(next);
            }
        }
        return List.of();
    }
}
