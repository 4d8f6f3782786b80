package dev.asyncsocket.examples.soak;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.NettyExecutionEngine;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A caller that changes its arguments while it calls, through the {@link Mutator}, in two ways.
 *
 * <p>On links of its own ({@link HostileLink}), anything goes: while a send or receive is made, any element of the
 * array may become null, a buffer with no room, a read-only one or another of its buffers, and any buffer's bounds
 * anything within its capacity. A receive's buffers come from a pool its receives share, and the mutator goes on
 * moving them until the callback; a send's are its own, left alone once the call returned, as the contract asks,
 * and the limit of a direct one stays put unless {@code directSendLimits} (see {@link RaceSoak.Options}). What
 * reaches the wire, or the buffers, is then the caller's own mess and is not checked; what is: a refused call gets
 * no callback and an accepted one exactly one (the books), a receive completes OK with some bytes (no more than
 * its buffers hold) or ERROR or ABANDONED with none, and every close returns.
 *
 * <p>On the soak's checked links, some sends and receives are made while one element of the array flickers
 * between its buffer and null (and a send's heap part's position between its start and its limit): whatever the
 * library reads is either bad input or the original, so an accepted call's bytes are checked as any other's.
 */
final class HostileCaller {

    /** What the hostile caller did, and whether every receive's result made sense. */
    record Summary(long mutations, long mutatedCalls, long racedCalls, long links, long sendsAccepted, long sendsRefused,
                   Map<SendResult, Long> sendResults, long receivesAccepted, long receivesRefused,
                   Map<ReceiveResult, Long> receiveResults, long badResults, long bytesToPeers, long bytesReceived,
                   long flickeredAccepted, long flickeredRefused) {

        boolean passed() {
            return badResults == 0;
        }

        void print(PrintStream out) {
            out.printf("hostile         mutations %,d; calls made under them %,d, raced by one %,d; on checked links"
                            + " %,d accepted (bytes checked), %,d refused%n", mutations, mutatedCalls, racedCalls,
                    flickeredAccepted, flickeredRefused);
            out.printf("hostile links   %,d: sends accepted %,d, refused %,d (%s); receives accepted %,d, refused %,d (%s);"
                            + " bad results %d; bytes read by peers %,d, received %,d%n", links, sendsAccepted, sendsRefused,
                    EnumCounts.describe(sendResults), receivesAccepted, receivesRefused, EnumCounts.describe(receiveResults),
                    badResults, bytesToPeers, bytesReceived);
        }
    }

    /** A receive on a hostile link: where to book its callback, what the mutator holds for it, what it may get. */
    private record Lent(HostileLink link, Mutator.Target target, long maxBytes) {
    }

    private static final int LINKS = 2;
    private static final int MAX_SENDS_IN_FLIGHT = 16;
    private static final int MAX_RECEIVES_IN_FLIGHT = 4;
    private static final long PACE_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** One checked send or receive in this many is made under the mutator. */
    private static final int FLICKER_ONE_IN = 20;

    private final NettyExecutionEngine engine;
    private final Connector connector;
    private final Closer closer;
    private final Consumer<String> problems;
    private final boolean directSendLimits;
    private final Mutator mutator;
    private final Random random;
    private final ByteBuffer[] pool;
    private final Thread thread = new Thread(this::run, "soak-hostile");
    private final List<RaceSoak.SocketRecord> records = new ArrayList<>();
    private final Set<String> channelIds = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private int nextId;

    private final LongAdder sendsAccepted = new LongAdder();
    private final LongAdder sendsRefused = new LongAdder();
    private final EnumCounts<SendResult> sendResults = new EnumCounts<>(SendResult.class);
    private final LongAdder receivesAccepted = new LongAdder();
    private final LongAdder receivesRefused = new LongAdder();
    private final EnumCounts<ReceiveResult> receiveResults = new EnumCounts<>(ReceiveResult.class);
    private final LongAdder badResults = new LongAdder();
    private final LongAdder bytesToPeers = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder flickeredAccepted = new LongAdder();
    private final LongAdder flickeredRefused = new LongAdder();

    HostileCaller(NettyExecutionEngine engine, Connector connector, Closer closer, long seed, boolean directSendLimits,
                  Consumer<String> problems) {
        this.engine = engine;
        this.connector = connector;
        this.closer = closer;
        this.directSendLimits = directSendLimits;
        this.problems = problems;
        this.mutator = new Mutator(seed + 1);
        this.random = new Random(seed);
        this.pool = new ByteBuffer[12];
        for (int i = 0; i < pool.length; i++) {
            int capacity = 1 + random.nextInt(8192);
            pool[i] = i % 2 == 0 ? ByteBuffer.allocate(capacity) : ByteBuffer.allocateDirect(capacity);
        }
        thread.setDaemon(true);
    }

    void start() {
        mutator.start();
        thread.start();
    }

    /** Ends its links (each close bounded) and the mutator. */
    void stop() throws InterruptedException {
        stopping = true;
        thread.join(TimeUnit.SECONDS.toMillis(30));
        if (thread.isAlive()) {
            problems.accept("the hostile caller is stuck:\n" + RaceSoak.stackOf(thread));
        }
        mutator.stop();
    }

    /** Every socket it used, for the exactly-once books. */
    List<RaceSoak.SocketRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /** Whether a log message names one of its sockets' channels. */
    boolean mentionsItsChannel(String message) {
        return channelIds.stream().anyMatch(message::contains);
    }

    // ------------------------------------------------------------------------------------ on checked links

    /** A checked link's send, made now and then under the mutator (see the class comment). */
    SendSyncResult send(ByteBuffer[] payload, Random random, Function<ByteBuffer[], SendSyncResult> call) {
        return maybeFlickered(payload, random, true, call, verdict -> verdict == SendSyncResult.OK);
    }

    /** A checked link's receive, made now and then under the mutator; its buffers' bounds are left alone. */
    int receive(ByteBuffer[] payload, Random random, Function<ByteBuffer[], Integer> call) {
        return maybeFlickered(payload, random, false, call, verdict -> verdict == 0);
    }

    private <T> T maybeFlickered(ByteBuffer[] payload, Random random, boolean position, Function<ByteBuffer[], T> call,
                                 Predicate<T> accepted) {
        if (random.nextInt(FLICKER_ONE_IN) != 0) {
            return call.apply(payload);
        }
        ByteBuffer[] array = payload.clone(); // the caller keeps the original, unchanged
        int index = random.nextInt(array.length);
        Mutator.Target target = Mutator.flicker(array, index, position && array[index].hasArray());
        T verdict = mutator.during(target, () -> call.apply(array));
        (accepted.test(verdict) ? flickeredAccepted : flickeredRefused).increment();
        return verdict;
    }

    // ------------------------------------------------------------------------------------ on its own links

    private void run() {
        HostileLink[] live = new HostileLink[LINKS];
        while (!stopping) {
            int slot = random.nextInt(LINKS);
            if (live[slot] == null || live[slot].expired()) {
                end(live[slot]);
                live[slot] = open();
            }
            HostileLink link = live[slot];
            if (link != null) {
                if (random.nextBoolean()) {
                    send(link);
                } else {
                    receive(link);
                }
            }
            LockSupport.parkNanos(PACE_NANOS);
        }
        for (HostileLink link : live) {
            end(link);
        }
    }

    private HostileLink open() {
        Wire wire = connector.connect(random.nextBoolean());
        if (wire == null) {
            return null;
        }
        channelIds.add("0x" + wire.transport().channel().id().asShortText()); // as the channel names itself in logs
        HostileLink link = HostileLink.open(nextId++, engine, wire, random);
        if (link != null) {
            synchronized (records) {
                records.add(link.record);
            }
        }
        return link;
    }

    private void end(HostileLink link) {
        if (link == null) {
            return;
        }
        if (closer.run("close() of hostile link " + link.id, link.socket()::close)) {
            link.socket().destroy(); // closed: returns at once
        }
        try {
            link.closePeer();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        bytesToPeers.add(link.peerRead.get());
    }

    /** One to three buffers, of the pool (maybe one twice) or new, with random bounds. */
    private ByteBuffer[] pick(boolean fromPool) {
        ByteBuffer[] buffers = new ByteBuffer[1 + random.nextInt(3)];
        for (int i = 0; i < buffers.length; i++) {
            int capacity = 1 + random.nextInt(8192);
            buffers[i] = fromPool ? pool[random.nextInt(pool.length)]
                    : random.nextBoolean() ? ByteBuffer.allocate(capacity) : ByteBuffer.allocateDirect(capacity);
            Mutator.scrambleBounds(buffers[i], random, true);
        }
        return buffers;
    }

    private void send(HostileLink link) {
        if (link.sendsInFlight.get() >= MAX_SENDS_IN_FLIGHT) {
            return;
        }
        ByteBuffer[] buffers = pick(false);
        ByteBuffer[] array = buffers.clone();
        Mutator.Target target = Mutator.scramble(array, buffers, directSendLimits);
        OperationLedger.Op op = new OperationLedger.Op(link);
        link.sendsInFlight.incrementAndGet();
        if (mutator.during(target, () -> link.socket().sendAsync(array, this::sent, op)) == SendSyncResult.OK) {
            sendsAccepted.increment();
            link.record.ledger().accepted(op);
        } else {
            sendsRefused.increment();
            link.record.ledger().refused(op);
            link.sendsInFlight.decrementAndGet();
        }
    }

    private void sent(OperationLedger.Op op, SendResult result) {
        HostileLink link = (HostileLink) op.attachment;
        if (link.record.ledger().called(op)) {
            sendResults.increment(result);
            link.sendsInFlight.decrementAndGet();
        }
    }

    private void receive(HostileLink link) {
        if (link.receivesInFlight.get() >= MAX_RECEIVES_IN_FLIGHT) {
            return;
        }
        ByteBuffer[] buffers = pick(true);
        ByteBuffer[] array = buffers.clone();
        long largest = 0;
        for (ByteBuffer buffer : buffers) {
            largest = Math.max(largest, buffer.capacity());
        }
        Mutator.Target target = Mutator.scramble(array, buffers, true);
        // Each element may end up as any of the buffers, each with all its capacity as room.
        OperationLedger.Op op = new OperationLedger.Op(new Lent(link, target, largest * array.length));
        link.receivesInFlight.incrementAndGet();
        mutator.lend(target); // before the call: the callback may come before it returns
        if (mutator.during(target, () -> link.socket().receiveAsync(array, this::received, op)) == 0) {
            receivesAccepted.increment();
            link.record.ledger().accepted(op);
        } else {
            receivesRefused.increment();
            link.record.ledger().refused(op);
            mutator.giveBack(target);
            link.receivesInFlight.decrementAndGet();
        }
    }

    private void received(OperationLedger.Op op, ReceiveResult result, int bytes) {
        Lent lent = (Lent) op.attachment;
        if (!lent.link().record.ledger().called(op)) {
            return;
        }
        receiveResults.increment(result);
        bytesReceived.add(bytes);
        boolean sensible = result == ReceiveResult.OK ? bytes > 0 && bytes <= lent.maxBytes() : bytes == 0;
        if (!sensible) {
            badResults.increment();
            problems.accept("hostile link " + lent.link().id + ": a receive completed " + result + " with " + bytes
                    + " bytes (its buffers hold at most " + lent.maxBytes() + ")");
        }
        mutator.giveBack(lent.target());
        lent.link().receivesInFlight.decrementAndGet();
    }

    Summary summary() {
        return new Summary(mutator.mutations(), mutator.mutatedCalls(), mutator.racedCalls(), nextId, sendsAccepted.sum(),
                sendsRefused.sum(), sendResults.snapshot(), receivesAccepted.sum(), receivesRefused.sum(),
                receiveResults.snapshot(), badResults.sum(), bytesToPeers.sum(), bytesReceived.sum(),
                flickeredAccepted.sum(), flickeredRefused.sum());
    }
}
