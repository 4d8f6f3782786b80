package dev.asyncsocket.examples.fault;

import java.util.Random;
import java.util.zip.CRC32;

/** Checksummed test streams: reproducible bytes, their CRC-32, and where two streams first differ. */
public final class Streams {

    /** About 1 MiB: the size of the streams the fault tests push through the proxy. */
    public static final int MIB = 1 << 20;

    private Streams() {
    }

    /** {@code length} pseudo-random bytes, the same for the same seed. */
    public static byte[] pattern(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static long crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }

    /** Whether {@code actual} is the first {@code actual.length} bytes of {@code expected}. */
    public static boolean isPrefix(byte[] actual, byte[] expected) {
        return actual.length <= expected.length && firstDifference(actual, expected, actual.length) < 0;
    }

    /** Index of the first of {@code length} bytes where the two differ, or -1. */
    public static int firstDifference(byte[] a, byte[] b, int length) {
        for (int i = 0; i < length; i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return -1;
    }

    /** A one-line description for assertion messages: length, CRC and first difference. */
    public static String compare(byte[] actual, byte[] expected) {
        int common = Math.min(actual.length, expected.length);
        return String.format("got %d bytes (crc %08x), expected %d (crc %08x), first difference at %d",
                actual.length, crc(actual, 0, actual.length), expected.length, crc(expected, 0, expected.length),
                firstDifference(actual, expected, common));
    }
}
