package dev.asyncsocket.examples.soak;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connection of the soak: an open socket's transport and the blocking peer at its other end, with the
 * books of both directions, so that at the end every byte can be accounted for.
 *
 * <p>Socket to peer: the socket sends {@link Frames frames}; each OK callback appends the frame's number to
 * {@link #okSends} (callbacks of one connection run one at a time, in order); the peer's reader parses what
 * it gets into {@link #peerFrames}. Peer to socket: the peer's writer sends numbered frames and counts the
 * bytes its writes got through; the socket's receive callbacks feed {@link #inbound}.
 *
 * <p>What the peer does is its {@link Plan}, drawn from the seed when the link is made: send a stream and
 * end it with FIN; or reset or close in the middle of it; or send nothing at all.
 */
final class Link {

    /** How the peer ends its side. */
    enum Plan { FIN, RESET, CLOSE, SILENT }

    final int id;
    final Socket peer;
    final Plan plan;
    final long deadlineNanos;

    // Socket to peer.
    final AtomicInteger nextSendSeq = new AtomicInteger();
    final AtomicInteger sendsInFlight = new AtomicInteger();
    final IntList okSends = new IntList();
    final IntList peerFrames = new IntList();
    private final Frames.Parser peerParser;
    volatile boolean peerReadCleanEnd;
    volatile String peerReadFailure;

    // Peer to socket.
    final AtomicInteger receivesInFlight = new AtomicInteger();
    private final Frames.Parser inbound;
    private int expectedInboundSeq;
    private String inboundOrderError;
    volatile long peerWritten;
    volatile boolean peerFinSent;
    volatile String peerWriteFailure;

    // Why the stream may end: set before the act, read when the books are closed.
    volatile boolean closeRequested;
    volatile boolean peerReset;
    volatile boolean peerClosed;
    /** A receive completed ABANDONED although this side had not asked for a close. */
    volatile boolean abandonedWhileOpen;

    private final Thread reader;
    private final Thread writer;
    volatile long retiredAtNanos;

    Link(int id, Socket peer, Random random, long lifetimeNanos) {
        this.id = id;
        this.peer = peer;
        int roll = random.nextInt(100);
        this.plan = roll < 60 ? Plan.FIN : roll < 78 ? Plan.RESET : roll < 90 ? Plan.CLOSE : Plan.SILENT;
        this.deadlineNanos = System.nanoTime() + lifetimeNanos;
        this.peerParser = new Frames.Parser(id, (seq, length) -> peerFrames.add(seq));
        this.inbound = new Frames.Parser(id, this::inboundFrame);
        long budget = plan == Plan.SILENT ? 0 : random.nextInt(10) == 0 ? 0 : (long) random.nextInt(4 << 20);
        long cut = plan == Plan.RESET || plan == Plan.CLOSE ? (long) (budget * random.nextDouble()) : budget;
        long writerSeed = random.nextLong();
        this.reader = new Thread(this::readAtPeer, "soak-peer-reader-" + id);
        this.writer = new Thread(() -> writeAtPeer(cut, new Random(writerSeed)), "soak-peer-writer-" + id);
        reader.setDaemon(true);
        writer.setDaemon(true);
    }

    void startPeer() {
        reader.start();
        writer.start();
    }

    boolean peerEnded() {
        return !reader.isAlive() && !writer.isAlive();
    }

    boolean expired() {
        return System.nanoTime() - deadlineNanos > 0;
    }

    void joinPeer(long millis) throws InterruptedException {
        reader.join(millis);
        writer.join(millis);
    }

    boolean peerThreadsAlive() {
        return reader.isAlive() || writer.isAlive();
    }

    /** The peer resets the connection (SO_LINGER 0). */
    void resetPeer() {
        peerReset = true;
        try {
            peer.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // already closed
        }
        closePeer();
    }

    void closePeer() {
        try {
            peer.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** Bytes the socket received, from a receive callback: its connection's callbacks run one at a time. */
    synchronized void received(byte[] bytes, int offset, int count) {
        inbound.feed(bytes, offset, count);
    }

    private void inboundFrame(int seq, int bodyLength) {
        if (seq != expectedInboundSeq && inboundOrderError == null) {
            inboundOrderError = "frame " + seq + " where " + expectedInboundSeq + " was due";
        }
        expectedInboundSeq = seq + 1;
    }

    synchronized long inboundBytes() {
        return inbound.bytes();
    }

    synchronized String inboundProblem() {
        return inbound.corruption() != null ? inbound.corruption() : inboundOrderError;
    }

    String outboundCorruption() {
        return peerParser.corruption();
    }

    private void readAtPeer() {
        peerReadFailure = PeerIo.readToEnd(peer, peerParser::feed);
        peerReadCleanEnd = peerReadFailure == null;
    }

    private void writeAtPeer(long cut, Random random) {
        long written = 0;
        int seq = 0;
        try {
            OutputStream out = peer.getOutputStream();
            while (written < cut) {
                byte[] frame = Frames.frame(id, seq++, random);
                PeerIo.writeFrame(out, frame, random);
                written += frame.length;
                peerWritten = written;
            }
            switch (plan) {
                case FIN:
                    peerFinSent = true;
                    peer.shutdownOutput();
                    break;
                case RESET:
                    resetPeer();
                    break;
                case CLOSE:
                    peerClosed = true;
                    closePeer();
                    break;
                default:
                    break;
            }
        } catch (IOException e) {
            peerWriteFailure = e.toString();
        }
    }

    /** The link's story, for problem reports. */
    String describe() {
        return String.format("plan %s, peer wrote %d%s%s%s%s, peer read %d bytes / %d frames + %d partial, %s; socket got %d bytes%s%s",
                plan, peerWritten, peerFinSent ? " + FIN" : "", peerReset ? ", peer reset" : "", peerClosed ? ", peer closed" : "",
                peerWriteFailure == null ? "" : " then failed: " + peerWriteFailure,
                peerParser.bytes(), peerParser.frames(), peerParser.partialTail(),
                peerReadCleanEnd ? "clean end" : "ended with " + peerReadFailure, inboundBytes(),
                closeRequested ? ", closed by the soak" : "", abandonedWhileOpen ? ", ABANDONED while open" : "");
    }

    /** A growable list of ints, thread-safe. */
    static final class IntList {
        private int[] values = new int[16];
        private int size;

        synchronized void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        synchronized int size() {
            return size;
        }

        synchronized int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
