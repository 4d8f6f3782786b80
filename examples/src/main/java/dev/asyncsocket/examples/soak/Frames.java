package dev.asyncsocket.examples.soak;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * The soak's self-describing frames, so that whoever reads a stream can tell whether each send arrived
 * whole (atomic, contiguous), intact (CRC-32) and from the right connection, and which one it was:
 * <pre>
 *   int magic | int link | int seq | int bodyLength | int crc32(body) | body
 * </pre>
 */
final class Frames {

    static final int MAGIC = 0x5AFE_C0DE;
    static final int HEADER = 20;
    static final int MAX_BODY = 256 * 1024;

    private Frames() {
    }

    /** A frame whose body size is mostly small, sometimes up to 16 KiB, rarely up to 256 KiB. */
    static byte[] frame(int link, int seq, Random random) {
        int roll = random.nextInt(100);
        int bodyLength = roll < 70 ? random.nextInt(257) : roll < 95 ? random.nextInt(16 * 1024 + 1) : random.nextInt(MAX_BODY + 1);
        byte[] frame = new byte[HEADER + bodyLength];
        random.nextBytes(frame);
        CRC32 crc = new CRC32();
        crc.update(frame, HEADER, bodyLength);
        ByteBuffer.wrap(frame).putInt(MAGIC).putInt(link).putInt(seq).putInt(bodyLength).putInt((int) crc.getValue());
        return frame;
    }

    /** The frames one writer sends, in order, drawn from a seed: a reader that knows the seed can draw them again. */
    static final class Sequence {
        private final int link;
        private final long seed;
        private final Random random;
        private int seq;

        Sequence(int link, long seed) {
            this.link = link;
            this.seed = seed;
            this.random = new Random(seed);
        }

        byte[] next() {
            return frame(link, seq++, random);
        }

        /** A checker for a reader of this sequence's frames, drawing them again from the start. */
        Replay replay() {
            return new Replay(new Sequence(link, seed));
        }
    }

    /** Compares a stream fed in arbitrary pieces, byte for byte, with what a {@link Sequence} makes. Not thread-safe. */
    static final class Replay {
        private final Sequence expected;
        private byte[] frame = new byte[0];
        private int at;
        private long bytes;
        private long mismatchAt = -1;

        Replay(Sequence expected) {
            this.expected = expected;
        }

        void feed(byte[] data, int offset, int count) {
            for (int done = 0; done < count && mismatchAt < 0; ) {
                if (at == frame.length) {
                    frame = expected.next();
                    at = 0;
                }
                int n = Math.min(count - done, frame.length - at);
                int differs = Arrays.mismatch(data, offset + done, offset + done + n, frame, at, at + n);
                if (differs >= 0) {
                    mismatchAt = bytes + done + differs;
                }
                at += n;
                done += n;
            }
            bytes += count;
        }

        /** Bytes fed so far. */
        long bytes() {
            return bytes;
        }

        /** The stream offset of the first byte that differs from the expected stream, or -1. */
        long mismatchAt() {
            return mismatchAt;
        }
    }

    /** Reads frames out of a stream fed in arbitrary pieces. Not thread-safe: feed it from one thread at a time. */
    static final class Parser {

        /** Told about each whole, intact frame. */
        interface Sink {
            void frame(int seq, int bodyLength);
        }

        private final int link;
        private final Sink sink;
        private static final byte[] NONE = new byte[0];

        /** The unfinished frame at the end of what was fed, and no more: a soak keeps thousands of parsers. */
        private byte[] pending = NONE;
        private int length;
        private long bytes;
        private long frames;
        private String corruption;

        Parser(int link, Sink sink) {
            this.link = link;
            this.sink = sink;
        }

        void feed(byte[] data, int offset, int count) {
            bytes += count;
            if (corruption != null) {
                return;
            }
            if (length + count > pending.length) {
                pending = Arrays.copyOf(pending, length + count);
            }
            System.arraycopy(data, offset, pending, length, count);
            length += count;
            int at = 0;
            while (length - at >= HEADER && corruption == null) {
                ByteBuffer header = ByteBuffer.wrap(pending, at, HEADER);
                int magic = header.getInt();
                int from = header.getInt();
                int seq = header.getInt();
                int bodyLength = header.getInt();
                int crc = header.getInt();
                if (magic != MAGIC || from != link || bodyLength < 0 || bodyLength > MAX_BODY) {
                    corruption = String.format("bad header at stream offset %d: magic %08x link %d (expected %d) length %d",
                            bytes - (length - at), magic, from, link, bodyLength);
                    break;
                }
                if (length - at < HEADER + bodyLength) {
                    break;
                }
                CRC32 check = new CRC32();
                check.update(pending, at + HEADER, bodyLength);
                if ((int) check.getValue() != crc) {
                    corruption = "bad CRC in frame " + seq + " of link " + link;
                    break;
                }
                frames++;
                sink.frame(seq, bodyLength);
                at += HEADER + bodyLength;
            }
            length -= at;
            if (length == 0) {
                pending = NONE;
            } else if (at > 0 || pending.length > 2 * length) {
                pending = Arrays.copyOfRange(pending, at, at + length); // keep only the unfinished frame
            }
        }

        /** Bytes fed so far. */
        long bytes() {
            return bytes;
        }

        long frames() {
            return frames;
        }

        /** Bytes of an unfinished frame at the end (fine only once the stream has ended). */
        int partialTail() {
            return length;
        }

        /** What was wrong with the stream, or {@code null}. */
        String corruption() {
            return corruption;
        }
    }
}
