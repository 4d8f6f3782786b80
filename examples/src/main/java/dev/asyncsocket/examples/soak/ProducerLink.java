package dev.asyncsocket.examples.soak;

import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link Flood}'s connection: a socket sending a {@link Frames.Sequence} cut into pieces of a few bytes, one
 * send each, and a blocking peer that reads to its end and compares what it got with that sequence. Sends complete
 * in order, so once the socket is closed the peer must have read every byte of the sends that completed OK, then
 * at most the rest of what was accepted, all of it in order.
 */
final class ProducerLink {

    final int id;
    final RaceSoak.SocketRecord record;
    final AtomicLong inFlight = new AtomicLong();
    private final Wire wire;
    private final EnumCounts<SendResult> results;
    private final Frames.Sequence stream;
    private final Frames.Replay atPeer;
    private final Thread reader;
    private final OnSendComplete<OperationLedger.Op> onSent = this::sent;
    private final LongAdder bytesOk = new LongAdder();
    private volatile String readFailure;
    /** Producer thread only: the frame being cut into sends, and how far. */
    private byte[] frame = new byte[0];
    private int cut;
    private long bytesAccepted;

    private ProducerLink(int id, RaceSoak.SocketRecord record, Wire wire, long seed, EnumCounts<SendResult> results) {
        this.id = id;
        this.record = record;
        this.wire = wire;
        this.results = results;
        this.stream = new Frames.Sequence(id, seed);
        this.atPeer = stream.replay();
        this.reader = PeerIo.daemon("soak-producer-peer-" + id, () -> readFailure = PeerIo.readToEnd(wire.peer(), atPeer::feed));
    }

    /**
     * A socket opened on {@code wire}, its peer reading, its send results counted in {@code results}; null (and the
     * wire closed) if the open was refused.
     */
    static ProducerLink open(int id, NettyExecutionEngine engine, Wire wire, long seed, EnumCounts<SendResult> results) {
        RaceSoak.SocketRecord record = RaceSoak.SocketRecord.openOn(engine, wire);
        if (record == null) {
            return null;
        }
        ProducerLink link = new ProducerLink(id, record, wire, seed, results);
        link.reader.start();
        return link;
    }

    NettyAsyncSocket socket() {
        return record.socket();
    }

    /** Sends the next {@code length} bytes of the stream (fewer at a frame's end); producer thread only. */
    boolean sendNext(int length) {
        if (cut == frame.length) {
            frame = stream.next();
            cut = 0;
        }
        int count = Math.min(length, frame.length - cut);
        OperationLedger.Op op = new OperationLedger.Op(count); // a small Integer: cached, not allocated
        inFlight.incrementAndGet();
        if (socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(frame, cut, count)}, onSent, op) != SendSyncResult.OK) {
            record.ledger().refused(op);
            inFlight.decrementAndGet();
            return false; // the frame is cut where it was: the stream goes on from there
        }
        record.ledger().accepted(op);
        cut += count;
        bytesAccepted += count;
        return true;
    }

    private void sent(OperationLedger.Op op, SendResult result) {
        if (!record.ledger().called(op)) {
            return;
        }
        results.increment(result);
        if (result == SendResult.OK) {
            bytesOk.add((Integer) op.attachment);
        }
        inFlight.decrementAndGet();
    }

    long bytesOk() {
        return bytesOk.sum();
    }

    /** Once the socket is closed: waits for the peer to read to its end, closes it, and tells what was wrong, or null. */
    String finish() throws InterruptedException {
        reader.join(5000);
        RaceSoak.quietClose(wire.peer());
        reader.join(2000);
        long read = atPeer.bytes();
        long ok = bytesOk();
        if (reader.isAlive() || readFailure != null) {
            return "its peer did not read to a clean end: " + (readFailure == null ? "still reading" : readFailure);
        }
        if (atPeer.mismatchAt() >= 0) {
            return "byte " + atPeer.mismatchAt() + " read by its peer is not the stream's";
        }
        if (read < ok || read > bytesAccepted) {
            return "its peer read " + read + " bytes; sends that completed OK carried " + ok + ", all accepted ones "
                    + bytesAccepted;
        }
        return null;
    }
}
