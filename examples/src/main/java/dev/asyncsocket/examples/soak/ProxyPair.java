package dev.asyncsocket.examples.soak;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.SocketState;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketTransport;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The proxy idiom: two sockets (legs A and B) on one engine but on different event loops, each connected to its
 * own {@link ProxyPeer}, relaying to each other. A leg's receive callback sends the bytes on the other leg, and
 * that send's callback posts the leg's next receive. When a relay cannot go on (its receive ended because the
 * peer ended or reset, or a send was refused or failed), the callback that sees it ends the other leg, with
 * close() or destroy(), right there. The legs thus end each other, and when both peers end at about the same
 * time, two callbacks on two event loops end each other's leg at once.
 */
final class ProxyPair {

    /** Why a relay stopped. */
    enum Stop { EOF, PEER_ERROR, CUT, SEND_REFUSED, SEND_FAILED, RECEIVE_REFUSED }

    /** What a pair that ended amounted to. */
    record Verdict(long bytesRelayed, int wholeStreams, int prefixStreams, List<String> brokenStreams,
                   boolean mutualClose, boolean overlappingEnds, int destroys) {
    }

    /** A thread inside {@code call}, the end of a leg, which blocks (if it does) until {@code loop} is done with it. */
    record Wait(Thread thread, Thread loop, String call) {
    }

    final int id;
    final NettyExecutionEngine engine;
    private final Leg a;
    private final Leg b;
    private final Relay aToB;
    private final Relay bToA;
    private final AtomicInteger legsBeingEnded = new AtomicInteger();
    private volatile boolean overlappingEnds;
    private volatile long lastProgressNanos = System.nanoTime();
    /** When the supervisor first saw both legs CLOSED; 0 before. Only the supervisor uses it. */
    private long closedAtNanos;

    ProxyPair(int id, NettyExecutionEngine engine, Random random, Wire toA, Wire toB) {
        this.id = id;
        this.engine = engine;
        CountDownLatch endTogether = random.nextInt(10) < 7 ? new CountDownLatch(2) : null;
        Frames.Sequence streamA = new Frames.Sequence(2 * id, random.nextLong());
        Frames.Sequence streamB = new Frames.Sequence(2 * id + 1, random.nextLong());
        // Each peer writes its own stream and compares what it reads with the other one's.
        ProxyPeer peerA = new ProxyPeer(id + "A", toA.peer(), random, streamA, streamB.replay(), endTogether);
        ProxyPeer peerB = new ProxyPeer(id + "B", toB.peer(), random, streamB, streamA.replay(), endTogether);
        this.a = new Leg("A", engine, toA, peerA, random);
        this.b = new Leg("B", engine, toB, peerB, random);
        this.aToB = new Relay(a, b, random);
        this.bToA = new Relay(b, a, random);
    }

    List<RaceSoak.SocketRecord> records() {
        return List.of(a.record, b.record);
    }

    /**
     * Opens both legs, posts their first receives and starts the peers.
     *
     * @return false if an open was refused (then nothing is left open)
     */
    boolean start() {
        if (!a.open(this)) {
            abandon();
            return false;
        }
        if (!b.open(this)) {
            a.socket().close(); // nothing was posted on A yet, so this waits only for its open callback
            abandon();
            return false;
        }
        aToB.receiveNext();
        bToA.receiveNext();
        a.peer.start();
        b.peer.start();
        return true;
    }

    private void abandon() {
        for (Leg leg : List.of(a, b)) {
            if (leg.socket().state() == SocketState.CLOSED) {
                leg.transport.channel().close(); // a refused open leaves the transport with the caller
            }
            leg.socket().destroy();
            leg.peer.close();
        }
    }

    long idleNanos() {
        return System.nanoTime() - lastProgressNanos;
    }

    boolean legsClosed() {
        return a.socket().state() == SocketState.CLOSED && b.socket().state() == SocketState.CLOSED;
    }

    /** Both legs are CLOSED and the peers have read to their end, or had {@code drainNanos} to do so. */
    boolean finished(long drainNanos) {
        if (!legsClosed()) {
            return false;
        }
        if (closedAtNanos == 0) {
            closedAtNanos = System.nanoTime();
        }
        return a.peer.ended() && b.peer.ended() || System.nanoTime() - closedAtNanos > drainNanos;
    }

    /** Closes the peers' sockets and waits a little for their threads. */
    void closePeers() {
        a.peer.close();
        b.peer.close();
    }

    /** Destroys the legs (CLOSED by now, so this returns at once) and tells what the pair amounted to. */
    Verdict finish() {
        a.socket().destroy();
        b.socket().destroy();
        List<String> broken = new ArrayList<>();
        int whole = 0;
        for (Relay relay : List.of(aToB, bToA)) {
            String problem = relay.streamProblem();
            if (problem != null) {
                broken.add("proxy pair " + id + " " + relay + ": " + problem + "; " + a.peer + "; " + b.peer);
            } else if (relay.ranToTheEnd()) {
                whole++;
            }
        }
        return new Verdict(aToB.relayed.get() + bToA.relayed.get(), whole, 2 - whole - broken.size(), broken,
                a.ended && b.ended, overlappingEnds, (a.destroyOnEnd ? 1 : 0) + (b.destroyOnEnd ? 1 : 0));
    }

    /** The threads inside the end of a leg now: event loops, since legs are ended from callbacks. */
    List<Wait> waits() {
        List<Wait> waits = new ArrayList<>();
        for (Leg leg : List.of(a, b)) {
            Thread ender = leg.ender;
            if (ender != null) {
                waits.add(new Wait(ender, leg.loop, "pair " + id + " " + leg.endCall()));
            }
        }
        return waits;
    }

    /** The pair's state for a watchdog report, with the stack of any thread stuck ending a leg. */
    String describeStuck() {
        StringBuilder text = new StringBuilder(String.format("pair %d, no callback for %.1f s: relays %s, %s",
                id, idleNanos() / 1e9, aToB, bToA));
        for (Leg leg : List.of(a, b)) {
            text.append("\n  ").append(leg);
            Thread ender = leg.ender;
            if (ender != null) {
                text.append("\n  ").append(ender.getName()).append(" is blocked in ").append(leg.endCall()).append(":\n")
                        .append(RaceSoak.stackOf(ender));
            }
        }
        return text.toString();
    }

    /** Ends {@code leg} from inside a callback of the other one, as a proxy does when one side is gone. */
    private void end(Leg leg) {
        leg.endRequested = true;
        leg.ender = Thread.currentThread();
        if (legsBeingEnded.incrementAndGet() == 2) {
            overlappingEnds = true;
        }
        try {
            if (leg.destroyOnEnd) {
                leg.socket().destroy();
            } else {
                leg.socket().close();
            }
        } finally {
            legsBeingEnded.decrementAndGet();
            leg.ender = null;
            leg.ended = true;
            lastProgressNanos = System.nanoTime();
        }
    }

    /** Books a callback of {@code leg}: false if it is a second one for {@code op}. */
    private boolean calledBack(Leg leg, OperationLedger.Op op) {
        leg.loop = Thread.currentThread();
        lastProgressNanos = System.nanoTime();
        return leg.record.ledger().called(op);
    }

    /** One socket of the pair, the peer at its other end, and how it gets ended. */
    private static final class Leg {
        final String name;
        final RaceSoak.SocketRecord record;
        final NettySocketTransport transport;
        final ProxyPeer peer;
        final boolean destroyOnEnd;
        volatile boolean endRequested;
        volatile boolean ended;
        /** The thread inside this leg's close() or destroy(), for the watchdog. */
        volatile Thread ender;
        /** The event loop that ran this leg's last callback. */
        volatile Thread loop;

        Leg(String name, NettyExecutionEngine engine, Wire wire, ProxyPeer peer, Random random) {
            this.name = name;
            this.record = new RaceSoak.SocketRecord(NettyAsyncSocket.create(engine), new OperationLedger());
            this.transport = wire.transport();
            this.peer = peer;
            this.destroyOnEnd = random.nextBoolean();
        }

        NettyAsyncSocket socket() {
            return record.socket();
        }

        String endCall() {
            return name + (destroyOnEnd ? ".destroy()" : ".close()");
        }

        boolean open(ProxyPair pair) {
            OperationLedger.Op op = new OperationLedger.Op(null);
            if (socket().openAsync(transport, (ctx, result) -> pair.calledBack(this, ctx), op) != 0) {
                record.ledger().refused(op);
                return false;
            }
            record.ledger().accepted(op);
            return true;
        }

        @Override
        public String toString() {
            Thread last = loop;
            return String.format("leg %s %s, callbacks on %s, %s", name, socket(), last == null ? "none yet" : last.getName(),
                    record.ledger());
        }
    }

    /** One direction: what {@code from} receives goes out on {@code to}; one buffer, lent to each in turn. */
    private final class Relay {
        final Leg from;
        final Leg to;
        final ByteBuffer buffer;
        final AtomicLong relayed = new AtomicLong();
        volatile Stop stop;

        Relay(Leg from, Leg to, Random random) {
            this.from = from;
            this.to = to;
            int size = 256 + random.nextInt(random.nextBoolean() ? 4096 : 64 * 1024);
            this.buffer = random.nextBoolean() ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        }

        void receiveNext() {
            buffer.clear();
            OperationLedger.Op op = new OperationLedger.Op(null);
            if (from.socket().receiveAsync(new ByteBuffer[] {buffer}, this::received, op) == 0) {
                from.record.ledger().accepted(op);
            } else {
                from.record.ledger().refused(op);
                stopAndEnd(Stop.RECEIVE_REFUSED);
            }
        }

        private void received(OperationLedger.Op op, ReceiveResult result, int bytes) {
            if (!calledBack(from, op)) {
                return;
            }
            if (result != ReceiveResult.OK) {
                stopAndEnd(from.endRequested ? Stop.CUT : result == ReceiveResult.ABANDONED ? Stop.EOF : Stop.PEER_ERROR);
                return;
            }
            buffer.flip();
            OperationLedger.Op send = new OperationLedger.Op(null);
            if (to.socket().sendAsync(new ByteBuffer[] {buffer}, this::sent, send) == SendSyncResult.OK) {
                to.record.ledger().accepted(send);
            } else {
                to.record.ledger().refused(send);
                stopAndEnd(Stop.SEND_REFUSED);
            }
        }

        private void sent(OperationLedger.Op op, SendResult result) {
            if (!calledBack(to, op)) {
                return;
            }
            if (result != SendResult.OK) {
                stopAndEnd(Stop.SEND_FAILED);
                return;
            }
            relayed.addAndGet(buffer.remaining());
            receiveNext();
        }

        private void stopAndEnd(Stop why) {
            stop = why;
            end(to);
        }

        /**
         * The near peer's FIN reached {@code from} before anything cut the relay, and the far peer read to a clean
         * end with nothing failing on its side: it must have got every byte the near peer wrote.
         */
        boolean ranToTheEnd() {
            return stop == Stop.EOF && from.peer.end == ProxyPeer.End.FIN && from.peer.writeFailure == null
                    && to.peer.readCleanEnd && to.peer.writeFailure == null;
        }

        /** Null if the far peer read the near peer's stream intact: a prefix of it, or all of it if the relay ran to the end. */
        String streamProblem() {
            ProxyPeer near = from.peer;
            ProxyPeer far = to.peer;
            if (far.mismatchAt() >= 0) {
                return "byte " + far.mismatchAt() + " read by " + far.name + " is not what " + near.name + " wrote";
            }
            if (near.writeFailure == null && far.read() > near.written) {
                return far.name + " read " + far.read() + " bytes, more than the " + near.written + " " + near.name + " wrote";
            }
            if (ranToTheEnd() && far.read() != near.written) {
                return far.name + " read " + far.read() + " of the " + near.written + " bytes " + near.name
                        + " wrote, though the relay ran to the end";
            }
            return null;
        }

        @Override
        public String toString() {
            return from.name + "->" + to.name + " (relayed " + relayed.get() + ", " + (stop == null ? "running" : "stopped: " + stop) + ")";
        }
    }
}
