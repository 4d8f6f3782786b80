package dev.asyncsocket.examples.soak;

import dev.asyncsocket.SendResult;
import dev.asyncsocket.netty.NettyExecutionEngine;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A producer that outruns its event loop: one thread calling sendAsync on one socket ({@link ProducerLink}) in a
 * tight loop, 1 to 64 bytes a send, in bursts of up to {@value #MAX_BURST} sends without waiting for a callback.
 * After a burst it waits for the burst's callbacks; one burst in four it closes the socket at once instead, with
 * most of the burst still queued, and goes on with a fresh connection. Beside it, a {@link LoopNeighbour} on the
 * same event loop times round trips, so the summary tells how long the producer made the loop's other sockets wait.
 */
final class Flood {

    /** What the producer did, what its peers read, and what its neighbour saw. */
    record Summary(long bursts, long closedInBurst, long mostQueuedAtClose, long sendsAccepted, long sendsRefused,
                   Map<SendResult, Long> results, long links, long bytesOk, long brokenStreams, long unfinishedBursts,
                   long earlyCloses, LoopNeighbour.Summary neighbour) {

        /** Only the producer ends its sockets, so none of its sends may be refused. */
        boolean passed() {
            return sendsRefused == 0 && brokenStreams == 0 && unfinishedBursts == 0 && earlyCloses == 0
                    && neighbour.failed() == 0;
        }

        void print(PrintStream out) {
            out.printf("producer        bursts %,d (%,d closed at once, with up to %,d sends still queued); sends accepted %,d"
                            + " (%s), refused %,d; links %,d; bytes OK %,d; broken streams %d, unfinished bursts %d,"
                            + " closes that returned before their callbacks %d%n", bursts, closedInBurst, mostQueuedAtClose,
                    sendsAccepted, EnumCounts.describe(results), sendsRefused, links, bytesOk, brokenStreams,
                    unfinishedBursts, earlyCloses);
            out.printf("neighbour       round trips on the producer's event loop during bursts %s; between bursts %s;"
                    + " failed %d%n", neighbour.duringBursts(), neighbour.betweenBursts(), neighbour.failed());
        }
    }

    static final int MAX_BURST = 50_000;
    private static final long CALLBACKS_SECONDS = 30;

    private final NettyExecutionEngine engine;
    private final Connector connector;
    private final Closer closer;
    private final Consumer<String> problems;
    private final Random random;
    private final Thread producer = new Thread(this::produce, "soak-producer");
    private final List<RaceSoak.SocketRecord> records = new ArrayList<>();
    private final EnumCounts<SendResult> results = new EnumCounts<>(SendResult.class);
    private LoopNeighbour neighbour;
    private volatile boolean stopping;
    /** Counts the starts and ends of bursts: odd while one is under way. */
    private final AtomicLong burstPhase = new AtomicLong();
    private int links;

    private final LongAdder bursts = new LongAdder();
    private final LongAdder closedInBurst = new LongAdder();
    private final AtomicLong mostQueuedAtClose = new AtomicLong();
    private final LongAdder sendsAccepted = new LongAdder();
    private final LongAdder sendsRefused = new LongAdder();
    private final LongAdder bytesOk = new LongAdder();
    private final LongAdder brokenStreams = new LongAdder();
    private final LongAdder unfinishedBursts = new LongAdder();
    private final LongAdder earlyCloses = new LongAdder();

    Flood(NettyExecutionEngine engine, Connector connector, Closer closer, long seed, Consumer<String> problems) {
        this.engine = engine;
        this.connector = connector;
        this.closer = closer;
        this.problems = problems;
        this.random = new Random(seed);
        producer.setDaemon(true);
    }

    /** Starts the neighbour, then the producer; false if the neighbour could not be connected. */
    boolean start() {
        Wire wire = connector.connect(true);
        neighbour = wire == null ? null : LoopNeighbour.start(engine, wire, burstPhase::get, closer, problems);
        if (neighbour == null) {
            problems.accept("the producer's neighbour could not be opened; no producer");
            return false;
        }
        synchronized (records) {
            records.add(neighbour.record());
        }
        producer.start();
        return true;
    }

    void stop() throws InterruptedException {
        stopping = true;
        producer.join(TimeUnit.SECONDS.toMillis(CALLBACKS_SECONDS + 30));
        if (producer.isAlive()) {
            problems.accept("the producer is stuck:\n" + RaceSoak.stackOf(producer));
        }
        if (neighbour != null) {
            neighbour.stop();
        }
    }

    /** Every socket it used, for the exactly-once books. */
    List<RaceSoak.SocketRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    private void produce() {
        ProducerLink link = null;
        while (!stopping) {
            if (link == null && (link = open()) == null) {
                pause(100);
                continue;
            }
            if (burst(link)) {
                finish(link);
                link = null;
            }
            pause(250 + random.nextInt(500));
        }
        if (link != null) {
            close(link);
            finish(link);
        }
    }

    private ProducerLink open() {
        Wire wire = connector.connectOn(neighbour.loop());
        ProducerLink link = wire == null ? null : ProducerLink.open(links, engine, wire, random.nextLong(), results);
        if (link != null) {
            links++;
            synchronized (records) {
                records.add(link.record);
            }
        }
        return link;
    }

    /** One burst, then its callbacks or a close; returns whether the link was closed. */
    private boolean burst(ProducerLink link) {
        // Mostly a few thousand sends, which outrun the loop well enough; one burst in four up to the whole maximum.
        int count = 1 + random.nextInt(random.nextInt(4) == 0 ? MAX_BURST : MAX_BURST / 10);
        boolean closeAtOnce = random.nextInt(4) == 0;
        burstPhase.incrementAndGet();
        bursts.increment();
        for (int i = 0; i < count && !stopping; i++) {
            (link.sendNext(1 + random.nextInt(64)) ? sendsAccepted : sendsRefused).increment();
        }
        try {
            if (closeAtOnce || stopping) {
                closedInBurst.increment();
                close(link);
                return true;
            }
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(CALLBACKS_SECONDS);
            while (link.inFlight.get() > 0 && System.nanoTime() - giveUp < 0) {
                pause(1);
            }
            if (link.inFlight.get() > 0) {
                unfinishedBursts.increment();
                problems.accept("producer link " + link.id + ": " + link.inFlight.get() + " of a burst of " + count
                        + " sends still without a callback after " + CALLBACKS_SECONDS + " s");
            }
            return false;
        } finally {
            burstPhase.incrementAndGet();
        }
    }

    /** Closes the link's socket, bounded: once close() has returned, every callback must have run. */
    private void close(ProducerLink link) {
        long queued = link.inFlight.get();
        mostQueuedAtClose.accumulateAndGet(queued, Math::max);
        if (!closer.run("close() of producer link " + link.id + " with " + queued + " sends queued", link.socket()::close)) {
            return;
        }
        link.socket().destroy();
        if (link.inFlight.get() != 0) {
            earlyCloses.increment();
            problems.accept("producer link " + link.id + ": close() returned with " + link.inFlight.get()
                    + " sends still without a callback");
        }
    }

    private void finish(ProducerLink link) {
        String broken;
        try {
            broken = link.finish();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            broken = "interrupted";
        }
        if (broken != null) {
            brokenStreams.increment();
            problems.accept("producer link " + link.id + ": " + broken);
        }
        bytesOk.add(link.bytesOk());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Once stopped. */
    Summary summary() {
        return new Summary(bursts.sum(), closedInBurst.sum(), mostQueuedAtClose.get(), sendsAccepted.sum(),
                sendsRefused.sum(), results.snapshot(), links, bytesOk.sum(), brokenStreams.sum(), unfinishedBursts.sum(),
                earlyCloses.sum(), neighbour == null ? LoopNeighbour.Summary.NONE : neighbour.summary());
    }
}
