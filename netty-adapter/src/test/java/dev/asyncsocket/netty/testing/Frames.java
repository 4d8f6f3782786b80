package dev.asyncsocket.netty.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Framed messages that tell, at the peer, whether each send arrived whole and in its sender's order: [length]
 * [thread][seq] then a body of (seq % 97 + 1) bytes, all equal to a value of thread and seq, split over
 * several buffers.
 */
public final class Frames {

    private Frames() {
    }

    /** Message {@code seq} of sender {@code thread}, over two or three heap buffers, 13 to 109 bytes in all. */
    public static ByteBuffer[] frame(int thread, int seq) {
        return frame(thread, seq, seq % 97 + 1, false);
    }

    /**
     * Message {@code seq} of sender {@code thread}, over three direct buffers, 524 to 620 bytes in all: above
     * the engine's default copy threshold, so that it is written, not copied.
     */
    public static ByteBuffer[] directFrame(int thread, int seq) {
        return frame(thread, seq, 512 + seq % 97, true);
    }

    private static ByteBuffer[] frame(int thread, int seq, int bodyLength, boolean direct) {
        ByteBuffer header = (direct ? ByteBuffer.allocateDirect(12) : ByteBuffer.allocate(12))
                .putInt(8 + bodyLength).putInt(thread).putInt(seq).flip();
        byte[] body = new byte[bodyLength];
        Arrays.fill(body, (byte) (thread * 31 + seq));
        int half = bodyLength / 2;
        if (direct) {
            return new ByteBuffer[] {header, Bytes.direct(Arrays.copyOf(body, half)),
                Bytes.direct(Arrays.copyOfRange(body, half, bodyLength))};
        }
        return half == 0
                ? new ByteBuffer[] {header, ByteBuffer.wrap(body)}
                : new ByteBuffer[] {header, ByteBuffer.wrap(body, 0, half), ByteBuffer.wrap(body, half, bodyLength - half)};
    }

    /**
     * Reads {@code threads * perThread} frames and fails unless each is contiguous and each sender's frames
     * come in the order it sent them.
     */
    public static void readInOrder(InputStream stream, int threads, int perThread) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int[] nextSeq = new int[threads];
        for (int i = 0; i < threads * perThread; i++) {
            int length = in.readInt();
            int thread = in.readInt();
            int seq = in.readInt();
            byte[] body = new byte[length - 8];
            in.readFully(body);
            assertEquals(nextSeq[thread]++, seq, "thread " + thread + "'s sends keep their order");
            for (byte b : body) {
                assertEquals((byte) (thread * 31 + seq), b, "a send's bytes are contiguous");
            }
        }
        for (int thread = 0; thread < threads; thread++) {
            assertEquals(perThread, nextSeq[thread]);
        }
    }
}
