package dev.asyncsocket.examples.soak;

import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.SocketState;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettyTransport;

import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;

/**
 * A randomized race soak of {@link NettyAsyncSocket}: many sockets, and several threads issuing sends,
 * receives, closes and destroys on them in random order, against live blocking peers that also stream,
 * half-close, reset and close at random. Callbacks join in: some send or receive again, close or destroy
 * from inside. Connections are renewed as they end, alternately connected by the socket and accepted.
 *
 * <p>At the end it checks, and prints: every accepted operation had exactly one callback and no refused
 * one had any (counted per socket); every frame a send reported OK reached a peer that read to a clean end,
 * whole, in order, exactly once; every byte a peer wrote before its FIN reached the socket; nothing was
 * corrupted; no event-loop thread is left; no ByteBuf leaked (Netty's leak detector, PARANOID).
 *
 * <p>Alongside, a few {@link ProxyPair proxy pairs} relay between two peers each and end each other's socket
 * from their callbacks (see {@link Proxies}); their operations are in the same exactly-once books. So are those of
 * the hostile callers: a {@link HostileCaller} that changes arrays and bounds while it calls (on links of its own,
 * and now and then on the checked ones, where what it does leaves the bytes checkable), callbacks that throw once
 * their bookkeeping is done ({@link CallbackThrows}; the library's log of them is counted, see {@link LibraryLog}),
 * and a producer that outruns its event loop in bursts, beside a neighbour timing round trips on that loop
 * ({@link Flood}). Every blocking close and destroy is bounded ({@link Closer}): one that does not return is a
 * problem, not a hung soak.
 *
 * <p>Usage: {@code RaceSoak [--seconds 30] [--seed N] [--sockets 16] [--threads 4] [--proxies 3]
 * [--transport EPOLL] [--progress 5] [--early-peers true] [--direct-send-limits false]}. The arguments may also
 * come as one string (Maven's {@code -Dexample.args}). The seed fixes every thread's sequence of choices and every peer's plan; how the threads
 * interleave still varies from run to run, so a replay with the same seed repeats the same mix, not the same schedule.
 */
public final class RaceSoak {

    /**
     * What to run. With {@code directSendLimits}, the hostile caller also moves the limit of its sends' direct
     * buffers while it calls. Such a send, accepted, may fail, leak a buffer and, on io_uring, throw in the event
     * loop, because the library's view of a direct buffer bounds-checks against its limit at write time: off until
     * that is fixed, on to replay it.
     */
    public record Options(long seconds, long seed, int sockets, int threads, int proxies, NettyTransport transport,
                          long progressSeconds, boolean earlyPeers, boolean directSendLimits, PrintStream out) {

        public static Options parse(String[] args, PrintStream out) {
            long seconds = 30;
            long seed = System.nanoTime();
            int sockets = 16;
            int threads = 4;
            int proxies = 3;
            NettyTransport transport = NettyTransport.best();
            long progress = 5;
            boolean earlyPeers = true;
            boolean directSendLimits = false;
            String[] words = String.join(" ", args).trim().split("\\s+");
            for (int i = 0; i + 1 < words.length; i += 2) {
                String value = words[i + 1];
                switch (words[i]) {
                    case "--seconds": seconds = Long.parseLong(value); break;
                    case "--seed": seed = Long.parseLong(value); break;
                    case "--sockets": sockets = Integer.parseInt(value); break;
                    case "--threads": threads = Integer.parseInt(value); break;
                    case "--proxies": proxies = Integer.parseInt(value); break;
                    case "--transport": transport = NettyTransport.valueOf(value.toUpperCase()); break;
                    case "--progress": progress = Long.parseLong(value); break;
                    case "--early-peers": earlyPeers = Boolean.parseBoolean(value); break;
                    case "--direct-send-limits": directSendLimits = Boolean.parseBoolean(value); break;
                    default: throw new IllegalArgumentException("unknown option " + words[i]);
                }
            }
            return new Options(seconds, seed, sockets, threads, proxies, transport, progress, earlyPeers, directSendLimits, out);
        }
    }

    /** What happened, and whether every check held. */
    public record Summary(long seed, NettyTransport transport, double seconds, long operations,
                          Map<String, Long> results, long accepted, long completed, long lostCallbacks,
                          long duplicateCallbacks, long callbacksOnRefused, long links, long linksCheckedOut,
                          long linksCheckedIn, long lostFrames, long lostBytes, long corrupt, long orderViolations,
                          long unexplainedEnds, List<String> problems, long leaks, int threadsLeft,
                          long peakHeapBytes, long heapAfterGcBytes, long peakDirectBytes, long peakNettyDirectBytes,
                          Proxies.Summary proxies, HostileCaller.Summary hostile, CallbackThrows.Summary callbackThrows,
                          LibraryLog.Summary libraryLog, Flood.Summary flood, Closer.Summary closes) {

        /**
         * Every accepted operation called back once, nothing lost or garbled, nothing left running or leaked; every
         * blocking close returned, every throw from a callback was logged and nothing else was.
         */
        public boolean passed() {
            return lostCallbacks == 0 && duplicateCallbacks == 0 && callbacksOnRefused == 0 && lostFrames == 0
                    && lostBytes == 0 && corrupt == 0 && orderViolations == 0 && unexplainedEnds == 0
                    && leaks <= 0 && threadsLeft == 0 && proxies.passed() && hostile.passed() && callbackThrows.passed()
                    && libraryLog.passed() && flood.passed() && closes.passed();
        }

        public long lost() {
            return lostCallbacks + lostFrames + lostBytes;
        }

        public void print(PrintStream out) {
            out.printf("== RaceSoak summary: seed %d, %s, %.1f s ==%n", seed, transport, seconds);
            out.printf("operations      %,d (%,.0f/s): %s%n", operations, operations / seconds,
                    results.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
            out.printf("exactly once    accepted %,d, completed %,d, lost callbacks %d, duplicates %d, callbacks on refused calls %d%n",
                    accepted, completed, lostCallbacks, duplicateCallbacks, callbacksOnRefused);
            out.printf("bytes           links %,d; checked socket->peer on %,d, peer->socket on %,d; lost frames %d, lost bytes %d, corrupt %d, out of order %d, unexplained ends %d%n",
                    links, linksCheckedOut, linksCheckedIn, lostFrames, lostBytes, corrupt, orderViolations, unexplainedEnds);
            proxies.print(out);
            hostile.print(out);
            callbackThrows.print(out);
            flood.print(out);
            closes.print(out);
            libraryLog.print(out);
            out.printf("lost = %d%n", lost());
            out.printf("hygiene         leaked ByteBufs %s (leak detection %s), event-loop threads left %d%n",
                    leaks < 0 ? "checked by the host's leak detector" : String.valueOf(leaks),
                    io.netty.util.ResourceLeakDetector.getLevel(), threadsLeft);
            out.printf("memory          peak heap %.1f MiB (in use at the end, after GC: %.1f MiB), peak direct (JDK buffer pool)"
                            + " %.1f MiB, peak Netty direct %.1f MiB%n", peakHeapBytes / 1048576.0, heapAfterGcBytes / 1048576.0,
                    peakDirectBytes / 1048576.0, peakNettyDirectBytes / 1048576.0);
            problems.stream().limit(20).forEach(p -> out.println("problem: " + p));
            out.println(passed() ? "PASSED" : "FAILED (seed " + seed + "): replay with --seed " + seed);
        }
    }

    private static final int MAX_SENDS_IN_FLIGHT = 16;
    private static final int MAX_RECEIVES_IN_FLIGHT = 4;
    private static final int POOLED_DIRECT = 64 * 1024;
    private static final int MAX_POOLED = 256;
    /** Few enough that the library's log of them stays small. */
    private static final int CALLBACKS_PER_THROW = 250;

    private final Options options;
    private final PrintStream out;
    private final NettyExecutionEngine engine;
    private final Slot[] slots;
    private final List<SocketRecord> sockets = new ArrayList<>();
    private final List<Link> links = new ArrayList<>();
    private final ConcurrentLinkedQueue<Link> retired = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ByteBuffer> directPool = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pooled = new AtomicInteger();
    private final AtomicInteger nextLinkId = new AtomicInteger();
    private final Counters counters = new Counters();
    private final Proxies proxies;
    private final Closer closer = new Closer(10, this::problem);
    private final CallbackThrows callbackThrows = new CallbackThrows(CALLBACKS_PER_THROW);
    private final Random setupRandom;
    private Connector connector;
    private HostileCaller hostile;
    private Flood flood;
    private volatile boolean stopping;
    private final AtomicLong peakHeap = new AtomicLong();
    private final AtomicLong peakDirect = new AtomicLong();
    private final AtomicLong peakNettyDirect = new AtomicLong();

    /** One socket ever created, with its own books. */
    record SocketRecord(NettyAsyncSocket socket, OperationLedger ledger) {

        /**
         * A fresh socket opened on {@code wire}, the open in its books; null if the open was refused (then the socket
         * is destroyed and the wire closed).
         */
        static SocketRecord openOn(NettyExecutionEngine engine, Wire wire) {
            SocketRecord record = new SocketRecord(NettyAsyncSocket.create(engine), new OperationLedger());
            OperationLedger.Op op = record.ledger().newOp();
            if (record.socket().openAsync(wire.transport(), (ctx, result) -> record.ledger().called(ctx), op) != 0) {
                record.ledger().refused(op);
                record.socket().destroy();
                wire.close();
                return null;
            }
            record.ledger().accepted(op);
            return record;
        }
    }

    /** A place for one socket at a time: its current socket, connection and the lock that renews them. */
    private static final class Slot {
        /** Read-held by every operation on the slot's socket; write-held while the socket or link is renewed. */
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        volatile SocketRecord record;
        volatile Link link;
        volatile boolean destroyed;
    }

    /** Results by kind. */
    private static final class Counters {
        final EnumCounts<OpenResult> open = new EnumCounts<>(OpenResult.class);
        final EnumCounts<SendSyncResult> sendCalls = new EnumCounts<>(SendSyncResult.class);
        final EnumCounts<SendResult> sendResults = new EnumCounts<>(SendResult.class);
        final LongAdder receiveAccepted = new LongAdder();
        final LongAdder receiveRefused = new LongAdder();
        final EnumCounts<ReceiveResult> receiveResults = new EnumCounts<>(ReceiveResult.class);
        final LongAdder openRefused = new LongAdder();
        final LongAdder closes = new LongAdder();
        final LongAdder destroys = new LongAdder();
        final LongAdder callbackCloses = new LongAdder();
        final LongAdder callbackDestroys = new LongAdder();
        final LongAdder callbackOps = new LongAdder();
        final LongAdder badInputs = new LongAdder();
        final LongAdder badInputAccepted = new LongAdder();
        final LongAdder peerResets = new LongAdder();
        final LongAdder peerCloses = new LongAdder();
        final LongAdder setupFailures = new LongAdder();
        final LongAdder bytesSentOk = new LongAdder();
        final LongAdder bytesReceived = new LongAdder();

        long operations() {
            long sum = sendCalls.total()
                    + receiveAccepted.sum() + receiveRefused.sum()
                    + open.total() + openRefused.sum()
                    + closes.sum() + destroys.sum() + callbackCloses.sum() + callbackDestroys.sum() + badInputs.sum();
            return sum;
        }

        Map<String, Long> results() {
            Map<String, Long> map = new java.util.LinkedHashMap<>();
            open.snapshot().forEach((k, v) -> map.put("open " + k, v));
            map.put("open refused", openRefused.sum());
            sendCalls.snapshot().forEach((k, v) -> map.put("sendAsync " + k, v));
            sendResults.snapshot().forEach((k, v) -> map.put("send " + k, v));
            map.put("receiveAsync accepted", receiveAccepted.sum());
            map.put("receiveAsync refused", receiveRefused.sum());
            receiveResults.snapshot().forEach((k, v) -> map.put("receive " + k, v));
            map.put("close", closes.sum());
            map.put("close in callback", callbackCloses.sum());
            map.put("destroy", destroys.sum());
            map.put("destroy in callback", callbackDestroys.sum());
            map.put("ops from callbacks", callbackOps.sum());
            map.put("bad input (all refused)", badInputs.sum());
            map.put("peer reset", peerResets.sum());
            map.put("peer close", peerCloses.sum());
            map.put("setup failures", setupFailures.sum());
            map.put("bytes sent OK", bytesSentOk.sum());
            map.put("bytes received", bytesReceived.sum());
            return map;
        }
    }

    private RaceSoak(Options options) {
        this.options = options;
        this.out = options.out();
        this.engine = NettyExecutionEngine.create(options.transport(), 2);
        if (engine == null) {
            throw new IllegalArgumentException(options.transport() + " is not available here");
        }
        this.slots = new Slot[options.sockets()];
        this.setupRandom = new Random(options.seed());
        this.proxies = new Proxies(options.proxies(), options.transport(), options.seed() - 1, this::problem); // a sequence of its own
    }

    public static void main(String[] args) throws Exception {
        boolean ownLeakDetector = SoakLeakDetector.installIfNoneConfigured();
        Options options = Options.parse(args, System.out);
        Summary summary = run(options);
        if (!ownLeakDetector) {
            System.out.println("(a leak detector was configured by the host; its reports are not counted here)");
        }
        System.exit(summary.passed() ? 0 : 1);
    }

    /** Runs the soak and prints progress and the summary to {@code options.out()}. */
    public static Summary run(Options options) throws Exception {
        options.out().printf("RaceSoak: seed %d, %d s, %d sockets, %d threads, %d proxy pairs, %s (replay with --seed %d)%n",
                options.seed(), options.seconds(), options.sockets(), options.threads(), options.proxies(),
                options.transport(), options.seed());
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        RaceSoak soak = new RaceSoak(options);
        LibraryLog libraryLog = new LibraryLog(soak.callbackThrows, soak::aboutHostileSocket, soak::problem);
        libraryLog.install();
        Summary summary;
        try {
            summary = soak.runAndCheck(before, libraryLog);
        } finally {
            libraryLog.uninstall();
        }
        summary.print(options.out());
        return summary;
    }

    private boolean aboutHostileSocket(String message) {
        HostileCaller caller = hostile;
        return caller != null && caller.mentionsItsChannel(message);
    }

    private Summary runAndCheck(Set<Thread> threadsBefore, LibraryLog libraryLog) throws Exception {
        long started = System.nanoTime();
        connector = new Connector(engine, this::problem);
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot();
            slots[i].record = newSocket();
            renew(slots[i]);
        }
        proxies.start();
        // Sequences of their own, as the proxies have.
        hostile = new HostileCaller(engine, connector, closer, options.seed() - 2, options.directSendLimits(), this::problem);
        hostile.start();
        flood = new Flood(engine, connector, closer, options.seed() - 3, this::problem);
        flood.start();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < options.threads(); i++) {
            Random random = new Random(options.seed() + 1000L * (i + 1));
            Thread worker = new Thread(() -> work(random), "soak-worker-" + i);
            workers.add(worker);
            worker.start();
        }
        long deadline = started + TimeUnit.SECONDS.toNanos(options.seconds());
        long nextProgress = started + TimeUnit.SECONDS.toNanos(options.progressSeconds());
        while (System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100); // the soak's own pace: sample memory ten times a second
            sampleMemory();
            closeLongRetiredPeers();
            if (System.nanoTime() >= nextProgress) {
                nextProgress += TimeUnit.SECONDS.toNanos(options.progressSeconds());
                progress(started);
            }
        }
        stopping = true;
        for (Thread worker : workers) {
            worker.join(TimeUnit.SECONDS.toMillis(60));
            if (worker.isAlive()) {
                throw new IllegalStateException(worker.getName() + " is stuck:\n" + stackOf(worker));
            }
        }
        proxies.stop();
        hostile.stop();
        flood.stop();
        List<String> problems = new ArrayList<>();
        tearDown(problems);
        double seconds = (System.nanoTime() - started) / 1e9;
        return check(threadsBefore, seconds, problems, libraryLog);
    }

    // ---------------------------------------------------------------------------------------------- the workers

    private void work(Random random) {
        while (!stopping) {
            Slot slot = slots[random.nextInt(slots.length)];
            int roll = random.nextInt(10_000);
            if (roll < 4_500) {
                withSlot(slot, (record, link) -> send(slot, record, link, random, false));
            } else if (roll < 8_900) {
                withSlot(slot, (record, link) -> receive(slot, record, link, random, false));
            } else if (roll < 8_950) {
                withSlot(slot, (record, link) -> {
                    link.closeRequested = true;
                    counters.closes.increment();
                    closer.run("close() of link " + link.id, record.socket()::close);
                });
            } else if (roll < 8_975) {
                withSlot(slot, (record, link) -> {
                    link.closeRequested = true;
                    slot.destroyed = true;
                    counters.destroys.increment();
                    closer.run("destroy() of link " + link.id, record.socket()::destroy);
                });
            } else if (roll < 8_995) {
                withSlot(slot, (record, link) -> {
                    counters.peerResets.increment();
                    link.resetPeer();
                });
            } else if (roll < 9_005) {
                withSlot(slot, (record, link) -> {
                    counters.peerCloses.increment();
                    link.peerClosed = true;
                    link.closePeer();
                });
            } else if (roll < 9_100) {
                withSlot(slot, (record, link) -> badInput(record, random));
            } else {
                renew(slot);
            }
        }
    }

    private interface SlotAction {
        void run(SocketRecord record, Link link);
    }

    private void withSlot(Slot slot, SlotAction action) {
        slot.lock.readLock().lock();
        try {
            Link link = slot.link;
            if (link != null) {
                action.run(slot.record, link);
            }
        } finally {
            slot.lock.readLock().unlock();
        }
    }

    /** The context of one send: which socket's books, which link, which frame, which pooled buffers. */
    private record SendContext(Slot slot, SocketRecord record, Link link, int seq, int length, List<ByteBuffer> pooled) {
    }

    private void send(Slot slot, SocketRecord record, Link link, Random random, boolean fromCallback) {
        if (link.sendsInFlight.get() >= MAX_SENDS_IN_FLIGHT) {
            Thread.onSpinWait();
            return;
        }
        int seq = link.nextSendSeq.getAndIncrement();
        byte[] frame = Frames.frame(link.id, seq, random);
        List<ByteBuffer> pooledBuffers = new ArrayList<>(0);
        ByteBuffer[] payload = split(frame, random, pooledBuffers);
        OperationLedger.Op op = new OperationLedger.Op(new SendContext(slot, record, link, seq, frame.length, pooledBuffers));
        link.sendsInFlight.incrementAndGet();
        if (fromCallback) {
            counters.callbackOps.increment();
        }
        SendSyncResult verdict = hostile.send(payload, random, array -> record.socket().sendAsync(array, this::sent, op));
        counters.sendCalls.increment(verdict);
        if (verdict == SendSyncResult.OK) {
            record.ledger().accepted(op);
        } else {
            record.ledger().refused(op);
            link.sendsInFlight.decrementAndGet();
            pooledBuffers.forEach(this::giveBack);
        }
    }

    private void sent(OperationLedger.Op op, SendResult result) {
        SendContext context = (SendContext) op.attachment;
        if (!context.record().ledger().called(op)) {
            return;
        }
        counters.sendResults.increment(result);
        Link link = context.link();
        if (result == SendResult.OK) {
            link.okSends.add(context.seq());
            counters.bytesSentOk.add(context.length());
        }
        link.sendsInFlight.decrementAndGet();
        context.pooled().forEach(this::giveBack);
        inCallback(context.slot(), context.record(), link, result == SendResult.OK);
        callbackThrows.maybeThrow(CallbackThrows.Callback.SEND);
    }

    /** The context of one receive: its buffers and where each started. */
    private record ReceiveContext(Slot slot, SocketRecord record, Link link, ByteBuffer[] buffers, int[] starts,
                                  List<ByteBuffer> pooled) {
    }

    private void receive(Slot slot, SocketRecord record, Link link, Random random, boolean fromCallback) {
        if (link.receivesInFlight.get() >= MAX_RECEIVES_IN_FLIGHT) {
            Thread.onSpinWait();
            return;
        }
        int count = 1 + random.nextInt(3);
        ByteBuffer[] buffers = new ByteBuffer[count];
        int[] starts = new int[count];
        List<ByteBuffer> pooledBuffers = new ArrayList<>(0);
        for (int i = 0; i < count; i++) {
            int size = 1 + random.nextInt(random.nextBoolean() ? 512 : 32 * 1024);
            int offset = random.nextInt(4);
            ByteBuffer buffer;
            if (random.nextBoolean()) {
                buffer = takeDirect();
                pooledBuffers.add(buffer);
                buffer.limit(offset + size);
            } else {
                buffer = ByteBuffer.allocate(offset + size);
            }
            buffer.position(offset);
            buffers[i] = buffer;
            starts[i] = offset;
        }
        OperationLedger.Op op = new OperationLedger.Op(new ReceiveContext(slot, record, link, buffers, starts, pooledBuffers));
        link.receivesInFlight.incrementAndGet();
        if (fromCallback) {
            counters.callbackOps.increment();
        }
        if (hostile.receive(buffers, random, array -> record.socket().receiveAsync(array, this::received, op)) == 0) {
            counters.receiveAccepted.increment();
            record.ledger().accepted(op);
        } else {
            counters.receiveRefused.increment();
            record.ledger().refused(op);
            link.receivesInFlight.decrementAndGet();
            pooledBuffers.forEach(this::giveBack);
        }
    }

    private void received(OperationLedger.Op op, ReceiveResult result, int bytes) {
        ReceiveContext context = (ReceiveContext) op.attachment;
        if (!context.record().ledger().called(op)) {
            return;
        }
        counters.receiveResults.increment(result);
        Link link = context.link();
        int copied = 0;
        for (int i = 0; i < context.buffers().length; i++) {
            ByteBuffer buffer = context.buffers()[i];
            int got = buffer.position() - context.starts()[i];
            if (got > 0) {
                byte[] chunk = new byte[got];
                buffer.flip().position(context.starts()[i]);
                buffer.get(chunk);
                link.received(chunk, 0, got);
                copied += got;
            }
        }
        counters.bytesReceived.add(copied);
        if (copied != bytes || (result == ReceiveResult.OK) != (bytes > 0)) {
            problem("link " + link.id + ": receive " + result + " reported " + bytes + " bytes, wrote " + copied);
        }
        if (result == ReceiveResult.ABANDONED && !link.closeRequested) {
            link.abandonedWhileOpen = true;
        }
        link.receivesInFlight.decrementAndGet();
        context.pooled().forEach(this::giveBack);
        inCallback(context.slot(), context.record(), link, result == ReceiveResult.OK);
        callbackThrows.maybeThrow(CallbackThrows.Callback.RECEIVE);
    }

    /** What a callback may do next: another send or receive, rarely a close or a destroy. */
    private void inCallback(Slot slot, SocketRecord record, Link link, boolean ok) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int roll = random.nextInt(1000);
        if (ok && roll < 150) {
            Random local = new Random(random.nextLong());
            if (roll < 75) {
                send(slot, record, link, local, true);
            } else {
                receive(slot, record, link, local, true);
            }
        } else if (roll >= 997 && slot.lock.readLock().tryLock()) {
            // From inside a callback: close and destroy return at once, the rest completes after this returns.
            try {
                link.closeRequested = true;
                if (roll == 999) {
                    slot.destroyed = slot.record == record || slot.destroyed;
                    counters.callbackDestroys.increment();
                    record.socket().destroy();
                } else {
                    counters.callbackCloses.increment();
                    record.socket().close();
                }
            } finally {
                slot.lock.readLock().unlock();
            }
        }
    }

    /** Bad input: refused at once, never called back. */
    private void badInput(SocketRecord record, Random random) {
        ByteBuffer full = ByteBuffer.allocate(4);
        full.position(4);
        ByteBuffer[][] payloads = {null, new ByteBuffer[0], new ByteBuffer[] {null}, new ByteBuffer[] {full}};
        ByteBuffer[] payload = payloads[random.nextInt(payloads.length)];
        OperationLedger.Op op = new OperationLedger.Op(null);
        counters.badInputs.increment();
        boolean accepted;
        if (random.nextBoolean()) {
            accepted = record.socket().sendAsync(payload, (ctx, result) -> record.ledger().called(ctx), op) != SendSyncResult.ERROR;
        } else {
            accepted = record.socket().receiveAsync(payload, (ctx, result, bytes) -> record.ledger().called(ctx), op) == 0;
        }
        if (accepted) {
            counters.badInputAccepted.increment();
            record.ledger().accepted(op);
            problem("bad input accepted on " + record.socket());
        } else {
            record.ledger().refused(op);
        }
    }

    private ByteBuffer[] split(byte[] frame, Random random, List<ByteBuffer> pooledBuffers) {
        int parts = Math.min(frame.length, 1 + random.nextInt(4));
        ByteBuffer[] buffers = new ByteBuffer[parts];
        int start = 0;
        for (int i = 0; i < parts; i++) {
            int left = frame.length - start;
            int size = i == parts - 1 ? left : 1 + random.nextInt(left - (parts - 1 - i));
            if (size <= POOLED_DIRECT && random.nextInt(3) == 0) {
                ByteBuffer direct = takeDirect();
                direct.put(frame, start, size).flip();
                pooledBuffers.add(direct);
                buffers[i] = direct;
            } else {
                buffers[i] = ByteBuffer.wrap(frame, start, size);
            }
            start += size;
        }
        return buffers;
    }

    private ByteBuffer takeDirect() {
        ByteBuffer buffer = directPool.poll();
        if (buffer == null) {
            return ByteBuffer.allocateDirect(POOLED_DIRECT);
        }
        pooled.decrementAndGet();
        return buffer.clear();
    }

    private void giveBack(ByteBuffer buffer) {
        if (pooled.incrementAndGet() <= MAX_POOLED) {
            directPool.offer(buffer);
        } else {
            pooled.decrementAndGet();
        }
    }

    // ------------------------------------------------------------------------------------ sockets and links

    private SocketRecord newSocket() {
        NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
        if (socket == null) {
            throw new IllegalStateException("NettyAsyncSocket.create returned null");
        }
        SocketRecord record = new SocketRecord(socket, new OperationLedger());
        synchronized (sockets) {
            sockets.add(record);
        }
        return record;
    }

    private static boolean needsRenewal(Slot slot) {
        Link link = slot.link;
        return link == null || slot.destroyed || slot.record.socket().state() == SocketState.CLOSED || link.expired()
                || link.peerEnded();
    }

    /** Replaces the slot's link (and its socket, if destroyed) with a fresh connection, if it is due. */
    private void renew(Slot slot) {
        if (!needsRenewal(slot) || !slot.lock.writeLock().tryLock()) {
            return;
        }
        try {
            if (!needsRenewal(slot) || stopping) {
                return;
            }
            Link old = slot.link;
            if (old != null) {
                old.closeRequested = true;
                old.retiredAtNanos = System.nanoTime();
                retired.add(old);
            }
            String what = old == null ? "a slot without a link" : "link " + old.id;
            if (slot.destroyed) {
                // A second destroy does nothing; one that does not return leaves the slot as it is.
                if (!closer.run("destroy() of " + what, slot.record.socket()::destroy)) {
                    return;
                }
                slot.record = newSocket();
                slot.destroyed = false;
            } else {
                counters.closes.increment();
                if (!closer.run("close() of " + what, slot.record.socket()::close)
                        || slot.record.socket().state() != SocketState.CLOSED) {
                    return; // a close from a callback is still finishing (or this one did not return); renew later
                }
            }
            slot.link = open(slot.record);
        } finally {
            slot.lock.writeLock().unlock();
        }
    }

    /** A fresh connection with a peer at its other end, opened on {@code record}'s socket; null on failure. */
    private Link open(SocketRecord record) {
        int id;
        Random random;
        synchronized (setupRandom) {
            id = nextLinkId.getAndIncrement();
            random = new Random(setupRandom.nextLong());
        }
        Wire wire = connector.connect(random.nextBoolean());
        if (wire == null) {
            counters.setupFailures.increment();
            return null;
        }
        OperationLedger.Op op = new OperationLedger.Op(null);
        java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(1);
        if (record.socket().openAsync(wire.transport(), (ctx, result) -> {
            record.ledger().called(ctx);
            counters.open.increment(result);
            opened.countDown();
            callbackThrows.maybeThrow(CallbackThrows.Callback.OPEN);
        }, op) != 0) {
            record.ledger().refused(op);
            counters.openRefused.increment();
            wire.close(); // a failed open leaves the transport with the caller
            return null;
        }
        record.ledger().accepted(op);
        Link link = new Link(id, wire.peer(), random, TimeUnit.MILLISECONDS.toNanos(300 + random.nextInt(3000)));
        // The peer starts at once, so that its FIN or reset may reach the event loop before the socket's handler
        // is in place (bug 2 of docs/found-bugs.md, fixed in 3fb3ca9); with --early-peers false it waits for
        // the open callback, which keeps that window shut.
        if (!options.earlyPeers()) {
            try {
                if (!opened.await(10, TimeUnit.SECONDS)) {
                    problem("link " + id + ": no open callback within 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (links) {
            links.add(link);
        }
        link.startPeer();
        return link;
    }

    /** A safety net: a retired link's peer gets 5 s to see its end, then its socket is closed. */
    private void closeLongRetiredPeers() {
        for (Link link : retired) {
            if (System.nanoTime() - link.retiredAtNanos > TimeUnit.SECONDS.toNanos(5)) {
                link.closePeer();
                retired.remove(link);
            }
        }
    }

    private void tearDown(List<String> problems) throws InterruptedException {
        for (Slot slot : slots) {
            Link link = slot.link;
            if (link != null) {
                link.closeRequested = true;
            }
        }
        synchronized (sockets) {
            for (SocketRecord record : sockets) {
                closer.run("destroy() of " + record.socket() + " at the end", record.socket()::destroy);
            }
        }
        connector.close();
        synchronized (links) {
            for (Link link : links) {
                link.closeRequested = true;
                link.joinPeer(2000); // a peer whose socket ended reads to its end by itself
            }
            for (Link link : links) {
                link.closePeer();
                link.joinPeer(5000);
                if (link.peerThreadsAlive()) {
                    problems.add("link " + link.id + ": peer threads still running after its socket closed");
                }
            }
        }
        closer.shutdown();
        engine.decRef();
        if (!engine.eventLoopGroup().awaitTermination(15, TimeUnit.SECONDS)) {
            problems.add("the engine's event loops did not terminate");
        }
    }

    // ---------------------------------------------------------------------------------------------- checks

    private final ConcurrentLinkedQueue<String> runProblems = new ConcurrentLinkedQueue<>();

    private void problem(String what) {
        if (runProblems.size() < 1000) {
            runProblems.add(what);
        }
    }

    /** Whether {@code thread} has ended, or ends by {@code deadline} ({@link System#nanoTime()}). */
    private static boolean hasEnded(Thread thread, long deadline) {
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    private Summary check(Set<Thread> threadsBefore, double seconds, List<String> problems, LibraryLog libraryLog) {
        problems.addAll(runProblems);
        long accepted = 0;
        long completed = 0;
        long lostCallbacks = 0;
        long duplicates = 0;
        long onRefused = 0;
        List<SocketRecord> records;
        synchronized (sockets) {
            records = new ArrayList<>(sockets);
        }
        records.addAll(proxies.records());
        records.addAll(hostile.records());
        records.addAll(flood.records());
        for (SocketRecord record : records) {
            OperationLedger ledger = record.ledger();
            accepted += ledger.accepted();
            completed += ledger.completed();
            duplicates += ledger.duplicates();
            onRefused += ledger.calledWhenRefused();
            if (ledger.outstanding() != 0 || ledger.duplicates() != 0 || ledger.calledWhenRefused() != 0) {
                lostCallbacks += ledger.outstanding();
                problems.add(record.socket() + ": " + ledger);
            }
        }
        long checkedOut = 0;
        long checkedIn = 0;
        long lostFrames = 0;
        long lostBytes = 0;
        long corrupt = 0;
        long misordered = 0;
        long unexplained = 0;
        synchronized (links) {
            for (Link link : links) {
                String outboundCorruption = link.outboundCorruption();
                String inboundProblem = link.inboundProblem();
                if (outboundCorruption != null) {
                    corrupt++;
                    problems.add("link " + link.id + " socket->peer: " + outboundCorruption);
                }
                if (inboundProblem != null) {
                    corrupt++;
                    problems.add("link " + link.id + " peer->socket: " + inboundProblem);
                }
                // Frames the peer read whole must be the sends that completed OK, in their order.
                int[] ok = link.okSends.toArray();
                int[] atPeer = link.peerFrames.toArray();
                for (int i = 0; i < atPeer.length; i++) {
                    if (i >= ok.length || atPeer[i] != ok[i]) {
                        misordered++;
                        problems.add("link " + link.id + ": the peer's frame #" + i + " is send " + atPeer[i]
                                + " but the OK callbacks say " + (i < ok.length ? "send " + ok[i] : "nothing more"));
                        break;
                    }
                }
                // A peer that read to a clean end, without ending anything itself, must have every OK send. Not
                // if its writer failed: a reset from this side (a close with unread input) may then show to the
                // reader as a plain EOF, because the writer's failed call consumed the error (Linux, any stack).
                if (link.peerReadCleanEnd && !link.peerReset && !link.peerClosed && link.peerWriteFailure == null) {
                    checkedOut++;
                    if (atPeer.length < ok.length) {
                        lostFrames += ok.length - atPeer.length;
                        problems.add("link " + link.id + " (" + link.describe() + "): " + (ok.length - atPeer.length)
                                + " sends completed OK but never reached the peer, which read to a clean end; first missing: send "
                                + ok[atPeer.length] + ", after " + atPeer.length + " frames");
                    }
                }
                // A stream the peer ended with FIN, seen as such by the socket, must have reached it whole.
                boolean peerEndedCleanly = link.peerFinSent && !link.peerReset && !link.peerClosed;
                if (link.abandonedWhileOpen && peerEndedCleanly) {
                    checkedIn++;
                    long missing = link.peerWritten - link.inboundBytes();
                    if (missing != 0) {
                        lostBytes += Math.abs(missing);
                        problems.add("link " + link.id + " (" + link.describe() + "): the peer wrote " + link.peerWritten + " bytes and FIN, the socket's"
                                + " receives ended ABANDONED after " + link.inboundBytes());
                    }
                } else if (link.abandonedWhileOpen && !link.peerFinSent && !link.peerReset && !link.peerClosed
                        && link.peerWriteFailure == null) {
                    unexplained++;
                    problems.add("link " + link.id + ": a receive ended ABANDONED though nobody had ended the stream (plan "
                            + link.plan + ")");
                }
            }
        }
        int threadsLeft = 0;
        // An event loop completes its termination future a moment before its thread returns: a thread still
        // alive is given until the deadline to end before it counts as left running.
        long exitDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (!threadsBefore.contains(thread) && thread.getName().startsWith("async-socket-")
                    && !hasEnded(thread, exitDeadline)) {
                threadsLeft++;
                problems.add("event-loop thread left running: " + thread.getName());
            }
        }
        long leaks = SoakLeakDetector.countLeaks();
        sampleMemory();
        System.gc();
        long heapAfterGc = MEMORY.getHeapMemoryUsage().getUsed();
        int linkCount;
        synchronized (links) {
            linkCount = links.size();
        }
        return new Summary(options.seed(), options.transport(), seconds, counters.operations(), counters.results(),
                accepted, completed, lostCallbacks, duplicates, onRefused, linkCount, checkedOut, checkedIn, lostFrames,
                lostBytes, corrupt, misordered, unexplained, List.copyOf(problems), leaks, threadsLeft, peakHeap.get(),
                heapAfterGc, peakDirect.get(), peakNettyDirect.get(), proxies.summary(), hostile.summary(),
                callbackThrows.summary(), libraryLog.summary(), flood.summary(), closer.summary());
    }

    // ------------------------------------------------------------------------------------ memory and progress

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private void sampleMemory() {
        peakHeap.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
        peakDirect.accumulateAndGet(directBufferPoolBytes(), Math::max);
        peakNettyDirect.accumulateAndGet(io.netty.util.internal.PlatformDependent.usedDirectMemory(), Math::max);
    }

    /** The JDK's "direct" buffer pool: what ByteBuffer.allocateDirect holds (Netty's own may add to it). */
    public static long directBufferPoolBytes() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return -1;
    }

    private void progress(long started) {
        double elapsed = (System.nanoTime() - started) / 1e9;
        long outstanding;
        synchronized (sockets) {
            outstanding = sockets.stream().mapToLong(r -> r.ledger().outstanding()).sum();
        }
        out.printf("[%5.1f s] ops %,d (%,.0f/s), sends OK %,d, receives OK %,d, links %d, closes %d, destroys %d,"
                        + " peer resets %d, proxy pairs %d, outstanding %d, heap %.0f MiB, direct %.1f MiB%n",
                elapsed, counters.operations(), counters.operations() / elapsed,
                counters.sendResults.get(SendResult.OK), counters.receiveResults.get(ReceiveResult.OK),
                nextLinkId.get(), counters.closes.sum() + counters.callbackCloses.sum(),
                counters.destroys.sum() + counters.callbackDestroys.sum(), counters.peerResets.sum(), proxies.pairsSoFar(),
                outstanding,
                MEMORY.getHeapMemoryUsage().getUsed() / 1048576.0, directBufferPoolBytes() / 1048576.0);
    }

    static String stackOf(Thread thread) {
        StringBuilder text = new StringBuilder();
        for (StackTraceElement element : thread.getStackTrace()) {
            text.append("    at ").append(element).append('\n');
        }
        return text.toString();
    }

    static void quietClose(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // nothing to do
        }
    }
}
