package dev.asyncsocket.examples.soak;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The blocking peer at the far end of one leg of a {@link ProxyPair}. Its writer sends a stream of frames drawn
 * from a seed and ends it with FIN or a reset, on its own or at the same moment as the other peer; its reader
 * compares what the proxy relays to it, byte for byte, with the other peer's stream.
 */
final class ProxyPeer {

    /** How the writer ends its stream. */
    enum End { FIN, RESET }

    final String name;
    final End end;
    private final Socket socket;
    private final long budget;
    private final Frames.Sequence stream;
    private final Frames.Replay replay;
    private final Random pacing;
    /** Counted down by both peers of a pair that end together; null for one that ends on its own. */
    private final CountDownLatch endTogether;
    private final Thread reader;
    private final Thread writer;

    volatile long written;
    volatile String writeFailure;
    volatile boolean readCleanEnd;
    volatile String readFailure;

    ProxyPeer(String name, Socket socket, Random random, Frames.Sequence stream, Frames.Replay replay,
              CountDownLatch endTogether) {
        this.name = name;
        this.socket = socket;
        this.end = random.nextInt(10) < 7 ? End.FIN : End.RESET;
        this.budget = random.nextInt(10) == 0 ? 0 : random.nextInt(256 * 1024);
        this.stream = stream;
        this.replay = replay;
        this.pacing = new Random(random.nextLong());
        this.endTogether = endTogether;
        this.reader = new Thread(this::readStream, "soak-proxy-peer-reader-" + name);
        this.writer = new Thread(this::writeAndEnd, "soak-proxy-peer-writer-" + name);
        reader.setDaemon(true);
        writer.setDaemon(true);
    }

    void start() {
        reader.start();
        writer.start();
    }

    boolean ended() {
        return !reader.isAlive() && !writer.isAlive();
    }

    /** Closes the socket (which ends both threads) and waits a little for them. */
    void close() {
        quietClose();
        try {
            reader.join(2000);
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Bytes the reader got, all of them equal to the other peer's stream up to {@link #mismatchAt()}. */
    long read() {
        return replay.bytes();
    }

    long mismatchAt() {
        return replay.mismatchAt();
    }

    private void readStream() {
        readFailure = PeerIo.readToEnd(socket, replay::feed);
        readCleanEnd = readFailure == null;
    }

    private void writeAndEnd() {
        try {
            try {
                writeStream(socket.getOutputStream());
            } finally {
                if (endTogether != null) {
                    endTogether.countDown();
                }
            }
            if (endTogether != null) {
                endTogether.await(5, TimeUnit.SECONDS);
            } else {
                Thread.sleep(pacing.nextInt(100));
            }
            if (end == End.FIN) {
                socket.shutdownOutput();
            } else {
                socket.setSoLinger(true, 0);
                quietClose();
            }
        } catch (IOException e) {
            writeFailure = e.toString();
        } catch (InterruptedException e) {
            writeFailure = e.toString();
            Thread.currentThread().interrupt();
        }
    }

    private void writeStream(OutputStream out) throws IOException {
        while (written < budget) {
            byte[] frame = stream.next();
            PeerIo.writeFrame(out, frame, pacing);
            written += frame.length;
        }
    }

    private void quietClose() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public String toString() {
        return String.format("peer %s: wrote %d + %s%s, read %d, %s", name, written, end,
                writeFailure == null ? "" : " (failed: " + writeFailure + ")", read(),
                readCleanEnd ? "clean end" : "ended with " + readFailure);
    }
}
