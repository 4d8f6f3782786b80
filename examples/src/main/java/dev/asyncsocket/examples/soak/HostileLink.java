package dev.asyncsocket.examples.soak;

import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection of the {@link HostileCaller}: a socket of its own, open on a fresh transport, and a blocking peer
 * that reads whatever arrives and writes random bytes, up to a budget, then FIN. Nobody checks the bytes either way.
 */
final class HostileLink {

    final int id;
    final RaceSoak.SocketRecord record;
    final AtomicInteger sendsInFlight = new AtomicInteger();
    final AtomicInteger receivesInFlight = new AtomicInteger();
    final AtomicLong peerRead = new AtomicLong();
    private final Socket peer;
    private final long deadlineNanos;
    private final Thread reader;
    private final Thread writer;

    private HostileLink(int id, RaceSoak.SocketRecord record, Wire wire, Random random) {
        this.id = id;
        this.record = record;
        this.peer = wire.peer();
        this.deadlineNanos = System.nanoTime() + 300_000_000L + random.nextInt(1_500_000_000);
        long budget = random.nextInt(1 << 20);
        long writerSeed = random.nextLong();
        this.reader = PeerIo.daemon("soak-hostile-peer-reader-" + id,
                () -> PeerIo.readToEnd(peer, (data, offset, count) -> peerRead.addAndGet(count)));
        this.writer = PeerIo.daemon("soak-hostile-peer-writer-" + id, () -> write(budget, new Random(writerSeed)));
    }

    /** A socket opened on {@code wire}, its peer started; null (and the wire closed) if the open was refused. */
    static HostileLink open(int id, NettyExecutionEngine engine, Wire wire, Random random) {
        RaceSoak.SocketRecord record = RaceSoak.SocketRecord.openOn(engine, wire);
        if (record == null) {
            return null;
        }
        HostileLink link = new HostileLink(id, record, wire, random);
        link.reader.start();
        link.writer.start();
        return link;
    }

    NettyAsyncSocket socket() {
        return record.socket();
    }

    boolean expired() {
        return System.nanoTime() - deadlineNanos > 0;
    }

    /** Once the socket is closed: lets the peer see its end, then closes the peer's socket. */
    void closePeer() throws InterruptedException {
        reader.join(2000);
        RaceSoak.quietClose(peer);
        reader.join(2000);
        writer.join(2000);
    }

    private void write(long budget, Random random) {
        byte[] chunk = new byte[8192];
        try {
            OutputStream out = peer.getOutputStream();
            for (long written = 0; written < budget; ) {
                random.nextBytes(chunk);
                int count = 1 + random.nextInt(chunk.length);
                out.write(chunk, 0, count);
                written += count;
            }
            peer.shutdownOutput();
        } catch (IOException e) {
            // the socket closed first: nothing to check here
        }
    }
}
