package dev.asyncsocket.netty.testing;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32;

/** Test data: reproducible random bytes and checksums. */
public final class Bytes {

    private Bytes() {
    }

    public static byte[] random(int count, long seed) {
        byte[] bytes = new byte[count];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    /** A direct buffer holding {@code bytes}, position 0, limit at the end. */
    public static ByteBuffer direct(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
        buffer.put(bytes).flip();
        return buffer;
    }

    /** The bytes between a buffer's position and limit, leaving the buffer as it was. */
    public static byte[] remaining(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /** The bytes a receive wrote into {@code buffer}: from 0 to its position. */
    public static byte[] written(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate().flip();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }
}
